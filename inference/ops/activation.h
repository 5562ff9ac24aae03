// Activation kernels: the SwiGLU gate of the feed-forward (shaders/swiglu.comp) and a row softmax
// (shaders/softmax.comp).
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// out[i] = silu(gate[i]) · up[i] over n f32 values; `out` may alias `gate` or `up`.
Status swiglu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange gate, vk::BufferRange up,
              vk::BufferRange out, uint32_t n);

// Each row of x (rows, cols) f32 → softmax(scale · row); −inf entries become 0, an all −inf row all 0.
// `out` may alias `x`.
Status softmax(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out,
               uint32_t rows, uint32_t cols, float scale = 1.0f);

}  // namespace vela::ops
