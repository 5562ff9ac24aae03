// Reference quantizers (see quantize.h for what is exact and what is simplified).
// Reference: llama.cpp ggml/src/ggml-quants.c `quantize_row_q4_0_ref` … `quantize_row_q8_0_ref` for the
// legacy types; the K-quant packing is the inverse of ref/dequantize.cpp.
#include "ref/quantize.h"

#include "ref/quant_blocks.h"
#include "vela/half.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace vela::ref {

namespace {

template <class Block>
void storeBlock(uint8_t* dst, int64_t index, const Block& block)
{
    std::memcpy(dst + index * static_cast<int64_t>(sizeof(Block)), &block, sizeof(Block));
}

// The element with the largest magnitude, with its sign: symmetric types map it onto their most negative
// level so that the full range of levels is used.
float signedAbsMax(const float* x, int n)
{
    float best = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > std::fabs(best))
            best = x[i];
    }
    return best;
}

int nearestInt(float v)
{
    return static_cast<int>(std::lround(v));
}

// ---- legacy types: as ggml's *_ref quantizers ----

void quantizeQ4_0(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, x += kQk) {
        const float max = signedAbsMax(x, kQk);
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_0 block{};
        block.d = fp32ToFp16(d);
        for (int j = 0; j < kQk / 2; ++j) {
            // Truncation after +8.5 is ggml's rounding; the clamp catches the one value at +8.
            const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f)));
            const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>(x[j + kQk / 2] * id + 8.5f)));
            block.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
        storeBlock(dst, b, block);
    }
}

void quantizeQ4_1(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, x += kQk) {
        const float min = *std::min_element(x, x + kQk);
        const float max = *std::max_element(x, x + kQk);
        const float d = (max - min) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_1 block{};
        block.d = fp32ToFp16(d);
        block.m = fp32ToFp16(min);
        for (int j = 0; j < kQk / 2; ++j) {
            const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j] - min) * id + 0.5f)));
            const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j + kQk / 2] - min) * id + 0.5f)));
            block.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
        storeBlock(dst, b, block);
    }
}

void storeHighBits(uint32_t qh, uint8_t (&out)[4])
{
    for (int i = 0; i < 4; ++i)
        out[i] = static_cast<uint8_t>(qh >> (8 * i));
}

void quantizeQ5_0(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, x += kQk) {
        const float max = signedAbsMax(x, kQk);
        const float d = max / -16.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_0 block{};
        block.d = fp32ToFp16(d);
        uint32_t qh = 0;
        for (int j = 0; j < kQk / 2; ++j) {
            const int q0 = std::min(31, static_cast<int>(static_cast<int8_t>(x[j] * id + 16.5f)));
            const int q1 = std::min(31, static_cast<int>(static_cast<int8_t>(x[j + kQk / 2] * id + 16.5f)));
            block.qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
            qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
            qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + kQk / 2);
        }
        storeHighBits(qh, block.qh);
        storeBlock(dst, b, block);
    }
}

void quantizeQ5_1(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, x += kQk) {
        const float min = *std::min_element(x, x + kQk);
        const float max = *std::max_element(x, x + kQk);
        const float d = (max - min) / 31.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_1 block{};
        block.d = fp32ToFp16(d);
        block.m = fp32ToFp16(min);
        uint32_t qh = 0;
        for (int j = 0; j < kQk / 2; ++j) {
            const int q0 = std::min(31, static_cast<int>(static_cast<uint8_t>((x[j] - min) * id + 0.5f)));
            const int q1 = std::min(31, static_cast<int>(static_cast<uint8_t>((x[j + kQk / 2] - min) * id + 0.5f)));
            block.qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
            qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
            qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + kQk / 2);
        }
        storeHighBits(qh, block.qh);
        storeBlock(dst, b, block);
    }
}

void quantizeQ8_0(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQk; ++b, x += kQk) {
        float amax = 0.0f;
        for (int j = 0; j < kQk; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ8_0 block{};
        block.d = fp32ToFp16(d);
        for (int j = 0; j < kQk; ++j)
            block.qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
        storeBlock(dst, b, block);
    }
}

// ---- K-quants: min/max fit per sub-block, then the sub-block scales quantized against the super-block's ----

// Affine fit x ≈ scale·q − min of each sub-block (q in 0..levels), then 6- or 4-bit codes for scale and min
// relative to the super-block's d and dmin. Outputs the codes and the fp16-rounded d / dmin.
struct AffineFit {
    uint16_t d = 0;
    uint16_t dmin = 0;
    int scaleCodes[16] = {};
    int minCodes[16] = {};
};

AffineFit fitAffine(const float* x, int subBlocks, int subSize, int levels, int codeMax)
{
    float scales[16], mins[16];
    float maxScale = 0.0f, maxMin = 0.0f;
    for (int s = 0; s < subBlocks; ++s) {
        const float* sub = x + s * subSize;
        const float lo = std::min(0.0f, *std::min_element(sub, sub + subSize));  // min ≤ 0: stored as −min ≥ 0
        const float hi = *std::max_element(sub, sub + subSize);
        scales[s] = (hi - lo) / static_cast<float>(levels);
        mins[s] = -lo;
        maxScale = std::max(maxScale, scales[s]);
        maxMin = std::max(maxMin, mins[s]);
    }
    AffineFit fit;
    fit.d = fp32ToFp16(maxScale / static_cast<float>(codeMax));
    fit.dmin = fp32ToFp16(maxMin / static_cast<float>(codeMax));
    const float d = fp16ToFp32(fit.d);
    const float dmin = fp16ToFp32(fit.dmin);
    for (int s = 0; s < subBlocks; ++s) {
        fit.scaleCodes[s] = d > 0.0f ? std::clamp(nearestInt(scales[s] / d), 0, codeMax) : 0;
        fit.minCodes[s] = dmin > 0.0f ? std::clamp(nearestInt(mins[s] / dmin), 0, codeMax) : 0;
    }
    return fit;
}

// Levels 0..levels of each element given the fitted codes.
void quantizeAffine(const float* x, const AffineFit& fit, int subBlocks, int subSize, int levels, uint8_t* q)
{
    const float d = fp16ToFp32(fit.d);
    const float dmin = fp16ToFp32(fit.dmin);
    for (int s = 0; s < subBlocks; ++s) {
        const float ds = d * static_cast<float>(fit.scaleCodes[s]);
        const float dm = dmin * static_cast<float>(fit.minCodes[s]);
        for (int l = 0; l < subSize; ++l) {
            const int i = s * subSize + l;
            q[i] = static_cast<uint8_t>(ds > 0.0f ? std::clamp(nearestInt((x[i] + dm) / ds), 0, levels) : 0);
        }
    }
}

// Inverse of unpackScaleMinK4.
void packScaleMinK4(const AffineFit& fit, uint8_t (&packed)[kKScaleBytes])
{
    std::memset(packed, 0, sizeof(packed));
    for (int j = 0; j < 8; ++j) {
        const int scale = fit.scaleCodes[j];
        const int min = fit.minCodes[j];
        if (j < 4) {
            packed[j] |= static_cast<uint8_t>(scale);
            packed[j + 4] |= static_cast<uint8_t>(min);
        } else {
            packed[j + 4] = static_cast<uint8_t>((scale & 0xF) | ((min & 0xF) << 4));
            packed[j - 4] |= static_cast<uint8_t>((scale >> 4) << 6);
            packed[j] |= static_cast<uint8_t>((min >> 4) << 6);
        }
    }
}

void quantizeQ2_K(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b, x += kQkK) {
        const AffineFit fit = fitAffine(x, 16, 16, 3, 15);
        uint8_t q[kQkK];
        quantizeAffine(x, fit, 16, 16, 3, q);
        BlockQ2_K block{};
        block.d = fit.d;
        block.dmin = fit.dmin;
        for (int s = 0; s < 16; ++s)
            block.scales[s] = static_cast<uint8_t>(fit.scaleCodes[s] | (fit.minCodes[s] << 4));
        for (int i = 0; i < kQkK; ++i) {  // element 128·h + 32·k + l → bits 2k of qs[32·h + l]
            const int half = i / 128, k = (i % 128) / 32, l = i % 32;
            block.qs[32 * half + l] |= static_cast<uint8_t>(q[i] << (2 * k));
        }
        storeBlock(dst, b, block);
    }
}

void quantizeQ4_K(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b, x += kQkK) {
        const AffineFit fit = fitAffine(x, 8, 32, 15, 63);
        uint8_t q[kQkK];
        quantizeAffine(x, fit, 8, 32, 15, q);
        BlockQ4_K block{};
        block.d = fit.d;
        block.dmin = fit.dmin;
        packScaleMinK4(fit, block.scales);
        for (int step = 0; step < 4; ++step) {
            for (int l = 0; l < 32; ++l)
                block.qs[32 * step + l] = static_cast<uint8_t>(q[64 * step + l] | (q[64 * step + 32 + l] << 4));
        }
        storeBlock(dst, b, block);
    }
}

void quantizeQ5_K(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b, x += kQkK) {
        const AffineFit fit = fitAffine(x, 8, 32, 31, 63);
        uint8_t q[kQkK];
        quantizeAffine(x, fit, 8, 32, 31, q);
        BlockQ5_K block{};
        block.d = fit.d;
        block.dmin = fit.dmin;
        packScaleMinK4(fit, block.scales);
        for (int step = 0; step < 4; ++step) {
            for (int l = 0; l < 32; ++l) {
                const int lo = q[64 * step + l], hi = q[64 * step + 32 + l];
                block.qs[32 * step + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
                block.qh[l] |= static_cast<uint8_t>(((lo >> 4) << (2 * step)) | ((hi >> 4) << (2 * step + 1)));
            }
        }
        storeBlock(dst, b, block);
    }
}

// Symmetric fit of 16 sub-blocks of 16: each sub-block's signed scale maps its largest-magnitude element
// onto level −levelsBelow; the scales are coded as integers in [codeMin, codeMax] against d.
struct SymmetricFit {
    uint16_t d = 0;
    int scaleCodes[16] = {};
};

SymmetricFit fitSymmetric(const float* x, int levelsBelow, int codeMin, int codeMax)
{
    float scales[16];
    float maxScale = 0.0f;
    for (int s = 0; s < 16; ++s) {
        scales[s] = signedAbsMax(x + 16 * s, 16) / static_cast<float>(-levelsBelow);
        if (std::fabs(scales[s]) > std::fabs(maxScale))
            maxScale = scales[s];
    }
    SymmetricFit fit;
    fit.d = fp32ToFp16(maxScale / static_cast<float>(codeMin));  // the largest scale gets the code codeMin
    const float d = fp16ToFp32(fit.d);
    for (int s = 0; s < 16; ++s)
        fit.scaleCodes[s] = d != 0.0f ? std::clamp(nearestInt(scales[s] / d), codeMin, codeMax) : 0;
    return fit;
}

// Levels shifted to be non-negative: q + levelsBelow in 0..levelsBelow+levelsAbove.
void quantizeSymmetric(const float* x, const SymmetricFit& fit, int levelsBelow, int levelsAbove, uint8_t* q)
{
    const float d = fp16ToFp32(fit.d);
    for (int i = 0; i < kQkK; ++i) {
        const float ds = d * static_cast<float>(fit.scaleCodes[i / 16]);
        const int level = ds != 0.0f ? std::clamp(nearestInt(x[i] / ds), -levelsBelow, levelsAbove) : 0;
        q[i] = static_cast<uint8_t>(level + levelsBelow);
    }
}

// Inverse of the Q3_K scale unpacking in dequantize.cpp.
void packQ3KScales(const int (&codes)[16], uint8_t (&packed)[12])
{
    std::memset(packed, 0, sizeof(packed));
    for (int j = 0; j < 16; ++j) {
        const int value = codes[j] + 32;
        const int i = j % 4, group = j / 4;
        packed[(group & 1) * 4 + i] |= static_cast<uint8_t>((value & 0xF) << (4 * (group >> 1)));
        packed[8 + i] |= static_cast<uint8_t>((value >> 4) << (2 * group));
    }
}

void quantizeQ3_K(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b, x += kQkK) {
        const SymmetricFit fit = fitSymmetric(x, 4, -32, 31);
        uint8_t q[kQkK];
        quantizeSymmetric(x, fit, 4, 3, q);
        BlockQ3_K block{};
        block.d = fit.d;
        packQ3KScales(fit.scaleCodes, block.scales);
        for (int i = 0; i < kQkK; ++i) {
            const int half = i / 128, k = (i % 128) / 32, l = i % 32;
            if (q[i] > 3)
                block.hmask[l] |= static_cast<uint8_t>(1u << (i / 32));  // set bit: no "−4"
            block.qs[32 * half + l] |= static_cast<uint8_t>((q[i] & 3) << (2 * k));
        }
        storeBlock(dst, b, block);
    }
}

void quantizeQ6_K(const float* x, uint8_t* dst, int64_t n)
{
    for (int64_t b = 0; b < n / kQkK; ++b, x += kQkK) {
        const SymmetricFit fit = fitSymmetric(x, 32, -128, 127);
        uint8_t q[kQkK];
        quantizeSymmetric(x, fit, 32, 31, q);
        BlockQ6_K block{};
        block.d = fit.d;
        for (int s = 0; s < 16; ++s)
            block.scales[s] = static_cast<int8_t>(fit.scaleCodes[s]);
        for (int i = 0; i < kQkK; ++i) {
            const int half = i / 128, k = (i % 128) / 32, l = i % 32;
            block.ql[64 * half + l + 32 * (k & 1)] |= static_cast<uint8_t>((q[i] & 0xF) << (4 * (k >> 1)));
            block.qh[32 * half + l] |= static_cast<uint8_t>((q[i] >> 4) << (2 * k));
        }
        storeBlock(dst, b, block);
    }
}

void convertToHalf(const float* x, uint8_t* dst, int64_t n, uint16_t (*convert)(float))
{
    for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = convert(x[i]);
        std::memcpy(dst + 2 * i, &h, 2);
    }
}

}  // namespace

void quantizeRow(GgmlType type, const float* src, uint8_t* dst, int64_t n)
{
    assert(isSupportedWeightType(type));
    assert(n % ggmlTypeInfo(type).blockSize == 0);
    switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float)); return;
    case GgmlType::F16: convertToHalf(src, dst, n, fp32ToFp16); return;
    case GgmlType::BF16: convertToHalf(src, dst, n, fp32ToBf16); return;
    case GgmlType::Q4_0: quantizeQ4_0(src, dst, n); return;
    case GgmlType::Q4_1: quantizeQ4_1(src, dst, n); return;
    case GgmlType::Q5_0: quantizeQ5_0(src, dst, n); return;
    case GgmlType::Q5_1: quantizeQ5_1(src, dst, n); return;
    case GgmlType::Q8_0: quantizeQ8_0(src, dst, n); return;
    case GgmlType::Q2_K: quantizeQ2_K(src, dst, n); return;
    case GgmlType::Q3_K: quantizeQ3_K(src, dst, n); return;
    case GgmlType::Q4_K: quantizeQ4_K(src, dst, n); return;
    case GgmlType::Q5_K: quantizeQ5_K(src, dst, n); return;
    case GgmlType::Q6_K: quantizeQ6_K(src, dst, n); return;
    default: return;
    }
}

}  // namespace vela::ref
