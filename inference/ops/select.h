// Selection over logits on the device (shaders/argmax.comp, shaders/topk.comp), so that generation downloads
// only what the sampler needs: 8 bytes for greedy decoding, 2·k values for top-k sampling.
// Order: higher value first, equal values → lower index first; −0 equals +0; NaN ranks below every number
// (even −inf), so it is chosen only where nothing else is left.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <cstdint>

namespace vela::ops {

constexpr uint32_t kMaxTopK = 64;

// Bytes of the scratch buffer that argmax and topK need for n logits and k ≤ kMaxTopK results (the same
// buffer serves both).
uint64_t selectScratchBytes(uint32_t n, uint32_t k = kMaxTopK);

// out (2 × u32): [0] the index of the largest of n logits (f32), [1] its value's f32 bits.
// Two dispatches with a barrier between them; `scratch` holds selectScratchBytes(n, 1) bytes.
Status argmax(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange logits, uint32_t n,
              vk::BufferRange out, vk::BufferRange scratch);

// The k (1 … min(n, kMaxTopK)) largest of n logits, sorted: outIds (k × u32), outValues (k × f32).
// Two dispatches with a barrier between them; `scratch` holds selectScratchBytes(n, k) bytes.
Status topK(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange logits, uint32_t n, uint32_t k,
            vk::BufferRange outIds, vk::BufferRange outValues, vk::BufferRange scratch);

}  // namespace vela::ops
