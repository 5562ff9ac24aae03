// Reference embedding lookup (ggml `get_rows`) from a table of any supported type.
// Reference: llama.cpp ggml-cpu ops.cpp `ggml_compute_forward_get_rows` (rows dequantized to float32).
#pragma once

#include "vela/ggml_type.h"

#include <cstdint>

namespace vela::ref {

// table: (nRows, rowLength) in `type`; ids: (nIds), each in [0, nRows) (checked by the caller);
// out: (nIds, rowLength) float32.
void getRows(GgmlType type, const uint8_t* table, int64_t rowLength, const int32_t* ids, int64_t nIds, float* out);

}  // namespace vela::ref
