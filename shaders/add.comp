#version 450
// out = a + b, elementwise (the residual connection). b may be shorter and repeat (a bias).
// With VELA_SCALED_B: out = a + factor · b, b as long as a (a LoRA term added to its projection).
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float result[]; };
#ifdef VELA_SCALED_B
layout(push_constant) uniform Push { ScalePush p; };
#else
layout(push_constant) uniform Push { ElementwisePush p; };
#endif

void main()
{
    // 2-D grid: large tensors exceed the 65535-group limit of one dimension.
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.n)
        return;
#ifdef VELA_SCALED_B
    result[i] = a[i] + p.factor * b[i];
#else
    result[i] = a[i] + b[p.broadcastB == 0 ? i : i % p.broadcastB];
#endif
}
