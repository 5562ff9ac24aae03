// Random test data for the weight kernels: normal weights put through the reference quantizer (so every
// field of a block varies), with the values the reference reads back.
#pragma once

#include "vela/ggml_type.h"

#include <cstdint>
#include <vector>

namespace vela::test {

struct RandomMatrix {
    std::vector<uint8_t> bytes;  // (rows, cols) in the weight type
    std::vector<float> dequant;  // (rows, cols) as the reference reads it
};

RandomMatrix randomMatrix(GgmlType type, int rows, int cols, uint32_t seed);
std::vector<float> randomVector(size_t n, uint32_t seed);

}  // namespace vela::test
