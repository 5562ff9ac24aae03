// Elementwise kernels over f32 vectors (shaders/add.comp, scale.comp). Each records one dispatch; the caller
// adds the barrier before the result is read.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// out[i] = a[i] + b[i % bLength]; bLength 0 means b is as long as a. `out` may alias `a`.
Status add(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange a, vk::BufferRange b,
           vk::BufferRange out, uint32_t n, uint32_t bLength = 0);

// out[i] = a[i] + factor · b[i] over n f32 values (a LoRA term added to its projection); `out` may alias `a`.
Status addScaled(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange a, vk::BufferRange b,
                 vk::BufferRange out, uint32_t n, float factor);

// y[r][c] = x[r][c] + bias[c] for x, y (rows, cols) f32 and bias (cols) f32 — the q/k/v/output projection biases.
// `y` may alias `x`. rows · cols must fit 32 bits.
Status addRows(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange bias,
               vk::BufferRange y, uint32_t rows, uint32_t cols);

// y[i] = x[i] · factor over n f32 values; `y` may alias `x`.
Status scale(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange y, uint32_t n,
             float factor);

// y = cap · tanh(x / cap) over n f32 values (logit soft-capping); `y` may alias `x`; cap > 0.
Status softCap(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange y, uint32_t n,
               float cap);

}  // namespace vela::ops
