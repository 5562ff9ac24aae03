// A weight matrix on the device as the kernels see it: `rows` rows of `cols` elements of `type`, in ggml's
// layout (each row a whole number of blocks, rows contiguous, row r at byte r * rowBytes()).
#pragma once

#include "vk/buffer.h"

#include "vela/ggml_type.h"

#include <cstdint>

namespace vela::ops {

struct WeightView {
    vk::BufferRange data;  // (rows, cols) of `type`; may exceed maxStorageBufferRange (ops split it into row chunks)
    GgmlType type = GgmlType::F32;
    uint32_t rows = 0;
    uint32_t cols = 0;

    // Bytes of one row; 0 when `cols` is not a whole number of blocks of `type`.
    uint64_t rowBytes() const { return ggmlRowBytes(type, cols).value_or(0); }
    uint64_t totalBytes() const { return rowBytes() * rows; }
};

}  // namespace vela::ops
