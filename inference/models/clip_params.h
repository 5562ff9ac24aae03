// Hyper-parameters of a SigLIP vision tower and its projector, read from an mmproj GGUF (`clip.*` keys) and
// checked against the tensors the encoder uses. Reference: llama.cpp tools/mtmd/clip.cpp (clip_model_loader),
// shared/models/vision/PALIGEMMA_GGUF.md for the `paligemma` projector.
#pragma once

#include "vela/gguf.h"
#include "vela/status.h"
#include "vela/vision_encoder.h"

#include <cstdint>

namespace vela::models {

struct ClipParams {
    VisionProjector projector = VisionProjector::Gemma3;
    ImagePreprocessing preprocessing;
    uint32_t patchSize = 0;
    uint32_t hidden = 0;          // clip.vision.embedding_length
    uint32_t feedForward = 0;     // clip.vision.feed_forward_length
    uint32_t blocks = 0;          // clip.vision.block_count
    uint32_t heads = 0;           // clip.vision.attention.head_count
    float eps = 1e-6f;            // clip.vision.attention.layer_norm_epsilon (also the Gemma 3 projector's RMSNorm)
    uint32_t projectionDim = 0;   // clip.vision.projection_dim: the decoder's n_embd
    uint32_t poolKernel = 1;      // Gemma 3: patches per side / tokens per side (clip.vision.projector.scale_factor, 4)

    uint32_t patchesPerSide() const { return preprocessing.imageSize / patchSize; }
    uint32_t patches() const { return patchesPerSide() * patchesPerSide(); }
    uint32_t tokens() const { return patches() / (poolKernel * poolKernel); }
    uint32_t headDim() const { return hidden / heads; }
};

// Fails with a message naming the key or tensor: not an mmproj (general.architecture must be clip), a projector
// Vela does not run (the supported ones are listed), no vision encoder, GELU off, shapes that disagree.
Result<ClipParams> readClipParams(const GgufFile& file);

}  // namespace vela::models
