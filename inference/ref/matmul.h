// Reference matrix product y = W·x for a weight matrix of any supported ggml type and float32 activations.
// Reference: ggml `ggml_mul_mat` semantics (llama.cpp ggml/src/ggml.c): W has ne0 = cols (contiguous) and
// ne1 = rows; x holds nTokens columns of length cols; y holds nTokens columns of length rows.
//
// Differs from ggml-cpu on purpose: every row of W is dequantized to float32 and dotted with float32 x.
// ggml-cpu instead converts x to the weight's `vec_dot_type` first (F16 for F16 weights, BF16 for BF16,
// Q8_0 for Q4_0/Q5_x/Q8_0, Q8_K for the K-quants), so llama.cpp's logits carry that extra rounding.
#pragma once

#include "vela/ggml_type.h"

#include <cstdint>

namespace vela::ref {

// w: (rows, cols) in `type`, rows of ggmlRowBytes(type, cols) bytes; x: (nTokens, cols) float32;
// y: (nTokens, rows) float32. cols must be a multiple of the type's block size.
void matmul(GgmlType type, const uint8_t* w, int64_t rows, int64_t cols, const float* x, int64_t nTokens, float* y);

// Dot product of two float32 vectors, accumulated in 8 float lanes (as SIMD code does).
float dot(const float* a, const float* b, int64_t n);

}  // namespace vela::ref
