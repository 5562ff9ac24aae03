// Reference normalizations over the last (contiguous) dimension.
// Reference: ggml-cpu ops.cpp `ggml_compute_forward_rms_norm_f32` / `ggml_compute_forward_norm_f32`
// (sums in double, as ggml's ggml_float), followed by llama.cpp's elementwise weight and bias.
#pragma once

#include <cstdint>

namespace vela::ref {

// y = x / sqrt(mean(x²) + eps) · weight, row by row; x, y: (nRows, n); weight (n) or null for none.
// y may alias x.
void rmsNorm(const float* x, const float* weight, float* y, int64_t nRows, int64_t n, float eps);

// y = (x − mean) / sqrt(var + eps) · weight + bias, row by row; weight and bias may be null. y may alias x.
void layerNorm(const float* x, const float* weight, const float* bias, float* y, int64_t nRows, int64_t n, float eps);

}  // namespace vela::ref
