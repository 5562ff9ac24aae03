// Reference y = W·x: dequantize one weight row at a time, then dot it with every activation column.
// Reference: ggml `ggml_mul_mat` (llama.cpp ggml/src/ggml.c) for the shapes; see matmul.h for the numerics.
#include "ref/matmul.h"

#include "ref/dequantize.h"

#include <vector>

namespace vela::ref {

float dot(const float* a, const float* b, int64_t n)
{
    // Eight independent partial sums: vectorizable and closer to how the optimized kernels sum.
    float lanes[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; ++l)
            lanes[l] += a[i + l] * b[i + l];
    }
    for (; i < n; ++i)
        lanes[i % 8] += a[i] * b[i];
    return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

void matmul(GgmlType type, const uint8_t* w, int64_t rows, int64_t cols, const float* x, int64_t nTokens, float* y)
{
    const int64_t rowBytes = static_cast<int64_t>(ggmlRowBytes(type, static_cast<uint64_t>(cols)).value_or(0));
    std::vector<float> row(static_cast<size_t>(cols));  // (cols)
    for (int64_t r = 0; r < rows; ++r) {
        dequantizeRow(type, w + r * rowBytes, row.data(), cols);
        for (int64_t t = 0; t < nTokens; ++t)
            y[t * rows + r] = dot(row.data(), x + t * cols, cols);
    }
}

}  // namespace vela::ref
