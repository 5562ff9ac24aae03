// Activation kernels: the SwiGLU / GeGLU gates of the feed-forward (shaders/swiglu.comp, gelu.comp), plain GELU
// and a row softmax (shaders/softmax.comp).
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// out[i] = silu(gate[i]) · up[i] over n f32 values; `out` may alias `gate` or `up`.
Status swiglu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange gate, vk::BufferRange up,
              vk::BufferRange out, uint32_t n);

// GELU (tanh approximation) as llama.cpp's CPU backend evaluates it — through fp16: x ≤ −10 → 0, x ≥ 10 → x,
// else fp16(gelu(fp16(x))) (vela::ref::geluGgml). out[i] = gelu(x[i]) over n f32 values; `out` may alias `x`.
Status gelu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out, uint32_t n);

// out[i] = gelu(gate[i]) · up[i] (GeGLU, ggml_geglu: the first operand is gated; a gate ≤ −10 gives +0,
// vela::ref::gegluGgml); `out` may alias `gate` or `up`.
Status geglu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange gate, vk::BufferRange up,
             vk::BufferRange out, uint32_t n);

// Each row of x (rows, cols) f32 → softmax(scale · row); −inf entries become 0, an all −inf row all 0.
// `out` may alias `x`.
Status softmax(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out,
               uint32_t rows, uint32_t cols, float scale = 1.0f);

}  // namespace vela::ops
