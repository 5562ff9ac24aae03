// Rotary position embedding in place on q or k (shaders/rope.comp): normal and NeoX pairing, partial
// rotation, Llama 3 frequency factors, linear scaling and YaRN.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <optional>

namespace vela::ops {

struct RopeParams {
    uint32_t nTokens = 0;
    uint32_t nHeads = 0;
    uint32_t headDim = 0;
    uint32_t nRot = 0;          // rotated dimensions per head (even, ≤ headDim); the rest pass through
    bool neox = false;          // false: pairs (x[2i], x[2i+1]); true: pairs (x[i], x[i + nRot/2])
    float freqBase = 10000.0f;
    float freqScale = 1.0f;     // 1 / linear (or YaRN) context scaling factor
    float extFactor = 0.0f;     // YaRN extrapolation mix: 0 = plain / linear scaling
    float attnFactor = 1.0f;    // multiplies cos and sin
    float betaFast = 32.0f;     // YaRN ramp bounds, in rotations over the original context
    float betaSlow = 1.0f;
    uint32_t nCtxOrig = 0;      // YaRN: the context the model was trained with
};

// Rotates x (nTokens, nHeads, headDim) f32 in place; token t is at positions[t] (int32, (nTokens)).
// freqFactors: (nRot/2) f32 divisors of each pair's frequency (GGUF rope_freqs.weight), or none.
// Follows ggml's rope_yarn (llama.cpp ggml-cpu ops.cpp) and matches vela::ref::applyRope.
Status rope(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange positions,
            std::optional<vk::BufferRange> freqFactors, const RopeParams& params);

}  // namespace vela::ops
