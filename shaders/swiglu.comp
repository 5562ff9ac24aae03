#version 450
// out = silu(gate) · up, elementwise: the gated feed-forward of Llama.
// Reference: Shazeer 2020, "GLU Variants Improve Transformer" (arXiv:2002.05202); llama.cpp ggml-cpu
// vec.h ggml_vec_swiglu_f32.
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float result[]; };  // may alias gate or up
layout(push_constant) uniform Push { ElementwisePush p; };

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.n)
        return;
    const float g = gate[i];
    // g / (1 + e^−g): for very negative g, e^−g is +inf and the quotient a clean −0, not NaN.
    result[i] = g / (1.0 + exp(-g)) * up[i];
}
