#version 450
// Row-wise softmax of scale·x: exp(s − max) / Σ exp(s − max), one workgroup per row. −inf entries give 0;
// a row of only −inf gives zeros (as the reference does).
// Reference: llama.cpp ggml-cpu ops.cpp ggml_compute_forward_soft_max_f32 (without the mask and ALiBi).
#include "vela_abi.h"

layout(constant_id = 0) const uint WORKGROUP = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };          // (rows, cols)
layout(std430, binding = 1) writeonly buffer Out { float result[]; };  // (rows, cols), may alias x
layout(push_constant) uniform Push { SoftmaxPush p; };

#include "workgroup_reduce.glsl"

void main()
{
    const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows)
        return;
    const uint base = row * p.cols;
    const uint tid = gl_LocalInvocationID.x;
    const float negativeInfinity = uintBitsToFloat(0xFF800000u);

    float localMax = negativeInfinity;
    for (uint i = tid; i < p.cols; i += WORKGROUP)
        localMax = max(localMax, x[base + i] * p.scale);
    const float rowMax = workgroupMax(localMax);

    float localSum = 0.0;
    for (uint i = tid; i < p.cols; i += WORKGROUP) {
        const float s = x[base + i] * p.scale;
        localSum += s == negativeInfinity ? 0.0 : exp(s - rowMax);
    }
    const float sum = workgroupSum(localSum);
    const float inverse = sum > 0.0 ? 1.0 / sum : 0.0;
    for (uint i = tid; i < p.cols; i += WORKGROUP) {
        const float s = x[base + i] * p.scale;
        result[base + i] = s == negativeInfinity ? 0.0 : exp(s - rowMax) * inverse;
    }
}
