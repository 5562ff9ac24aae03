#version 450
// out = x · factor, elementwise: Gemma's embedding × √n_embd, Grok's multipliers. out may alias x.
// With VELA_SOFT_CAP: out = factor · tanh(x / factor), the logit soft-capping of Gemma 2 and Grok.
// Reference: llama.cpp ggml-cpu vec.h ggml_vec_scale_f32; src/models/gemma2.cpp (final_logit_softcapping).
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
#ifdef VELA_SOFT_CAP
    // tanh from one exp, clamped where tanh is ±1 in f32 anyway: GLSL's tanh has no precision guarantee.
    const float y = clamp(x[i] / p.factor, -15.0, 15.0);
    result[i] = p.factor * (1.0 - 2.0 / (exp(2.0 * y) + 1.0));
#else
    result[i] = x[i] * p.factor;
#endif
}
