// Random tensor data for synthetic models.
// Block layouts and scale packing: llama.cpp ggml/src/ggml-common.h (block_*), ggml/src/ggml-quants.c
// (dequantize_row_* define what each field means). PRNG: xoshiro256** and splitmix64 (Blackman & Vigna,
// https://prng.di.unimi.it/). Normal deviates: Box–Muller.
//
// Quantized tensors are not quantized floats: every quant is uniform random and the scales are picked so
// that the dequantized values are centred on 0 with a standard deviation of about sigma. That keeps the
// writer fast for any type and still gives kernels every bit pattern of the quants to chew on.
#include "models/synthetic_weights.h"

#include "vela/half.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <string>

namespace vela::synth {
namespace {

uint64_t splitMix64(uint64_t& state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Standard deviation of a uniform integer on [0, levels).
double uniformLevelsSd(int levels)
{
    return std::sqrt((static_cast<double>(levels) * levels - 1.0) / 12.0);
}

void putHalf(uint8_t* at, float value)
{
    const uint16_t bits = fp32ToFp16(value);
    std::memcpy(at, &bits, sizeof bits);
}

// A scale multiplier in [0.75, 1.25), so blocks differ a little in magnitude, as real ones do.
float jitter(Random& random)
{
    return static_cast<float>(0.75 + 0.5 * random.uniform());
}

// ggml's own quantizers give Q4_0/Q5_0 scales of either sign (d = max / -8), so both are valid.
float randomSign(Random& random)
{
    return random.below(2) ? 1.0f : -1.0f;
}

// Qt code (seen after QCommandLineParser::parse) can return with the upper halves of the AVX registers
// dirty; every switch between our SSE code and glibc's AVX/FMA logf/sincosf then costs a state transition,
// which made the F16 fill 12x slower inside vela-cli (300 instead of 25 ns per value). One vzeroupper
// before the loop puts the state back to clean.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx"))) void zeroUpperAvx()
{
    __builtin_ia32_vzeroupper();
}

void clearUpperVectorState()
{
    if (__builtin_cpu_supports("avx"))
        zeroUpperAvx();
}
#else
void clearUpperVectorState() {}
#endif

void fillRandomBytes(Random& random, std::span<uint8_t> bytes)
{
    size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        const uint64_t r = random.next();
        std::memcpy(bytes.data() + i, &r, 8);
    }
    const uint64_t r = random.next();
    std::memcpy(bytes.data() + i, &r, bytes.size() - i);
}

// The 12-byte 6-bit scale/min packing of Q4_K and Q5_K (the inverse of ggml's get_scale_min_k4).
void packScalesMinsK4(uint8_t* out, const uint8_t scales[8], const uint8_t mins[8])
{
    std::memset(out, 0, 12);
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            out[j] = scales[j];
            out[j + 4] = mins[j];
        } else {
            out[j + 4] = static_cast<uint8_t>((scales[j] & 0xF) | ((mins[j] & 0xF) << 4));
            out[j - 4] |= static_cast<uint8_t>((scales[j] >> 4) << 6);
            out[j] |= static_cast<uint8_t>((mins[j] >> 4) << 6);
        }
    }
}

// The 12-byte packing of Q3_K's sixteen 6-bit scales: low nibbles in bytes 0–7, high 2 bits in bytes 8–11.
void packScalesQ3K(uint8_t* out, const uint8_t scales[16])
{
    std::memset(out, 0, 12);
    for (int j = 0; j < 16; ++j) {
        const uint8_t low = scales[j] & 0xF;
        if (j < 8)
            out[j] = low;
        else
            out[j - 8] |= static_cast<uint8_t>(low << 4);
        out[8 + j % 4] |= static_cast<uint8_t>((scales[j] >> 4) << (2 * (j / 4)));
    }
}

// Sets the scale fields of one block whose other bytes are already random.
// Each case: value = (scale * quant-offset); scale = sigma / (typical multiplier * sd of the quants).
void fixBlock(GgmlType type, float sigma, Random& random, uint8_t* block)
{
    switch (type) {
    case GgmlType::Q4_0:  // {d; qs[16]}: x = d (q - 8); q - 8 has mean -1/2, a random sign of d centres x
        putHalf(block, randomSign(random) * sigma / static_cast<float>(uniformLevelsSd(16)) * jitter(random));
        break;
    case GgmlType::Q4_1: {  // {d; m; qs[16]}: x = d q + m
        const float d = sigma / static_cast<float>(uniformLevelsSd(16)) * jitter(random);
        putHalf(block, d);
        putHalf(block + 2, -7.5f * d);
        break;
    }
    case GgmlType::Q5_0:  // {d; qh[4]; qs[16]}: x = d (q - 16), centred like Q4_0
        putHalf(block, randomSign(random) * sigma / static_cast<float>(uniformLevelsSd(32)) * jitter(random));
        break;
    case GgmlType::Q5_1: {  // {d; m; qh[4]; qs[16]}: x = d q + m
        const float d = sigma / static_cast<float>(uniformLevelsSd(32)) * jitter(random);
        putHalf(block, d);
        putHalf(block + 2, -15.5f * d);
        break;
    }
    case GgmlType::Q8_0:  // {d; int8 qs[32]}: x = d q; -128 is left out as ggml's quantizer never writes it
        putHalf(block, sigma / static_cast<float>(uniformLevelsSd(255)) * jitter(random));
        for (int i = 2; i < 34; ++i) {
            if (block[i] == 0x80)
                block[i] = 0x81;
        }
        break;
    case GgmlType::Q2_K: {  // {scales[16]; qs[64]; d; dmin}: x = d sc q - dmin m, q in 0..3
        for (int j = 0; j < 16; ++j) {
            const auto sc = static_cast<uint8_t>(8 + random.below(8));
            block[j] = static_cast<uint8_t>(sc | (sc << 4));  // m = sc centres q on 1.5
        }
        const float d = sigma / static_cast<float>(11.5 * uniformLevelsSd(4)) * jitter(random);
        putHalf(block + 80, d);
        putHalf(block + 82, 1.5f * d);
        break;
    }
    case GgmlType::Q3_K: {  // {hmask[32]; qs[64]; scales[12]; d}: x = d (sc - 32) q, q in -4..3
        // q has mean -1/2 and there is no min: random scale signs centre the values instead.
        uint8_t scales[16];
        for (uint8_t& s : scales) {
            const int magnitude = 8 + static_cast<int>(random.below(8));
            s = static_cast<uint8_t>(32 + (random.below(2) ? magnitude : -magnitude));
        }
        packScalesQ3K(block + 96, scales);
        putHalf(block + 108, sigma / static_cast<float>(11.5 * uniformLevelsSd(8)) * jitter(random));
        break;
    }
    case GgmlType::Q4_K:    // {d; dmin; scales[12]; qs[128]}: x = d sc q - dmin m, q in 0..15
    case GgmlType::Q5_K: {  // {d; dmin; scales[12]; qh[32]; qs[128]}: q in 0..31
        const bool five = type == GgmlType::Q5_K;
        uint8_t scales[8];
        for (uint8_t& s : scales)
            s = static_cast<uint8_t>(16 + random.below(five ? 16 : 48));  // 6-bit, high bits exercised
        packScalesMinsK4(block + 4, scales, scales);  // m = sc: centred when dmin = d * mean(q)
        const double meanScale = five ? 23.5 : 39.5;
        const float d = sigma / static_cast<float>(meanScale * uniformLevelsSd(five ? 32 : 16)) * jitter(random);
        putHalf(block, d);
        putHalf(block + 2, (five ? 15.5f : 7.5f) * d);
        break;
    }
    case GgmlType::Q6_K: {  // {ql[128]; qh[64]; int8 scales[16]; d}: x = d sc (q - 32)
        for (int j = 0; j < 16; ++j) {
            const int magnitude = 8 + static_cast<int>(random.below(8));
            block[192 + j] = static_cast<uint8_t>(static_cast<int8_t>(random.below(2) ? magnitude : -magnitude));
        }
        putHalf(block + 208, sigma / static_cast<float>(11.5 * uniformLevelsSd(64)) * jitter(random));
        break;
    }
    default:
        break;
    }
}

}  // namespace

Random::Random(uint64_t seed, uint64_t stream)
{
    uint64_t state = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
    for (uint64_t& s : m_s)
        s = splitMix64(state);
}

uint64_t Random::next()
{
    const uint64_t result = std::rotl(m_s[1] * 5, 7) * 9;
    const uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = std::rotl(m_s[3], 45);
    return result;
}

double Random::uniform()
{
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

float Random::normal()
{
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spare;
    }
    // Two 24-bit uniforms from one draw; u1 in (0, 1] keeps the log finite.
    const uint64_t r = next();
    const float u1 = static_cast<float>((r >> 40) + 1) * 0x1.0p-24f;
    const float u2 = static_cast<float>((r >> 16) & 0xFFFFFF) * 0x1.0p-24f;
    const float radius = std::sqrt(-2.0f * std::log(u1));
    const float angle = 6.2831853071795864f * u2;
    m_spare = radius * std::sin(angle);
    m_hasSpare = true;
    return radius * std::cos(angle);
}

Status fillRandom(GgmlType type, float mean, float sigma, Random& random, std::span<uint8_t> bytes)
{
    const GgmlTypeInfo info = ggmlTypeInfo(type);
    if (bytes.size() % info.typeSize != 0)
        return Status::failure("not a whole number of " + std::string(info.name) + " blocks");
    switch (type) {
    case GgmlType::F32:
        clearUpperVectorState();
        for (size_t i = 0; i < bytes.size(); i += 4) {
            const float v = mean + sigma * random.normal();
            std::memcpy(bytes.data() + i, &v, 4);
        }
        return {};
    case GgmlType::F16:
    case GgmlType::BF16:
        clearUpperVectorState();
        for (size_t i = 0; i < bytes.size(); i += 2) {
            const float v = mean + sigma * random.normal();
            const uint16_t bits = type == GgmlType::F16 ? fp32ToFp16(v) : fp32ToBf16(v);
            std::memcpy(bytes.data() + i, &bits, 2);
        }
        return {};
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
        if (mean != 0)
            return Status::failure("quantized random data is centred on 0");
        fillRandomBytes(random, bytes);
        for (size_t at = 0; at < bytes.size(); at += info.typeSize)
            fixBlock(type, sigma, random, bytes.data() + at);
        return {};
    default:
        return Status::failure("no random data for type " + std::string(info.name));
    }
}

}  // namespace vela::synth
