#version 450
// dst[r][c] = src[r][firstCol + c]: copies a column range of a row-major matrix into a dense one, e.g. q, k, v
// out of a fused QKV projection (Phi-2, Phi-3) or gate and up out of Phi-3's fused gate|up projection.
// Reference: llama.cpp src/models/phi2.cpp, phi3.cpp (ggml_view_2d of the fused output, then ggml_cont).
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer Src { float src[]; };   // (rows, srcCols)
layout(std430, binding = 1) writeonly buffer Dst { float dst[]; };  // (rows, dstCols)
layout(push_constant) uniform Push { CopyColumnsPush p; };

void main()
{
    // 2-D grid: large matrices exceed the 65535-group limit of one dimension.
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.rows * p.dstCols)
        return;
    const uint row = i / p.dstCols;
    const uint col = i - row * p.dstCols;
    dst[i] = src[row * p.srcCols + p.firstCol + col];
}
