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
    uint32_t headDim = 0;        // 1 … 576 (DeepSeek latent attention: kv_lora_rank 512 + 64 rotary)
    float scale = 1.0f;          // multiplies q·k, usually 1/sqrt(headDim)
    bool causal = true;          // token t sees keys 0 … firstPosition + t; otherwise all nKv keys
    // > 0: logit soft-capping (Gemma 2: 50; Grok: 30 with scale = attn_output_scale): each score
    // s = scale·q·k becomes softCap·tanh(s / softCap) before masking and softmax. 0: off (and free).
    float softCap = 0.0f;
    // > 0: sliding window; token t at position p = firstPosition + t (also when not causal) sees only keys
    // j with p − j < window, i.e. p − window + 1 … p, as llama.cpp's LLAMA_SWA_TYPE_STANDARD
    // (llama-hparams.h is_masked_swa). Keys before the window are never read: a query costs O(window).
    // 0: off (and free). The cache row of a key is its position.
    uint32_t window = 0;
};

// out = softmax(softCap(scale · q·kᵀ), masked) · v per query token and head.
// q: (nTokens, nHead, headDim) f32; kCache, vCache: (nCtx, nKvHead, headDim) f16 with nKv ≤ nCtx;
// out: (nTokens, nHead, headDim) f32. A query that sees no key gets zeros. Softmax and sums in f32.
Status attention(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange q, vk::BufferRange kCache,
                 vk::BufferRange vCache, vk::BufferRange out, const AttentionParams& params);

}  // namespace vela::ops
