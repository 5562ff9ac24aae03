// Random tensor data for synthetic models: normal floats (F32/F16/BF16) and valid random quantized blocks.
// Block layouts follow ggml (ggml/src/ggml-common.h: block_q4_0 … block_q6_K).
#pragma once

#include "vela/ggml_type.h"
#include "vela/status.h"

#include <cstdint>
#include <span>

namespace vela::synth {

// xoshiro256** seeded through splitmix64 from (seed, stream): every tensor gets its own stream, so a
// tensor's data does not depend on which tensors were drawn before it. Portable and fast; not std::
// distributions, whose output differs between standard libraries.
class Random {
public:
    Random(uint64_t seed, uint64_t stream);
    uint64_t next();
    double uniform();  // [0, 1)
    float normal();    // N(0, 1)
    uint32_t below(uint32_t n) { return static_cast<uint32_t>((next() >> 32) * n >> 32); }  // [0, n)

private:
    uint64_t m_s[4];
    float m_spare = 0;
    bool m_hasSpare = false;
};

// Fills `bytes` (a whole number of `type` blocks) with values ~ mean + N(0, sigma). Float types draw exactly
// that; quantized types get random quants with scale fields chosen so the dequantized values have mean ~0 and
// spread ~sigma (`mean` must then be 0), every f16 field finite and normal.
Status fillRandom(GgmlType type, float mean, float sigma, Random& random, std::span<uint8_t> bytes);

}  // namespace vela::synth
