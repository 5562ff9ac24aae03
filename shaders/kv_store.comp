#version 450
// Appends the K or V rows of new tokens to a layer's f16 cache: cache[dstOffset + i] = f16(src[i]).
// The conversion is done in integer arithmetic, round to nearest even, so the cache holds exactly what
// ggml's fp32 → fp16 conversion (and vela::fp32ToFp16) gives on every device; the hardware conversion's
// rounding mode is implementation-defined in Vulkan.
// Reference: IEEE 754-2008 binary16; llama.cpp ggml-impl.h ggml_compute_fp32_to_fp16.
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : enable
#include "vela_abi.h"

layout(local_size_x = VELA_KV_STORE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer Src { float src[]; };          // (nTokens, width) f32
layout(std430, binding = 1) writeonly buffer Cache { uint16_t cache[]; };  // (nCtx, width) f16
layout(push_constant) uniform Push { KvStorePush p; };

uint toHalfBits(float value)
{
    const uint bits = floatBitsToUint(value);
    const uint sign = (bits >> 16) & 0x8000u;
    const uint magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u)  // NaN stays a quiet NaN with the top payload bits
        return sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu);
    if (magnitude >= 0x477FF000u)  // rounds to infinity
        return sign | 0x7C00u;
    if (magnitude < 0x38800000u) {  // below 2^-14: a subnormal half (or zero)
        const uint exponent = magnitude >> 23;
        if (exponent < 102u)  // below 2^-25: rounds to zero
            return sign;
        const uint mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
        const uint shift = 126u - exponent;  // 14 … 24
        const uint kept = mantissa >> shift;
        const uint rest = mantissa & ((1u << shift) - 1u);
        const uint halfway = 1u << (shift - 1u);
        const uint roundUp = (rest > halfway || (rest == halfway && (kept & 1u) != 0u)) ? 1u : 0u;
        return sign | (kept + roundUp);
    }
    // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
    const uint oddBit = (magnitude >> 13) & 1u;
    return sign | ((magnitude + 0x0FFFu + oddBit - (112u << 23)) >> 13);
}

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_KV_STORE_WORKGROUP;
    if (i >= p.n)
        return;
    cache[p.dstOffset + i] = uint16_t(toHalfBits(src[i]));
}
