#include "support/random_weights.h"

#include "ref/dequantize.h"
#include "ref/quantize.h"

#include <random>

namespace vela::test {

RandomMatrix randomMatrix(GgmlType type, int rows, int cols, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist;
    const uint64_t rowBytes = *ggmlRowBytes(type, cols);
    RandomMatrix m{std::vector<uint8_t>(rowBytes * rows), std::vector<float>(size_t(rows) * cols)};
    std::vector<float> row(cols);
    for (int r = 0; r < rows; ++r) {
        for (float& v : row)
            v = dist(rng);
        ref::quantizeRow(type, row.data(), m.bytes.data() + rowBytes * r, cols);
        ref::dequantizeRow(type, m.bytes.data() + rowBytes * r, m.dequant.data() + size_t(r) * cols, cols);
    }
    return m;
}

std::vector<float> randomVector(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist;
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

}  // namespace vela::test
