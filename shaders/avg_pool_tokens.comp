#version 450
// out[(oy·S/k + ox)][c] = mean of in[(oy·k + ky)·S + ox·k + kx][c] over ky, kx < k: average pooling of a
// side × side grid of tokens (row-major by y, then x), one thread per output value. Summed ky-major, kx-minor,
// then divided by k², the order of ggml's pool_2d (llama.cpp ggml-cpu ops.cpp ggml_compute_forward_pool_2d),
// which Gemma 3's projector uses (tools/mtmd/clip.cpp, PROJECTOR_TYPE_GEMMA3).
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };       // (side², channels)
layout(std430, binding = 1) writeonly buffer Out { float result[]; };  // ((side/kernel)², channels)
layout(push_constant) uniform Push { AvgPoolTokensPush p; };

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    const uint outSide = p.side / p.kernel;
    if (i >= outSide * outSide * p.channels)
        return;
    const uint token = i / p.channels;
    const uint c = i - token * p.channels;
    const uint oy = token / outSide;
    const uint ox = token - oy * outSide;
    precise float sum = 0.0;
    for (uint ky = 0u; ky < p.kernel; ++ky) {
        const uint row = (oy * p.kernel + ky) * p.side + ox * p.kernel;
        for (uint kx = 0u; kx < p.kernel; ++kx)
            sum += x[(row + kx) * p.channels + c];
    }
    result[i] = sum / float(p.kernel * p.kernel);
}
