// Normalization kernels (shaders/rms_norm.comp).
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// out = x / sqrt(mean(x²) + eps) · weight, row by row; one workgroup per row.
// x, out: (rows, cols) f32; weight: (cols) f32. `out` may alias `x`.
Status rmsNorm(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange weight,
               vk::BufferRange out, uint32_t rows, uint32_t cols, float eps);

}  // namespace vela::ops
