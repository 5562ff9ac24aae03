// Stores new K/V rows into the f16 cache. Reference: llama.cpp src/llama-kv-cache.cpp (cpy_k / cpy_v into
// an F16 cache; we keep V row-major like K since our attention kernel reads both by key).
#include "ops/kv_cache.h"

#include "ops/dispatch_grid.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

namespace vela::ops {

Status storeKv(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange src, vk::BufferRange cache,
               uint32_t firstPosition, uint32_t nTokens, uint32_t width)
{
    const uint64_t n = uint64_t(nTokens) * width;
    const uint64_t end = uint64_t(firstPosition) * width + n;  // f16 elements
    if (n == 0)
        return Status::failure("storeKv: nothing to store");
    if (end > UINT32_MAX || (cache.size != VK_WHOLE_SIZE && end * 2 > cache.size) ||
        (cache.size == VK_WHOLE_SIZE && end * 2 > cache.buffer->size() - cache.offset))
        return Status::failure("storeKv: positions " + std::to_string(firstPosition) + "…" +
                               std::to_string(firstPosition + nTokens - 1) + " do not fit the cache");
    Result<const vk::ComputePipeline*> pipeline = kernels.get("kv_store", 2, sizeof(abi::KvStorePush));
    if (!pipeline)
        return pipeline.status();
    const abi::KvStorePush push{static_cast<uint32_t>(n), firstPosition * width};
    const DispatchGrid grid = gridFor(n, VELA_KV_STORE_WORKGROUP, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {src, cache}, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
