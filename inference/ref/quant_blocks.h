// Block layouts of the ggml quantization types, byte for byte as ggml-common.h defines them.
// Reference: llama.cpp ggml/src/ggml-common.h (block_q4_0 … block_q6_K). Each block covers kQk (32) or, for
// the K-quants, kQkK (256) consecutive elements of a row; fp16 fields are raw IEEE binary16 bits.
#pragma once

#include <cstdint>

namespace vela::ref {

inline constexpr int kQk = 32;    // elements per block of the legacy types (Q4_0 … Q8_0)
inline constexpr int kQkK = 256;  // elements per super-block of the K-quants
inline constexpr int kKScaleBytes = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

struct BlockQ4_0 {
    uint16_t d;            // scale
    uint8_t qs[kQk / 2];   // element j in the low nibble of qs[j], element j+16 in the high nibble
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4_1 {
    uint16_t d;  // scale
    uint16_t m;  // minimum
    uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ4_1) == 20);

struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];  // fifth bits: bit j of the little-endian uint32 belongs to element j
    uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ5_0) == 22);

struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kQk / 2];
};
static_assert(sizeof(BlockQ5_1) == 24);

struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kQk];
};
static_assert(sizeof(BlockQ8_0) == 34);

// 16 sub-blocks of 16: x = d·(scale & 15)·q − dmin·(scale >> 4), q in 0..3.
struct BlockQ2_K {
    uint8_t scales[kQkK / 16];
    uint8_t qs[kQkK / 4];
    uint16_t d;
    uint16_t dmin;
};
static_assert(sizeof(BlockQ2_K) == 84);

// 16 sub-blocks of 16: x = d·(scale − 32)·(q − 4·!highbit), 2 low bits in qs, the third in hmask,
// 6-bit scales packed into 12 bytes.
struct BlockQ3_K {
    uint8_t hmask[kQkK / 8];
    uint8_t qs[kQkK / 4];
    uint8_t scales[12];
    uint16_t d;
};
static_assert(sizeof(BlockQ3_K) == 110);

// 8 sub-blocks of 32: x = d·scale·q − dmin·min, q in 0..15, 6-bit scales and mins.
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qs[kQkK / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

// As Q4_K with a fifth bit per element in qh.
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qh[kQkK / 8];
    uint8_t qs[kQkK / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

// 16 sub-blocks of 16: x = d·scale·(q − 32), q 6 bits (4 in ql, 2 in qh), int8 scales.
struct BlockQ6_K {
    uint8_t ql[kQkK / 2];
    uint8_t qh[kQkK / 4];
    int8_t scales[kQkK / 16];
    uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210);

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K / Q5_K block: j < 4 sit in the low 6 bits of
// bytes j and j+4; j ≥ 4 keep their low 4 bits in byte j+4 and their top 2 bits in the spare bits above.
inline void unpackScaleMinK4(int j, const uint8_t* packed, uint8_t& scale, uint8_t& min)
{
    if (j < 4) {
        scale = packed[j] & 63;
        min = packed[j + 4] & 63;
    } else {
        scale = static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4));
        min = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
    }
}

}  // namespace vela::ref
