#version 450
// out = x · factor, elementwise: Gemma's embedding × √n_embd, Grok's multipliers. out may alias x.
// Reference: llama.cpp ggml-cpu vec.h ggml_vec_scale_f32.
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float result[]; };
layout(push_constant) uniform Push { ScalePush p; };

void main()
{
    // 2-D grid: large tensors exceed the 65535-group limit of one dimension.
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.n)
        return;
    result[i] = x[i] * p.factor;
}
