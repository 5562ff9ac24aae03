// Flash attention over the KV cache. References: Dao et al. 2022/2023, FlashAttention 1 and 2
// (arXiv:2205.14135, arXiv:2307.08691); Ainslie et al. 2023, GQA (arXiv:2305.13245).
// The tile shape (query rows × keys per block) is fixed per pipeline by specialization constants and chosen
// here so that the shared memory of the kernel fits the device. Logit soft-capping and the sliding window
// follow llama.cpp (src/llama-graph.cpp build_attn_mha, src/llama-hparams.h is_masked_swa).
#include "ops/attention.h"

#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vela::ops {

namespace {

constexpr uint32_t kAttentionWorkgroup = 128;
constexpr uint32_t kMaxHeadDim = 576;  // DeepSeek-V2/V3 latent attention: 512 + 64

struct AttentionTile {
    uint32_t rows = 16;   // query rows (token × head of one KV group) per workgroup
    uint32_t block = 32;  // keys per block
};

// Shared memory of attention.comp: query tile, padded K/V block, scores, three per-row values.
uint64_t tileSharedBytes(const AttentionTile& tile, uint32_t headDim)
{
    return 4ull * (uint64_t(tile.rows) * headDim + uint64_t(tile.block) * (headDim + 1) +
                   uint64_t(tile.rows) * tile.block + 3ull * tile.rows);
}

// Few query rows (decoding): longer key blocks keep the threads busy. Then shrink until it fits.
AttentionTile chooseTile(uint32_t queryRows, uint32_t headDim, uint32_t sharedBytes)
{
    AttentionTile tile;
    tile.rows = std::min<uint32_t>(16, std::bit_ceil(queryRows));
    tile.block = tile.rows <= 4 ? 64 : 32;
    while (tileSharedBytes(tile, headDim) > sharedBytes) {
        if (tile.block > 16)
            tile.block /= 2;
        else if (tile.rows > 1)
            tile.rows /= 2;
        else if (tile.block > 1)
            tile.block /= 2;
        else
            break;
    }
    return tile;
}

Status checkParams(const AttentionParams& p, const vk::DeviceLimits& limits)
{
    if (p.nTokens == 0 || p.nHead == 0 || p.nKvHead == 0)
        return Status::failure("attention: empty shape");
    if (p.nHead % p.nKvHead != 0)
        return Status::failure("attention: " + std::to_string(p.nHead) + " query heads do not divide into " +
                               std::to_string(p.nKvHead) + " KV heads");
    if (p.headDim == 0 || p.headDim > kMaxHeadDim)
        return Status::failure("attention: head dimension " + std::to_string(p.headDim) + " outside 1…" +
                               std::to_string(kMaxHeadDim));
    if (!(p.softCap >= 0.0f) || std::isinf(p.softCap))
        return Status::failure("attention: soft-cap " + std::to_string(p.softCap) + " is not a finite value ≥ 0");
    if (p.nKvHead > limits.maxWorkGroupCount[1])
        return Status::failure("attention: too many KV heads for one dispatch");
    if (uint64_t(p.nKv + p.nTokens) * p.nHead * p.headDim > UINT32_MAX)
        return Status::failure("attention: tensors too large for 32-bit indexing");
    return {};
}

}  // namespace

Status attention(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange q, vk::BufferRange kCache,
                 vk::BufferRange vCache, vk::BufferRange out, const AttentionParams& params)
{
    const vk::DeviceLimits& limits = kernels.context().limits();
    if (Status s = checkParams(params, limits); !s)
        return s;
    const uint32_t group = params.nHead / params.nKvHead;
    const uint32_t queryRows = params.nTokens * group;  // per KV head
    const AttentionTile tile = chooseTile(queryRows, params.headDim, limits.maxComputeSharedMemorySize);
    if (tileSharedBytes(tile, params.headDim) > limits.maxComputeSharedMemorySize)
        return Status::failure("attention: head dimension " + std::to_string(params.headDim) +
                               " needs more shared memory than the device has");
    const uint32_t tiles = (queryRows + tile.rows - 1) / tile.rows;
    if (tiles > limits.maxWorkGroupCount[0])
        return Status::failure("attention: too many query rows for one dispatch");

    // Soft-capping and the window are specialised in, so the plain pipeline carries neither.
    const bool softCapped = params.softCap > 0.0f;
    const bool windowed = params.window > 0;
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get("attention", 4, sizeof(abi::AttentionPush),
                    {kAttentionWorkgroup, params.headDim, tile.rows, tile.block, softCapped ? 1u : 0u,
                     windowed ? 1u : 0u});
    if (!pipeline)
        return pipeline.status();
    abi::AttentionPush push{};
    push.nTokens = params.nTokens;
    push.nKv = params.nKv;
    push.firstPosition = params.firstPosition;
    push.nHead = params.nHead;
    push.nKvHead = params.nKvHead;
    push.causal = params.causal ? 1 : 0;
    push.scale = params.scale;
    push.softCap = params.softCap;
    push.window = params.window;
    stream.dispatch(**pipeline, {q, kCache, vCache, out}, push, tiles, params.nKvHead);
    return {};
}

}  // namespace vela::ops
