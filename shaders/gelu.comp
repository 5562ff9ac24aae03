#version 450
// GELU (tanh approximation) and, with VELA_GATED, GeGLU: out = gelu(gate) · up.
// References: Hendrycks & Gimpel 2016, "Gaussian Error Linear Units" (arXiv:1606.08415); Shazeer 2020,
// "GLU Variants Improve Transformer" (arXiv:2002.05202); llama.cpp ggml-cpu vec.h ggml_vec_gelu_f32 /
// ggml_vec_geglu_f32 and the table built in ggml-cpu.c ggml_cpu_init.
//
// Our goldens come from ggml's CPU backend, which (GGML_GELU_FP16, always defined) evaluates GELU through a
// table indexed by the fp16 input: x ≤ −10 → 0, x ≥ 10 → x, otherwise fp16(gelu(fp16(x))). We do the same
// arithmetic instead of binding a 128 KiB table: round x to fp16, evaluate the float formula, round the result
// to fp16. Only where our tanh lands on the other side of an fp16 rounding boundary than glibc's tanhf does the
// result differ, by one fp16 step.
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
#ifdef VELA_GATED
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float result[]; };  // may alias gate or up
#else
layout(std430, binding = 1) writeonly buffer Out { float result[]; };  // may alias gate
#endif
layout(push_constant) uniform Push { ElementwisePush p; };

const float kSqrt2OverPi = 0.79788456080286535587989211986876;
const float kCoefA = 0.044715;

// The nearest fp16 value of v (ties to even), as a float; |v| < 65504. Integer arithmetic, because the
// rounding mode of packHalf2x16 is not specified by Vulkan.
float roundToHalf(float v)
{
    const uint bits = floatBitsToUint(v);
    const uint sign = bits & 0x80000000u;
    const uint magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u)  // NaN
        return v;
    if (magnitude < 0x38800000u) {
        // Below 2^-14 fp16 is subnormal: multiples of 2^-24. Scaling by 2^24 and back is exact.
        const float steps = roundEven(uintBitsToFloat(magnitude) * 16777216.0);
        return uintBitsToFloat(sign | floatBitsToUint(steps * uintBitsToFloat(0x33800000u)));
    }
    // Drop 13 mantissa bits, rounding to nearest even; a carry correctly bumps the exponent.
    const uint odd = (magnitude >> 13) & 1u;
    return uintBitsToFloat(sign | ((magnitude + 0x0FFFu + odd) & ~0x1FFFu));
}

// tanh through exp of a non-positive argument (no overflow). GLSL's tanh has no useful precision guarantee, and
// for u ≪ 0 ggml's 1 + tanhf(u) is a small multiple of 2^-24: the float tanh(u) must be the correctly rounded one.
// 1 − 2e/(1 + e) rounds only once, in the final subtraction (the quotient is accurate to a few ulps of itself).
float accurateTanh(float u)
{
    const float e = exp(-2.0 * abs(u));
    const float t = 1.0 - 2.0 * e / (1.0 + e);
    return u < 0.0 ? -t : t;
}

float geluTable(float x)
{
    if (x <= -10.0)
        return 0.0;
    if (x >= 10.0)
        return x;
    const float h = roundToHalf(x);
    // Same association as ggml_gelu_f32: 0.5·x·(1 + tanh(√(2/π)·x·(1 + A·x·x))).
    const float g = 0.5 * h * (1.0 + accurateTanh(kSqrt2OverPi * h * (1.0 + kCoefA * h * h)));
    return roundToHalf(g);
}

void main()
{
    // 2-D grid: large tensors exceed the 65535-group limit of one dimension.
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.n)
        return;
    const float x = gate[i];
#ifdef VELA_GATED
    // ggml_vec_geglu_f32: a gate ≤ −10 gives +0 whatever `up` holds; ≥ 10 passes gate · up unrounded.
    result[i] = x <= -10.0 ? 0.0 : geluTable(x) * up[i];
#else
    result[i] = geluTable(x);
#endif
}
