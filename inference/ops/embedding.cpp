#include "ops/embedding.h"

#include "ops/weight_chunks.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>

namespace vela::ops {

Status embed(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& table, vk::BufferRange ids,
             vk::BufferRange out, uint32_t nTokens)
{
    return detail::embedChunked(kernels, stream, table, ids, out, nTokens,
                                kernels.context().limits().maxStorageBufferRange);
}

namespace detail {

Status embedChunked(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& table,
                    vk::BufferRange ids, vk::BufferRange out, uint32_t nTokens, uint64_t maxBindingBytes)
{
    if (nTokens == 0)
        return {};
    const vk::VulkanContext& context = kernels.context();
    const std::optional<std::string> suffix = weightShaderSuffix(table.type);
    if (!suffix)
        return Status::failure("embed: no kernel for table type " + std::string(ggmlTypeName(table.type)));
    Result<RowChunking> chunking = planRowChunks(table, maxBindingBytes, storageOffsetAlignment(context));
    if (!chunking)
        return Status::failure("embed: " + chunking.message());
    Result<const vk::ComputePipeline*> pipeline = kernels.get("embedding_" + *suffix, 3, sizeof(abi::EmbeddingPush));
    if (!pipeline)
        return pipeline.status();

    // Threads handle 8 elements when the row length allows (always for quantized rows), else one.
    const uint32_t units = table.cols % 8 == 0 ? table.cols / 8 : table.cols;
    const uint32_t groupsX = (units + VELA_EMBEDDING_WORKGROUP - 1) / VELA_EMBEDDING_WORKGROUP;
    const uint32_t maxTokensPerDispatch = context.limits().maxWorkGroupCount[1];
    const uint32_t blocksPerRow = table.cols / ggmlTypeInfo(table.type).blockSize;
    for (uint32_t firstRow = 0; firstRow < table.rows; firstRow += chunking->rowsPerChunk) {
        const uint32_t rows = std::min(chunking->rowsPerChunk, table.rows - firstRow);
        for (uint32_t firstToken = 0; firstToken < nTokens; firstToken += maxTokensPerDispatch) {
            const uint32_t tokens = std::min(maxTokensPerDispatch, nTokens - firstToken);
            const abi::EmbeddingPush push{table.cols, blocksPerRow, firstRow, rows, firstToken, nTokens};
            stream.dispatch(**pipeline, {rowRange(table, *chunking, firstRow, rows), ids, out}, push, groupsX, tokens);
        }
    }
    return {};
}

}  // namespace detail
}  // namespace vela::ops
