// Normalization kernels (shaders/rms_norm.comp, layer_norm.comp). Each records one dispatch; the caller adds the
// barrier before the result is read.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <optional>

namespace vela::ops {

// out = x / sqrt(mean(x²) + eps) · weight, row by row; one workgroup per row.
// x, out: (rows, cols) f32; weight: (cols) f32. `out` may alias `x`.
Status rmsNorm(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange weight,
               vk::BufferRange out, uint32_t rows, uint32_t cols, float eps);

// out = (x − mean) / sqrt(var + eps) · weight (+ bias), row by row, var = mean((x − mean)²); one workgroup per row.
// x, out: (rows, cols) f32; weight, bias: (cols) f32. `out` may alias `x`. Phi-2's and GPT-style LayerNorm.
Status layerNorm(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange weight,
                 std::optional<vk::BufferRange> bias, vk::BufferRange out, uint32_t rows, uint32_t cols, float eps);

}  // namespace vela::ops
