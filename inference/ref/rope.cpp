// Reference RoPE. References: RoFormer (arXiv:2104.09864), YaRN (arXiv:2309.00071); llama.cpp ggml-cpu
// ops.cpp `rope_yarn`, `ggml_rope_cache_init`, `rotate_pairs` and ggml.c `ggml_rope_yarn_corr_dims`.
// Angles are built the way ggml builds them (float, theta multiplied by a constant step per pair) so that
// long positions round the same way.
#include "ref/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace vela::ref {

namespace {

// The pair index at which a frequency completes `rotations` turns over the original context.
float yarnCorrectionDim(int nRot, int nCtxOrig, float rotations, float freqBase)
{
    const float twoPi = 2.0f * std::numbers::pi_v<float>;
    return static_cast<float>(nRot) * std::log(static_cast<float>(nCtxOrig) / (rotations * twoPi)) /
           (2.0f * std::log(freqBase));
}

// 1 below `low` (pure extrapolation), 0 above `high` (pure interpolation), linear in between.
float yarnRamp(float low, float high, int pair)
{
    const float y = (static_cast<float>(pair) - low) / std::max(0.001f, high - low);
    return 1.0f - std::min(1.0f, std::max(0.0f, y));
}

}  // namespace

std::array<float, 2> yarnCorrectionDims(int nRot, int nCtxOrig, float freqBase, float betaFast, float betaSlow)
{
    const float start = std::floor(yarnCorrectionDim(nRot, nCtxOrig, betaFast, freqBase));
    const float end = std::ceil(yarnCorrectionDim(nRot, nCtxOrig, betaSlow, freqBase));
    return {std::max(0.0f, start), std::min(static_cast<float>(nRot - 1), end)};
}

void computeRopeAngles(float position, const RopeConfig& config, float* cosOut, float* sinOut)
{
    const float thetaStep = std::pow(config.freqBase, -2.0f / static_cast<float>(config.nRot));
    const auto corr = yarnCorrectionDims(config.nRot, config.nCtxOrig, config.freqBase, config.betaFast,
                                         config.betaSlow);
    float thetaBase = position;
    for (int pair = 0; pair < config.nRot / 2; ++pair, thetaBase *= thetaStep) {
        const float factor = config.freqFactors ? config.freqFactors[pair] : 1.0f;
        const float thetaExtrap = thetaBase / factor;
        const float thetaInterp = config.freqScale * thetaExtrap;
        float theta = thetaInterp;
        float magnitude = config.attnFactor;
        if (config.extFactor != 0.0f) {
            const float mix = yarnRamp(corr[0], corr[1], pair) * config.extFactor;
            theta = thetaInterp * (1.0f - mix) + thetaExtrap * mix;
            // YaRN's attention temperature, sqrt(1/t) = 0.1·ln(s) + 1, folded into cos and sin.
            magnitude *= 1.0f + 0.1f * std::log(1.0f / config.freqScale);
        }
        cosOut[pair] = std::cos(theta) * magnitude;
        sinOut[pair] = std::sin(theta) * magnitude;
    }
}

void applyRope(float* x, int64_t nTokens, int64_t nHeads, int64_t headDim, const int32_t* positions,
               const RopeConfig& config)
{
    const int pairs = config.nRot / 2;
    std::vector<float> cosines(static_cast<size_t>(pairs)), sines(static_cast<size_t>(pairs));  // (nRot/2)
    // Partner of dimension i in its rotated pair: adjacent for Normal, half the rotated width away for Neox.
    const int stride = config.mode == RopeMode::Normal ? 1 : pairs;
    for (int64_t t = 0; t < nTokens; ++t) {
        computeRopeAngles(static_cast<float>(positions[t]), config, cosines.data(), sines.data());
        for (int64_t h = 0; h < nHeads; ++h) {
            float* head = x + (t * nHeads + h) * headDim;
            for (int pair = 0; pair < pairs; ++pair) {
                const int first = config.mode == RopeMode::Normal ? 2 * pair : pair;
                const float x0 = head[first];
                const float x1 = head[first + stride];
                head[first] = x0 * cosines[pair] - x1 * sines[pair];
                head[first + stride] = x0 * sines[pair] + x1 * cosines[pair];
            }
        }
    }
}

}  // namespace vela::ref
