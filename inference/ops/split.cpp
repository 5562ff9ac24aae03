// Column-range copies out of fused projections. Reference: llama.cpp src/models/phi2.cpp and phi3.cpp, which
// take q, k, v (and Phi-3's gate, up) as strided views of one fused matmul output.
#include "ops/split.h"

#include "ops/dispatch_grid.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <string>

namespace vela::ops {

namespace {

std::string shapeText(uint32_t rows, uint32_t srcCols, uint32_t firstCol, uint32_t dstCols)
{
    return "(" + std::to_string(rows) + " × " + std::to_string(srcCols) + ", columns " + std::to_string(firstCol) +
           " + " + std::to_string(dstCols) + ")";
}

// Narrows `range` to exactly `floats` floats, so a large buffer can be bound as long as the matrix itself fits
// maxStorageBufferRange. Fails when the range is too short.
bool narrowTo(vk::BufferRange& range, uint64_t floats)
{
    const uint64_t bytes = floats * sizeof(float);
    const uint64_t available = range.size == VK_WHOLE_SIZE ? range.buffer->size() - range.offset : range.size;
    if (range.offset > range.buffer->size() || available < bytes)
        return false;
    range.size = bytes;
    return true;
}

}  // namespace

Status copyColumnsInto(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange src, uint32_t srcCols,
                       uint32_t srcFirstCol, const ColumnTarget& target, uint32_t width, uint32_t rows)
{
    const uint64_t srcFloats = uint64_t(rows) * srcCols;
    const uint64_t dstFloats = uint64_t(rows) * target.cols;
    const std::string shape = shapeText(rows, srcCols, srcFirstCol, width) + " → (" + std::to_string(rows) + " × " +
                              std::to_string(target.cols) + ", columns " + std::to_string(target.firstCol) + " + " +
                              std::to_string(width) + ")";
    if (rows == 0 || width == 0 || uint64_t(srcFirstCol) + width > srcCols ||
        uint64_t(target.firstCol) + width > target.cols || srcFloats > UINT32_MAX || dstFloats > UINT32_MAX)
        return Status::failure("copyColumns: unsupported shape " + shape);
    vk::BufferRange dst = target.buffer;
    if (!src.buffer || !dst.buffer || !narrowTo(src, srcFloats) || !narrowTo(dst, dstFloats))
        return Status::failure("copyColumns: buffer range too small for " + shape);
    const uint64_t maxBinding = kernels.context().limits().maxStorageBufferRange;
    if (src.size > maxBinding || dst.size > maxBinding)
        return Status::failure("copyColumns: a matrix exceeds maxStorageBufferRange " + shape + "; split the rows");
    Result<const vk::ComputePipeline*> pipeline = kernels.get("copy_columns", 2, sizeof(abi::CopyColumnsPush));
    if (!pipeline)
        return pipeline.status();
    const abi::CopyColumnsPush push{rows, srcCols, srcFirstCol, width, target.cols, target.firstCol};
    const DispatchGrid grid = gridFor(uint64_t(rows) * width, VELA_ELEMENTWISE_WORKGROUP,
                                      kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {src, dst}, push, grid.x, grid.y);
    return {};
}

Status copyColumns(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange src, uint32_t srcCols,
                   uint32_t firstCol, vk::BufferRange dst, uint32_t dstCols, uint32_t rows)
{
    return copyColumnsInto(kernels, stream, src, srcCols, firstCol, ColumnTarget{dst, dstCols, 0}, dstCols, rows);
}

}  // namespace vela::ops
