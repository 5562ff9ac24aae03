// Reference rotary position embedding (RoPE) with linear scaling, YaRN and per-dimension frequency factors.
// References: Su et al. 2021 "RoFormer" (arXiv:2104.09864); Peng et al. 2023 "YaRN" (arXiv:2309.00071);
// llama.cpp ggml-cpu ops.cpp (`rope_yarn`, `rope_yarn_ramp`, `ggml_rope_cache_init`, `rotate_pairs`) and
// ggml.c (`ggml_rope_yarn_corr_dims`), whose float arithmetic this follows step by step.
#pragma once

#include <array>
#include <cstdint>

namespace vela::ref {

enum class RopeMode {
    Normal,  // rotates adjacent pairs (x[2i], x[2i+1]) — llama, deepseek2
    Neox,    // rotates split halves (x[i], x[i + nRot/2]) — qwen, gemma, phi
};

struct RopeConfig {
    int nRot = 0;                // rotated dimensions per head (even, ≤ head dim); the rest pass through
    RopeMode mode = RopeMode::Normal;
    float freqBase = 10000.0f;
    float freqScale = 1.0f;      // 1 / linear (or YaRN) scaling factor
    float extFactor = 0.0f;      // YaRN extrapolation mix: 0 = plain/linear, 1 = YaRN
    float attnFactor = 1.0f;     // multiplies cos and sin (YaRN magnitude, rope.scaling.attn_factor)
    float betaFast = 32.0f;      // YaRN ramp bounds, in rotations over the original context
    float betaSlow = 1.0f;
    int nCtxOrig = 0;            // YaRN original training context
    const float* freqFactors = nullptr;  // (nRot/2) divisors of each pair's frequency (rope_freqs), or null
};

// The YaRN ramp's [low, high] pair indices: pairs below low are extrapolated (kept), above high interpolated.
std::array<float, 2> yarnCorrectionDims(int nRot, int nCtxOrig, float freqBase, float betaFast, float betaSlow);

// cos and sin (attnFactor and YaRN magnitude included) of each of the nRot/2 pairs at `position`.
void computeRopeAngles(float position, const RopeConfig& config, float* cosOut, float* sinOut);

// Rotates x in place: x (nTokens, nHeads, headDim), token t at positions[t].
void applyRope(float* x, int64_t nTokens, int64_t nHeads, int64_t headDim, const int32_t* positions,
               const RopeConfig& config);

}  // namespace vela::ref
