// Reference dequantization of ggml tensor rows into float32: the oracle every dequantizing kernel is
// tested against. Reference: llama.cpp ggml/src/ggml-quants.c (`dequantize_row_*`) and ggml-common.h.
#pragma once

#include "vela/ggml_type.h"

#include <cstdint>

namespace vela::ref {


// Converts `n` elements starting at `src` (n / blockSize whole blocks of `type`) into `dst` (n floats).
// Preconditions: isSupportedWeightType(type) (vela/ggml_type.h), n a multiple of the type's block size; unaligned `src` is fine.
void dequantizeRow(GgmlType type, const uint8_t* src, float* dst, int64_t n);

}  // namespace vela::ref
