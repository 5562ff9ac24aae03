#include "ops/matvec_experts.h"

#include "ops/dispatch_grid.h"
#include "ops/weight_chunks.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>
#include <numeric>

namespace vela::ops {

Status matVecExperts(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, uint32_t nExperts,
                     vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX, vk::BufferRange x,
                     vk::BufferRange y)
{
    return detail::matVecExpertsTuned(kernels, stream, w, nExperts, ids, nPairs, pairsPerX, x, y, {});
}

namespace detail {

Result<std::vector<ExpertChunk>> planExpertChunks(const WeightView& w, uint32_t nExperts, uint64_t maxBindingBytes,
                                                  uint64_t offsetAlignment)
{
    const uint64_t expertBytes = w.totalBytes() / nExperts;
    if (expertBytes > maxBindingBytes)
        return Status::failure("matVecExperts: one expert's matrix of " + std::to_string(expertBytes) +
                               " bytes exceeds the largest storage binding (" + std::to_string(maxBindingBytes) +
                               " bytes) of this GPU");
    const uint64_t alignment = std::max<uint64_t>(offsetAlignment, 1);
    if (w.data.offset % alignment != 0)
        return Status::failure("matVecExperts: the weight offset is not aligned to minStorageBufferOffsetAlignment");
    if (w.data.size != VK_WHOLE_SIZE && w.data.size < w.totalBytes())
        return Status::failure("matVecExperts: the weight buffer range is smaller than its experts' matrices");
    const GgmlTypeInfo info = ggmlTypeInfo(w.type);
    // Bindings start on multiples of `granule`: aligned for Vulkan, and whole blocks so that the kernel can
    // address the first expert in blocks (float rows in groups of 8 elements, read 16 bytes at a time).
    const uint64_t unitBytes = uint64_t(info.typeSize) * (info.blockSize == 1 ? 8 : 1);
    const uint64_t granule = std::lcm(alignment, unitBytes);
    std::vector<ExpertChunk> chunks;
    for (uint32_t first = 0; first < nExperts;) {
        const uint64_t start = uint64_t(first) * expertBytes;
        const uint64_t lead = start % granule;
        const uint64_t fitting = lead < maxBindingBytes ? (maxBindingBytes - lead) / expertBytes : 0;
        if (fitting == 0)
            return Status::failure("matVecExperts: expert " + std::to_string(first) + "'s matrix of " +
                                   std::to_string(expertBytes) + " bytes plus " + std::to_string(lead) +
                                   " bytes of alignment exceeds the largest storage binding (" +
                                   std::to_string(maxBindingBytes) + " bytes) of this GPU");
        const auto experts = static_cast<uint32_t>(std::min<uint64_t>(fitting, nExperts - first));
        const vk::BufferRange binding{w.data.buffer, w.data.offset + start - lead, lead + experts * expertBytes};
        chunks.push_back({first, experts, binding, static_cast<uint32_t>(lead / info.typeSize)});
        first += experts;
    }
    return chunks;
}

Status matVecExpertsTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w,
                          uint32_t nExperts, vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX,
                          vk::BufferRange x, vk::BufferRange y, const MatVecTuning& tuning)
{
    const vk::VulkanContext& context = kernels.context();
    const std::optional<std::string> suffix = weightShaderSuffix(w.type);
    if (!suffix)
        return Status::failure("matVecExperts: no kernel for weight type " + std::string(ggmlTypeName(w.type)));
    if (nExperts == 0 || w.rows == 0 || w.rows % nExperts != 0)
        return Status::failure("matVecExperts: " + std::to_string(w.rows) + " weight rows are not " +
                               std::to_string(nExperts) + " equal expert matrices");
    if (w.rowBytes() == 0)
        return Status::failure("matVecExperts: " + std::to_string(w.cols) + " columns are not whole blocks of " +
                               std::string(ggmlTypeName(w.type)));
    if (pairsPerX == 0)
        return Status::failure("matVecExperts: pairsPerX must be at least 1");
    if (nPairs == 0)
        return {};
    const uint64_t maxBindingBytes =
        tuning.maxBindingBytes ? tuning.maxBindingBytes : context.limits().maxStorageBufferRange;
    Result<std::vector<ExpertChunk>> chunks =
        planExpertChunks(w, nExperts, maxBindingBytes, storageOffsetAlignment(context));
    if (!chunks)
        return chunks.status();
    Result<MatVecShape> shape = chooseMatVecShape(context, tuning);
    if (!shape)
        return Status::failure("matVecExperts: " + shape.message());

    const bool subgroups = tuning.useSubgroups && context.limits().subgroupArithmetic;
    const std::string name = "matvec_experts_" + *suffix + (subgroups ? "_subgroup" : "");
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get(name, 4, sizeof(abi::MatVecExpertsPush), {shape->workgroup, shape->rowsPerGroup, 1});
    if (!pipeline)
        return pipeline.status();

    const uint32_t rows = w.rows / nExperts;  // per expert
    const uint32_t blocksPerRow = w.cols / ggmlTypeInfo(w.type).blockSize;
    const DispatchGrid grid = gridFor(rows, shape->rowsPerGroup, context.limits().maxWorkGroupCount[0]);
    const uint32_t maxPairs = context.limits().maxWorkGroupCount[2];
    for (uint32_t firstPair = 0; firstPair < nPairs; firstPair += maxPairs) {
        const uint32_t pairs = std::min(maxPairs, nPairs - firstPair);
        // Every chunk's dispatch visits every pair and computes those of its own experts; the rows of y they
        // write are disjoint, so no barrier is needed between them.
        for (const ExpertChunk& chunk : *chunks) {
            const abi::MatVecExpertsPush push{rows, w.cols, blocksPerRow, nExperts, pairsPerX, firstPair,
                                              chunk.firstExpert, chunk.firstExpert + chunk.experts, chunk.blockOffset};
            stream.dispatch(**pipeline, {chunk.binding, x, y, ids}, push, grid.x, grid.y, pairs);
        }
        // Each pair's expert rows are read once, whichever chunk holds them.
        stream.noteTraffic(uint64_t(pairs) * (rows * w.rowBytes() + 4ull * (w.cols + rows + 1)));
    }
    return {};
}

}  // namespace detail
}  // namespace vela::ops
