// Average pooling over a square grid of tokens (shaders/avg_pool_tokens.comp): Gemma 3's vision projector
// shrinks SigLIP's 16×16 patch grid to 4×4 image tokens this way.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <cstdint>

namespace vela::ops {

// out[(oy·(side/kernel) + ox)][c] = mean over the kernel × kernel square at (oy, ox) of x[(y·side + x)][c].
// x: (side², channels) f32, tokens row-major by (y, x); out: ((side/kernel)², channels) f32. kernel divides side.
// One dispatch; the caller adds the barrier before out is read.
Status avgPoolTokens(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out,
                     uint32_t side, uint32_t kernel, uint32_t channels);

}  // namespace vela::ops
