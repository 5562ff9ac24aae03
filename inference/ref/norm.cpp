// Reference RMSNorm (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization") and LayerNorm
// (Ba et al. 2016). Reference: ggml-cpu ops.cpp `ggml_compute_forward_rms_norm_f32`, `..._norm_f32`.
#include "ref/norm.h"

#include <cmath>

namespace vela::ref {

void rmsNorm(const float* x, const float* weight, float* y, int64_t nRows, int64_t n, float eps)
{
    for (int64_t r = 0; r < nRows; ++r) {
        const float* in = x + r * n;
        float* out = y + r * n;
        double sum = 0.0;
        for (int64_t i = 0; i < n; ++i)
            sum += static_cast<double>(in[i] * in[i]);
        const float mean = static_cast<float>(sum / static_cast<double>(n));
        const float scale = 1.0f / std::sqrt(mean + eps);
        for (int64_t i = 0; i < n; ++i) {
            const float normed = in[i] * scale;
            out[i] = weight ? normed * weight[i] : normed;
        }
    }
}

void layerNorm(const float* x, const float* weight, const float* bias, float* y, int64_t nRows, int64_t n, float eps)
{
    for (int64_t r = 0; r < nRows; ++r) {
        const float* in = x + r * n;
        float* out = y + r * n;
        double sum = 0.0;
        for (int64_t i = 0; i < n; ++i)
            sum += static_cast<double>(in[i]);
        const float mean = static_cast<float>(sum / static_cast<double>(n));
        double sumSquares = 0.0;
        for (int64_t i = 0; i < n; ++i) {
            const float centered = in[i] - mean;
            sumSquares += static_cast<double>(centered * centered);
        }
        const float variance = static_cast<float>(sumSquares / static_cast<double>(n));
        const float scale = 1.0f / std::sqrt(variance + eps);
        for (int64_t i = 0; i < n; ++i) {
            float v = (in[i] - mean) * scale;
            if (weight)
                v *= weight[i];
            if (bias)
                v += bias[i];
            out[i] = v;
        }
    }
}

}  // namespace vela::ref
