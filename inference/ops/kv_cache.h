// The KV cache of one layer: f16 rows of K (or V) for every position of the context (shaders/kv_store.comp).
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// cache rows firstPosition … firstPosition+nTokens−1 = f16(src rows), rounded to nearest even exactly as
// vela::fp32ToFp16. src: (nTokens, width) f32; cache: (nCtx, width) f16, with firstPosition + nTokens ≤ nCtx.
Status storeKv(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange src, vk::BufferRange cache,
               uint32_t firstPosition, uint32_t nTokens, uint32_t width);

}  // namespace vela::ops
