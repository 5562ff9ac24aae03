// Attention of new queries over the f16 KV cache, flash-attention style (shaders/attention.comp).
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

struct AttentionParams {
    uint32_t nTokens = 0;
    uint32_t nKv = 0;            // keys in the cache the last token may see (firstPosition + nTokens when causal)
    uint32_t firstPosition = 0;  // position of query token 0
    uint32_t nHead = 0;
    uint32_t nKvHead = 0;        // divides nHead; query head h reads KV head h / (nHead / nKvHead)
    uint32_t headDim = 0;        // 1 … 256
    float scale = 1.0f;          // multiplies q·k, usually 1/sqrt(headDim)
    bool causal = true;          // token t sees keys 0 … firstPosition + t; otherwise all nKv keys
};

// out = softmax(scale · q·kᵀ, masked) · v per query token and head.
// q: (nTokens, nHead, headDim) f32; kCache, vCache: (nCtx, nKvHead, headDim) f16 with nKv ≤ nCtx;
// out: (nTokens, nHead, headDim) f32. A query that sees no key gets zeros. Softmax and sums in f32.
Status attention(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange q, vk::BufferRange kCache,
                 vk::BufferRange vCache, vk::BufferRange out, const AttentionParams& params);

}  // namespace vela::ops
