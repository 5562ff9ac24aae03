// Conversions between float32 and the 16-bit float formats stored in GGUF files: IEEE binary16 ("F16",
// ggml_fp16_t) and bfloat16 ("BF16", ggml_bf16_t). Bit-exact with ggml's conversions: f16 → f32 and
// bf16 → f32 are exact; f32 → f16 rounds to nearest even (as F16C's _cvtss_sh does for ggml on x86);
// f32 → bf16 rounds to nearest even and keeps NaNs quiet (ggml.c `ggml_compute_fp32_to_bf16`).
#pragma once

#include <bit>
#include <cstdint>

namespace vela {

inline float fp16ToFp32(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0x1F)  // inf / NaN
        return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    if (exponent != 0)
        return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0)
        return std::bit_cast<float>(sign);
    // Subnormal: mantissa · 2^-24, exact in float.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
}

inline uint16_t fp32ToFp16(float f)
{
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    const uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u)  // NaN: keep it a (quiet) NaN
        return static_cast<uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));
    if (magnitude >= 0x477FF000u)  // ≥ 65520 rounds to infinity
        return static_cast<uint16_t>(sign | 0x7C00u);
    if (magnitude < 0x38800000u) {  // below 2^-14: subnormal or zero
        // Adding 0.5 lets the FPU round the value to a multiple of 2^-24 (nearest even).
        const float rounded = std::bit_cast<float>(magnitude) + 0.5f;
        return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(rounded) - 0x3F000000u));
    }
    // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
    const uint32_t oddBit = (magnitude >> 13) & 1u;
    const uint32_t rounded = magnitude + 0x0FFFu + oddBit - (112u << 23);
    return static_cast<uint16_t>(sign | (rounded >> 13));
}

inline float bf16ToFp32(uint16_t b)
{
    return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

inline uint16_t fp32ToBf16(float f)
{
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
        return static_cast<uint16_t>((bits >> 16) | 64u);  // force quiet NaN
    return static_cast<uint16_t>((bits + (0x7FFFu + ((bits >> 16) & 1u))) >> 16);
}

}  // namespace vela
