#version 450
// Mixture-of-experts output: out[t] (+)= Σ_j weights[t][j] · expertOut[t·k + j], one thread per element.
// Each product is rounded, then added in j order — llama.cpp multiplies the expert outputs by their weights
// (ggml_mul) and sums the k views with a chain of ggml_add — so `precise` forbids fused multiply-adds.
// With `accumulate` the sum is added to what out holds afterwards (a shared expert, or the residual).
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn ("ffn_moe_weighted", the ggml_add chain).
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;

layout(std430, binding = 0) readonly buffer ExpertOut { float expertOut[]; };  // (nTokens · k, nEmbd)
layout(std430, binding = 1) readonly buffer Weights { float weights[]; };      // (nTokens, k)
layout(std430, binding = 2) buffer Out { float result[]; };                    // (nTokens, nEmbd)
layout(push_constant) uniform Push { MoeCombinePush p; };

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.nTokens * p.nEmbd)
        return;
    const uint token = i / p.nEmbd;
    const uint column = i - token * p.nEmbd;
    const uint first = token * p.k;
    precise float sum = weights[first] * expertOut[first * p.nEmbd + column];
    for (uint j = 1u; j < p.k; ++j) {
        precise float term = weights[first + j] * expertOut[(first + j) * p.nEmbd + column];
        sum = sum + term;
    }
    if (p.accumulate != 0u)
        sum = result[i] + sum;
    result[i] = sum;
}
