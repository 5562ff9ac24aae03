#include "ops/matvec_experts.h"

#include "ops/dispatch_grid.h"
#include "ops/weight_chunks.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>

namespace vela::ops {

Status matVecExperts(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, uint32_t nExperts,
                     vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX, vk::BufferRange x,
                     vk::BufferRange y)
{
    return detail::matVecExpertsTuned(kernels, stream, w, nExperts, ids, nPairs, pairsPerX, x, y, {});
}

namespace detail {

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
    // The kernel indexes experts inside one binding; splitting a larger stack into per-expert bindings would
    // need one dispatch per expert group (later, for models whose expert tensors exceed the limit).
    const uint64_t maxBindingBytes =
        tuning.maxBindingBytes ? tuning.maxBindingBytes : context.limits().maxStorageBufferRange;
    if (w.totalBytes() > maxBindingBytes)
        return Status::failure("matVecExperts: the " + std::to_string(nExperts) + "-expert weight of " +
                               std::to_string(w.totalBytes()) + " bytes exceeds the largest storage binding (" +
                               std::to_string(maxBindingBytes) + " bytes); splitting across experts is not "
                               "implemented");
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
    const vk::BufferRange weight{w.data.buffer, w.data.offset, w.totalBytes()};
    const DispatchGrid grid = gridFor(rows, shape->rowsPerGroup, context.limits().maxWorkGroupCount[0]);
    const uint32_t maxPairs = context.limits().maxWorkGroupCount[2];
    for (uint32_t firstPair = 0; firstPair < nPairs; firstPair += maxPairs) {
        const uint32_t pairs = std::min(maxPairs, nPairs - firstPair);
        const abi::MatVecExpertsPush push{rows, w.cols, blocksPerRow, nExperts, pairsPerX, firstPair};
        stream.dispatch(**pipeline, {weight, x, y, ids}, push, grid.x, grid.y, pairs);
        stream.noteTraffic(uint64_t(pairs) * (rows * w.rowBytes() + 4ull * (w.cols + rows + 1)));
    }
    return {};
}

}  // namespace detail
}  // namespace vela::ops
