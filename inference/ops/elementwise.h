// Elementwise kernels over f32 vectors (shaders/add.comp …).
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// out[i] = a[i] + b[i % bLength]; bLength 0 means b is as long as a. `out` may alias `a`.
Status add(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange a, vk::BufferRange b,
           vk::BufferRange out, uint32_t n, uint32_t bLength = 0);

}  // namespace vela::ops
