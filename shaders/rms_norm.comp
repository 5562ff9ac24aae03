#version 450
// out = x / sqrt(mean(x²) + eps) · weight, one workgroup per row.
// Reference: Zhang & Sennrich 2019, "Root Mean Square Layer Normalization" (arXiv:1910.07467);
// llama.cpp ggml-cpu ops.cpp ggml_compute_forward_rms_norm_f32 followed by the weight multiply.
#include "vela_abi.h"

layout(constant_id = 0) const uint WORKGROUP = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };            // (rows, cols)
layout(std430, binding = 1) readonly buffer Weight { float weight[]; };  // (cols)
layout(std430, binding = 2) writeonly buffer Out { float result[]; };    // (rows, cols), may alias x
layout(push_constant) uniform Push { RmsNormPush p; };

#include "workgroup_reduce.glsl"

void main()
{
    // 2-D grid: more rows than one grid dimension allows.
    const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows)
        return;
    const uint base = row * p.cols;
    const uint tid = gl_LocalInvocationID.x;
    float squares = 0.0;
    for (uint i = tid; i < p.cols; i += WORKGROUP)
        squares += x[base + i] * x[base + i];
    const float meanSquare = workgroupSum(squares) / float(p.cols);
    const float inverseRms = 1.0 / sqrt(meanSquare + p.eps);
    for (uint i = tid; i < p.cols; i += WORKGROUP)
        result[base + i] = x[base + i] * inverseRms * weight[i];
}
