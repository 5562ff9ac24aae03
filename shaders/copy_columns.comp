#version 450
// dst[r][dstFirstCol + c] = src[r][srcFirstCol + c] for c < width: copies a column range of one row-major matrix
// into a column range of another, e.g. q, k, v out of a fused QKV projection (Phi-2, Phi-3), gate and up out of
// Phi-3's fused gate|up projection, or DeepSeek-V2's latent and rotary parts into one query / key row.
// Reference: llama.cpp src/models/phi2.cpp, phi3.cpp (ggml_view_2d of the fused output, then ggml_cont),
// deepseek2.cpp (ggml_concat of the two parts).
#include "vela_abi.h"

layout(local_size_x = VELA_ELEMENTWISE_WORKGROUP) in;
layout(std430, binding = 0) readonly buffer Src { float src[]; };   // (rows, srcCols)
layout(std430, binding = 1) writeonly buffer Dst { float dst[]; };  // (rows, dstCols); other columns kept
layout(push_constant) uniform Push { CopyColumnsPush p; };

void main()
{
    // 2-D grid: large matrices exceed the 65535-group limit of one dimension.
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_ELEMENTWISE_WORKGROUP;
    if (i >= p.rows * p.width)
        return;
    const uint row = i / p.width;
    const uint col = i - row * p.width;
    dst[row * p.dstCols + p.dstFirstCol + col] = src[row * p.srcCols + p.srcFirstCol + col];
}
