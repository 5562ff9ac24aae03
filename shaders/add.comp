#version 450
// out = a + b, elementwise (the residual connection). b may be shorter and repeat (a bias).
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float result[]; };
layout(push_constant) uniform Push { ElementwisePush p; };

void main()
{
    // 2-D grid: large tensors exceed the 65535-group limit of one dimension.
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.n)
        return;
    result[i] = a[i] + b[p.broadcastB == 0 ? i : i % p.broadcastB];
}
