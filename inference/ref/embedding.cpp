// Reference get_rows. Reference: llama.cpp ggml-cpu ops.cpp `ggml_compute_forward_get_rows`.
#include "ref/embedding.h"

#include "ref/dequantize.h"

namespace vela::ref {

void getRows(GgmlType type, const uint8_t* table, int64_t rowLength, const int32_t* ids, int64_t nIds, float* out)
{
    const auto rowBytes = static_cast<int64_t>(ggmlRowBytes(type, static_cast<uint64_t>(rowLength)).value_or(0));
    for (int64_t i = 0; i < nIds; ++i)
        dequantizeRow(type, table + ids[i] * rowBytes, out + i * rowLength, rowLength);
}

}  // namespace vela::ref
