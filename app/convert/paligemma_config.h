// What a Hugging Face PaliGemma folder says about its model, read from config.json, tokenizer_config.json and
// preprocessor_config.json, with the defaults transformers applies to keys a checkpoint leaves out (the
// released configs are sparse: no head_dim, rope_theta or image_size). load() refuses, with the reason, a
// folder that is not a PaliGemma 1 checkpoint, including PaliGemma 2 (a gemma2 text model), which the
// layout in shared/models/vision/PALIGEMMA_GGUF.md does not cover yet.
#pragma once

#include "vela/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vela {

struct PaliGemmaTextConfig {
    uint32_t hiddenSize = 0;         // E
    uint32_t layerCount = 0;         // L
    uint32_t headCount = 0;          // H
    uint32_t kvHeadCount = 0;        // Hkv
    uint32_t headDim = 0;            // Dh (H·Dh may differ from E)
    uint32_t feedForwardLength = 0;  // F
    uint32_t vocabSize = 0;          // V: rows of the embedding matrix
    uint32_t contextLength = 0;
    double rmsNormEps = 0;
    double ropeTheta = 0;
    uint32_t bosId = 0, eosId = 0, padId = 0;
};

struct PaliGemmaVisionConfig {
    uint32_t hiddenSize = 0;         // D
    uint32_t layerCount = 0;         // Lv
    uint32_t headCount = 0;          // Hv
    uint32_t feedForwardLength = 0;  // Fv
    uint32_t imageSize = 0;          // S
    uint32_t patchSize = 0;          // P
    double layerNormEps = 0;

    uint32_t patchCount() const { return (imageSize / patchSize) * (imageSize / patchSize); }  // N
};

// An entry of tokenizer_config.json's added_tokens_decoder.
struct HfAddedToken {
    uint32_t id = 0;
    std::string content;
    bool special = false;
};

struct PaliGemmaConfig {
    PaliGemmaTextConfig text;
    PaliGemmaVisionConfig vision;
    uint32_t projectionDim = 0;  // the projector's output: must be E
    std::array<float, 3> imageMean{0.5f, 0.5f, 0.5f};
    std::array<float, 3> imageStd{0.5f, 0.5f, 0.5f};
    bool addBosToken = true;
    bool addEosToken = false;
    std::vector<HfAddedToken> addedTokens;

    static Result<PaliGemmaConfig> load(const std::string& folder);
};

}  // namespace vela
