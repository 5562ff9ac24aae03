// Reference quantization of float32 rows into ggml block formats, to make quantized test data for kernels.
// Reference: llama.cpp ggml/src/ggml-quants.c `quantize_row_*_ref`. The legacy types (Q4_0, Q4_1, Q5_0,
// Q5_1, Q8_0) follow ggml's reference quantizers exactly; the K-quants use a plain min/max fit per sub-block
// instead of ggml's iterative search, so their bytes differ from llama-quantize's while the format (and
// therefore dequantizeRow) is the same. That is enough for kernels, which must only agree with dequantizeRow.
#pragma once

#include "vela/ggml_type.h"

#include <cstdint>

namespace vela::ref {


// Writes `n` elements of `src` as n / blockSize blocks of `type` to `dst` (ggmlRowBytes(type, n) bytes).
// Preconditions: isSupportedWeightType(type) (vela/ggml_type.h), n a multiple of the type's block size, finite inputs.
void quantizeRow(GgmlType type, const float* src, uint8_t* dst, int64_t n);

}  // namespace vela::ref
