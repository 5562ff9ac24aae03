// LoRA adapters for tests, in llama.cpp's adapter GGUF (general.type "adapter", adapter.type "lora",
// adapter.lora.alpha, T.lora_a [n_in, rank] and T.lora_b [rank, n_out] for a model tensor T [n_in, n_out]),
// with the values the file holds, and a model with adapters merged into its weights on the CPU: the oracle an
// adapter applied on the device is compared with.
#pragma once

#include "vela/ggml_type.h"
#include "vela/gguf.h"
#include "vela/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vela::test {

// The adapter's two matrices for the model tensor `base`, as the file holds them (rounded to `type`).
struct LoraPairData {
    std::string base;  // "blk.0.attn_q.weight"
    uint32_t nIn = 0, nOut = 0, rank = 0;
    GgmlType type = GgmlType::F32;
    std::vector<float> a;  // (rank, nIn) row-major: A
    std::vector<float> b;  // (nOut, rank) row-major: B
};

// A ~ N(0, sigma), B ~ N(0, sigma) for a model tensor of ggml shape [nIn, nOut].
LoraPairData randomLoraPair(const std::string& base, uint32_t nIn, uint32_t nOut, uint32_t rank, GgmlType type,
                            float sigma, uint32_t seed);
// The same for `base` as the model file has it (shape from the file); empty base on failure.
LoraPairData randomLoraPair(const GgufFile& model, const std::string& base, uint32_t rank, GgmlType type, float sigma,
                            uint32_t seed);

// A writer with the adapter header: general.type/architecture, adapter.type, adapter.lora.alpha (0: none).
GgufWriter loraAdapterWriter(const std::string& architecture, float alpha);
// Adds base.lora_a and base.lora_b (either may be left out to make a broken file).
Status addLoraPair(GgufWriter& writer, const LoraPairData& pair, bool withA = true, bool withB = true);
// An adapter file with `pairs`; "" on success, else the error.
std::string writeLoraAdapter(const std::string& path, const std::string& architecture, float alpha,
                             const std::vector<LoraPairData>& pairs);

// One adapter's contribution to a merge: W += factor · B·A for each pair.
struct LoraMerge {
    const std::vector<LoraPairData>* pairs;
    float factor;  // scale · alpha / rank (or scale without alpha)
};
// Copies `modelPath` to `path` with every adapted tensor (which must be F32) replaced by W + Σ factor·B·A,
// computed in double and rounded once. "" on success, else the error.
std::string writeMergedModel(const std::string& modelPath, const std::string& path, const std::vector<LoraMerge>& merges);

}  // namespace vela::test
