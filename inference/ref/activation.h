// Reference elementwise activations and softmax.
// Reference: llama.cpp ggml/src/ggml-cpu/vec.h (`ggml_silu_f32`, `ggml_gelu_f32`, `ggml_vec_swiglu_f32`)
// and ops.cpp (`ggml_compute_forward_soft_max_f32`). ggml-cpu evaluates GELU through an fp16 lookup table:
// gelu/geglu are the exact float formulas, geluGgml/gegluGgml reproduce the table path bit for bit.
#pragma once

#include <cstdint>

namespace vela::ref {

float silu(float x);     // x·σ(x)
float gelu(float x);     // tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
float geluErf(float x);  // exact: 0.5·x·(1 + erf(x/√2))
// GELU as llama.cpp's CPU backend computes it by default (vec.h defines GGML_GELU_FP16 unconditionally), which
// is what our goldens come from: x ≤ −10 → 0, x ≥ 10 → x, otherwise x is rounded to fp16 (nearest even) and the
// result is fp16(gelu(that fp16 value)) — a 65,536-entry table lookup in ggml. NaN stays NaN.
float geluGgml(float x);

// out[i] = silu(gate[i]) · up[i] (SwiGLU, Shazeer 2020 arXiv:2002.05202); out may alias gate or up.
void swiglu(const float* gate, const float* up, float* out, int64_t n);
// out[i] = gelu(gate[i]) · up[i] (GeGLU); out may alias gate or up.
void geglu(const float* gate, const float* up, float* out, int64_t n);
// GeGLU as ggml-cpu's ggml_vec_geglu_f32 computes it: gate ≤ −10 → +0 (whatever up is), gate ≥ 10 → gate · up,
// otherwise geluGgml(gate) · up. The gated half is ggml_geglu's first operand (the FFN gate projection).
void gegluGgml(const float* gate, const float* up, float* out, int64_t n);

// In place over n values: exp(x − max) / Σ; −INFINITY entries become 0; all −INFINITY gives all 0.
void softmax(float* x, int64_t n);

void add(const float* a, const float* b, float* out, int64_t n);  // out may alias a or b
void mul(const float* a, const float* b, float* out, int64_t n);  // out may alias a or b

}  // namespace vela::ref
