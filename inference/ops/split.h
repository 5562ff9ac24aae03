// Column-range copies out of fused projections (shaders/copy_columns.comp). Records one dispatch; the caller
// adds the barrier before the result is read.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <cstdint>

namespace vela::ops {

// dst[r][c] = src[r][firstCol + c] for r < rows, c < dstCols; src (rows, srcCols) f32, dst (rows, dstCols) f32,
// both dense row-major. Splits a fused QKV output (rows, qDim + 2·kvDim) into q, k, v with firstCol 0, qDim,
// qDim + kvDim, or a fused gate|up output (rows, 2·ff) into gate and up. Needs firstCol + dstCols <= srcCols and
// rows · srcCols < 2^32; dst must not overlap src.
Status copyColumns(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange src, uint32_t srcCols,
                   uint32_t firstCol, vk::BufferRange dst, uint32_t dstCols, uint32_t rows);

// Where a column range lands in a wider matrix: dst is (rows, cols) and the copy fills columns firstCol …
// firstCol + width − 1 of each row, leaving the others as they were.
struct ColumnTarget {
    vk::BufferRange buffer;
    uint32_t cols = 0;
    uint32_t firstCol = 0;
};

// dst[r][target.firstCol + c] = src[r][srcFirstCol + c] for r < rows, c < width: joins pieces side by side,
// e.g. DeepSeek-V2's latent query and its rotary part into one attention row. Same limits as copyColumns.
Status copyColumnsInto(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange src, uint32_t srcCols,
                       uint32_t srcFirstCol, const ColumnTarget& target, uint32_t width, uint32_t rows);

}  // namespace vela::ops
