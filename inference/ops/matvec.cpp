#include "ops/matvec.h"

#include "ops/dispatch_grid.h"
#include "ops/weight_chunks.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>
#include <bit>

namespace vela::ops {
namespace {

// lavapipe runs a workgroup as one SIMD loop on one core: one subgroup per workgroup and several rows beat
// wide workgroups (research notes §4: 0.8 vs 0.3 GB/s). GPUs want enough threads per row to keep many loads in
// flight; ggml-vulkan uses 1–2 rows per workgroup of 1–4 subgroups. Not tuned on a GPU yet.
detail::MatVecShape chooseShape(const vk::VulkanContext& context)
{
    const uint32_t subgroup = std::bit_ceil(std::max<uint32_t>(context.limits().subgroupSize, 1));
    if (context.description().kind == DeviceKind::Cpu)
        return {std::max<uint32_t>(subgroup, 8), 4};
    return {std::max<uint32_t>(subgroup, 64), 2};
}

}  // namespace

Status matVec(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
              vk::BufferRange y, uint32_t nColumns)
{
    return detail::matVecTuned(kernels, stream, w, x, y, nColumns, {});
}

namespace detail {

Result<MatVecShape> chooseMatVecShape(const vk::VulkanContext& context, const MatVecTuning& tuning)
{
    MatVecShape shape = chooseShape(context);
    if (tuning.workgroup)
        shape.workgroup = tuning.workgroup;
    if (tuning.rowsPerGroup)
        shape.rowsPerGroup = tuning.rowsPerGroup;
    if (!std::has_single_bit(shape.workgroup) || shape.workgroup > context.limits().maxWorkGroupInvocations)
        return Status::failure("workgroup size must be a power of two within the device limit");
    return shape;
}

Status matVecTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
                   vk::BufferRange y, uint32_t nColumns, const MatVecTuning& tuning)
{
    const vk::VulkanContext& context = kernels.context();
    const std::optional<std::string> suffix = weightShaderSuffix(w.type);
    if (!suffix)
        return Status::failure("matVec: no kernel for weight type " + std::string(ggmlTypeName(w.type)));
    if (nColumns == 0)
        return Status::failure("matVec: no columns");
    const uint64_t maxBindingBytes =
        tuning.maxBindingBytes ? tuning.maxBindingBytes : context.limits().maxStorageBufferRange;
    Result<RowChunking> chunking = planRowChunks(w, maxBindingBytes, storageOffsetAlignment(context));
    if (!chunking)
        return Status::failure("matVec: " + chunking.message());

    Result<MatVecShape> chosen = chooseMatVecShape(context, tuning);
    if (!chosen)
        return Status::failure("matVec: " + chosen.message());
    const MatVecShape shape = *chosen;
    const bool subgroups = tuning.useSubgroups && context.limits().subgroupArithmetic;
    const std::string name = "matvec_" + *suffix + (subgroups ? "_subgroup" : "");
    const uint32_t blocksPerRow = w.cols / ggmlTypeInfo(w.type).blockSize;
    for (uint32_t firstColumn = 0; firstColumn < nColumns; firstColumn += VELA_MATVEC_MAX_COLUMNS) {
        const uint32_t columns = std::min<uint32_t>(nColumns - firstColumn, VELA_MATVEC_MAX_COLUMNS);
        Result<const vk::ComputePipeline*> pipeline = kernels.get(
            name, 3, sizeof(abi::MatVecPush), {shape.workgroup, shape.rowsPerGroup, columns});
        if (!pipeline)
            return pipeline.status();
        for (uint32_t firstRow = 0; firstRow < w.rows; firstRow += chunking->rowsPerChunk) {
            const uint32_t rows = std::min(chunking->rowsPerChunk, w.rows - firstRow);
            const abi::MatVecPush push{rows,         w.cols, blocksPerRow, w.cols, w.rows, firstColumn * w.cols,
                                       firstColumn * w.rows + firstRow};
            const DispatchGrid grid = gridFor(rows, shape.rowsPerGroup, context.limits().maxWorkGroupCount[0]);
            stream.dispatch(**pipeline, {rowRange(w, *chunking, firstRow, rows), x, y}, push, grid.x, grid.y);
            stream.noteTraffic(uint64_t(rows) * w.rowBytes() + 4ull * columns * (w.cols + rows));
        }
    }
    return {};
}

}  // namespace detail
}  // namespace vela::ops
