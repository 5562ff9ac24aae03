// Reference dequantization, one function per block layout (see quant_blocks.h).
// Reference: llama.cpp ggml/src/ggml-quants.c `dequantize_row_q4_0` … `dequantize_row_q6_K`; the element
// order inside each block follows those functions exactly, since kernels and files depend on it.
#include "ref/dequantize.h"

#include "ref/quant_blocks.h"
#include "vela/half.h"

#include <cassert>
#include <cstring>

namespace vela::ref {

namespace {

// Blocks are read through memcpy: tensor data in a mapped file has no alignment guarantee.
template <class Block>
Block loadBlock(const uint8_t* src, int64_t index)
{
    Block block;
    std::memcpy(&block, src + index * static_cast<int64_t>(sizeof(Block)), sizeof(Block));
    return block;
}

void dequantizeF16(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        dst[i] = fp16ToFp32(h);
    }
}

void dequantizeBf16(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        uint16_t b;
        std::memcpy(&b, src + 2 * i, 2);
        dst[i] = bf16ToFp32(b);
    }
}

void dequantizeQ4_0(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, dst += kQk) {
        const auto block = loadBlock<BlockQ4_0>(src, b);
        const float d = fp16ToFp32(block.d);
        for (int j = 0; j < kQk / 2; ++j) {
            dst[j] = static_cast<float>((block.qs[j] & 0xF) - 8) * d;
            dst[j + kQk / 2] = static_cast<float>((block.qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantizeQ4_1(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, dst += kQk) {
        const auto block = loadBlock<BlockQ4_1>(src, b);
        const float d = fp16ToFp32(block.d);
        const float m = fp16ToFp32(block.m);
        for (int j = 0; j < kQk / 2; ++j) {
            dst[j] = static_cast<float>(block.qs[j] & 0xF) * d + m;
            dst[j + kQk / 2] = static_cast<float>(block.qs[j] >> 4) * d + m;
        }
    }
}

uint32_t loadHighBits(const uint8_t (&qh)[4])
{
    return static_cast<uint32_t>(qh[0]) | (static_cast<uint32_t>(qh[1]) << 8) |
           (static_cast<uint32_t>(qh[2]) << 16) | (static_cast<uint32_t>(qh[3]) << 24);
}

void dequantizeQ5_0(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, dst += kQk) {
        const auto block = loadBlock<BlockQ5_0>(src, b);
        const float d = fp16ToFp32(block.d);
        const uint32_t qh = loadHighBits(block.qh);
        for (int j = 0; j < kQk / 2; ++j) {
            const int high0 = ((qh >> j) & 1) << 4;
            const int high1 = ((qh >> (j + 16)) & 1) << 4;
            dst[j] = static_cast<float>(((block.qs[j] & 0xF) | high0) - 16) * d;
            dst[j + kQk / 2] = static_cast<float>(((block.qs[j] >> 4) | high1) - 16) * d;
        }
    }
}

void dequantizeQ5_1(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, dst += kQk) {
        const auto block = loadBlock<BlockQ5_1>(src, b);
        const float d = fp16ToFp32(block.d);
        const float m = fp16ToFp32(block.m);
        const uint32_t qh = loadHighBits(block.qh);
        for (int j = 0; j < kQk / 2; ++j) {
            const int high0 = ((qh >> j) & 1) << 4;
            const int high1 = ((qh >> (j + 16)) & 1) << 4;
            dst[j] = static_cast<float>((block.qs[j] & 0xF) | high0) * d + m;
            dst[j + kQk / 2] = static_cast<float>((block.qs[j] >> 4) | high1) * d + m;
        }
    }
}

void dequantizeQ8_0(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, dst += kQk) {
        const auto block = loadBlock<BlockQ8_0>(src, b);
        const float d = fp16ToFp32(block.d);
        for (int j = 0; j < kQk; ++j)
            dst[j] = static_cast<float>(block.qs[j]) * d;
    }
}

// Each 128-element half of the super-block uses 32 bytes of qs; bit pair `shift` of byte l holds element
// 32·(shift/2) + l of that half.
void dequantizeQ2_K(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b) {
        const auto block = loadBlock<BlockQ2_K>(src, b);
        const float d = fp16ToFp32(block.d);
        const float dmin = fp16ToFp32(block.dmin);
        int sub = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* q = block.qs + 32 * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; ++part, ++sub) {
                    const float scale = d * static_cast<float>(block.scales[sub] & 0xF);
                    const float min = dmin * static_cast<float>(block.scales[sub] >> 4);
                    for (int l = 0; l < 16; ++l)
                        *dst++ = scale * static_cast<float>((q[l + 16 * part] >> shift) & 3) - min;
                }
            }
        }
    }
}

// The 16 signed 6-bit scales of a Q3_K block: low 4 bits in bytes 0..7 (two per byte), top 2 bits in
// bytes 8..11 (four per byte).
void unpackQ3KScales(const uint8_t (&packed)[12], int (&scales)[16])
{
    for (int j = 0; j < 16; ++j) {
        const int i = j % 4;
        const int group = j / 4;
        const int low = (packed[(group & 1) * 4 + i] >> (4 * (group >> 1))) & 0xF;
        const int high = (packed[8 + i] >> (2 * group)) & 3;
        scales[j] = (low | (high << 4)) - 32;
    }
}

// Element e of the block has its third bit at bit e/32 of hmask[e % 32]; a clear bit means "subtract 4".
void dequantizeQ3_K(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b) {
        const auto block = loadBlock<BlockQ3_K>(src, b);
        const float d = fp16ToFp32(block.d);
        int scales[16];
        unpackQ3KScales(block.scales, scales);
        int sub = 0;
        uint8_t highBit = 1;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* q = block.qs + 32 * half;
            for (int shift = 0; shift < 8; shift += 2, highBit = static_cast<uint8_t>(highBit << 1)) {
                for (int part = 0; part < 2; ++part, ++sub) {
                    const float scale = d * static_cast<float>(scales[sub]);
                    for (int l = 16 * part; l < 16 * part + 16; ++l) {
                        const int low = (q[l] >> shift) & 3;
                        const int value = low - ((block.hmask[l] & highBit) ? 0 : 4);
                        *dst++ = scale * static_cast<float>(value);
                    }
                }
            }
        }
    }
}

// 64 elements per step: 32 low nibbles (sub-block 2k) then the 32 high nibbles (sub-block 2k+1) of qs.
void dequantizeQ4_K(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b) {
        const auto block = loadBlock<BlockQ4_K>(src, b);
        const float d = fp16ToFp32(block.d);
        const float dmin = fp16ToFp32(block.dmin);
        for (int step = 0; step < 4; ++step) {
            const uint8_t* q = block.qs + 32 * step;
            for (int nibble = 0; nibble < 2; ++nibble) {
                uint8_t scale, min;
                unpackScaleMinK4(2 * step + nibble, block.scales, scale, min);
                const float ds = d * scale;
                const float dm = dmin * min;
                for (int l = 0; l < 32; ++l)
                    *dst++ = ds * static_cast<float>((q[l] >> (4 * nibble)) & 0xF) - dm;
            }
        }
    }
}

// As Q4_K; the fifth bit of element l of sub-block s is bit s of qh[l].
void dequantizeQ5_K(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b) {
        const auto block = loadBlock<BlockQ5_K>(src, b);
        const float d = fp16ToFp32(block.d);
        const float dmin = fp16ToFp32(block.dmin);
        for (int step = 0; step < 4; ++step) {
            const uint8_t* q = block.qs + 32 * step;
            for (int nibble = 0; nibble < 2; ++nibble) {
                const int sub = 2 * step + nibble;
                uint8_t scale, min;
                unpackScaleMinK4(sub, block.scales, scale, min);
                const float ds = d * scale;
                const float dm = dmin * min;
                for (int l = 0; l < 32; ++l) {
                    const int low = (q[l] >> (4 * nibble)) & 0xF;
                    const int high = ((block.qh[l] >> sub) & 1) << 4;
                    *dst++ = ds * static_cast<float>(low | high) - dm;
                }
            }
        }
    }
}

// Per 128-element half: ql[0..63] and qh[0..31] of that half; element 32·k + l (k = 0..3) takes the low
// (k < 2) or high (k ≥ 2) nibble of ql[l + 32·(k & 1)] and bits 2k..2k+1 of qh[l].
void dequantizeQ6_K(const uint8_t* src, float* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b) {
        const auto block = loadBlock<BlockQ6_K>(src, b);
        const float d = fp16ToFp32(block.d);
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = block.ql + 64 * half;
            const uint8_t* qh = block.qh + 32 * half;
            const int8_t* scales = block.scales + 8 * half;
            for (int k = 0; k < 4; ++k) {
                for (int l = 0; l < 32; ++l) {
                    const int low = (ql[l + 32 * (k & 1)] >> (4 * (k >> 1))) & 0xF;
                    const int high = (qh[l] >> (2 * k)) & 3;
                    const int q = (low | (high << 4)) - 32;
                    dst[32 * k + l] = d * static_cast<float>(scales[l / 16 + 2 * k]) * static_cast<float>(q);
                }
            }
            dst += 128;
        }
    }
}

}  // namespace

void dequantizeRow(GgmlType type, const uint8_t* src, float* dst, int64_t n)
{
    assert(isSupportedWeightType(type));
    assert(n % ggmlTypeInfo(type).blockSize == 0);
    switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float)); return;
    case GgmlType::F16: dequantizeF16(src, dst, n); return;
    case GgmlType::BF16: dequantizeBf16(src, dst, n); return;
    case GgmlType::Q4_0: dequantizeQ4_0(src, dst, n); return;
    case GgmlType::Q4_1: dequantizeQ4_1(src, dst, n); return;
    case GgmlType::Q5_0: dequantizeQ5_0(src, dst, n); return;
    case GgmlType::Q5_1: dequantizeQ5_1(src, dst, n); return;
    case GgmlType::Q8_0: dequantizeQ8_0(src, dst, n); return;
    case GgmlType::Q2_K: dequantizeQ2_K(src, dst, n); return;
    case GgmlType::Q3_K: dequantizeQ3_K(src, dst, n); return;
    case GgmlType::Q4_K: dequantizeQ4_K(src, dst, n); return;
    case GgmlType::Q5_K: dequantizeQ5_K(src, dst, n); return;
    case GgmlType::Q6_K: dequantizeQ6_K(src, dst, n); return;
    default: return;
    }
}

}  // namespace vela::ref
