// What a model file is, read from its GGUF header alone (no weights touched), and how much memory it
// will need once loaded — shown to the user before anything is allocated.
#pragma once

#include "vela/ggml_type.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vela {

class GgufFile;

struct TensorTypeSummary {
    GgmlType type;
    uint32_t tensorCount = 0;
    uint64_t elements = 0;
    uint64_t bytes = 0;
};

struct ModelInfo {
    std::string architecture;  // general.architecture
    std::string name;          // general.name ("" when absent)
    uint64_t parameterCount = 0;
    uint64_t weightBytes = 0;                     // the sum of every tensor's size
    // Weight bytes one generated token reads: all of them but the embedding table, of which one row
    // (unless the output projection reuses the table), and of MoE expert tensors only the k experts used.
    uint64_t decodeWeightBytes = 0;
    std::vector<TensorTypeSummary> tensorTypes;  // ordered by ggml type id

    // Hyper-parameters (`<arch>.*` keys); 0 when the file does not say.
    uint32_t contextLength = 0;  // trained context
    uint32_t embeddingLength = 0;
    uint32_t blockCount = 0;
    uint32_t feedForwardLength = 0;
    uint32_t headCount = 0;
    uint32_t headCountKv = 0;  // per layer, summed in kvValuesPerToken
    uint32_t headDimK = 0;
    uint32_t headDimV = 0;
    uint32_t vocabSize = 0;
    // K plus V values one token adds to the cache, over all layers.
    uint64_t kvValuesPerToken = 0;

    std::string tokenizerModel;  // tokenizer.ggml.model
    std::string tokenizerPre;    // tokenizer.ggml.pre
    bool hasChatTemplate = false;

    std::string ropeScalingType;  // "none", "linear", "yarn", …
    double ropeScalingFactor = 0;
    uint32_t ropeOriginalContext = 0;
    double ropeFreqBase = 0;
};

ModelInfo describeModel(const GgufFile& file);

struct MemoryEstimate {
    uint32_t contextLength = 0;
    uint64_t weightBytes = 0;
    uint64_t kvCacheBytes = 0;  // f16 K and V for every layer at contextLength
    uint64_t scratchBytes = 0;  // activations of one batch plus logits
    uint64_t totalBytes() const;  // saturates rather than wrapping
};

// `contextLength` 0 means the model's trained context; `batchSize` is the prompt batch (n_batch).
MemoryEstimate estimateMemory(const ModelInfo& info, uint32_t contextLength = 0, uint32_t batchSize = 512);

// "1.25 GiB", "512.0 KiB", …
std::string formatBytes(uint64_t bytes);

}  // namespace vela
