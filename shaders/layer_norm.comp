#version 450
// out = (x − mean) / sqrt(var + eps) · weight (+ bias), one workgroup per row; var is the mean of squared
// deviations from the mean (two passes, as the reference does).
// Reference: Ba, Kiros & Hinton 2016, "Layer Normalization" (arXiv:1607.06450); llama.cpp ggml-cpu ops.cpp
// ggml_compute_forward_norm_f32 followed by the weight multiply and bias add of llama.cpp build_norm (LLM_NORM).
#include "vela_abi.h"

layout(constant_id = 0) const uint WORKGROUP = 256;
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer X { float x[]; };            // (rows, cols)
layout(std430, binding = 1) readonly buffer Weight { float weight[]; };  // (cols)
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };      // (cols), read only when p.hasBias
layout(std430, binding = 3) writeonly buffer Out { float result[]; };    // (rows, cols), may alias x
layout(push_constant) uniform Push { LayerNormPush p; };

#include "workgroup_reduce.glsl"

void main()
{
    // 2-D grid: more rows than one grid dimension allows.
    const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= p.rows)
        return;
    const uint base = row * p.cols;
    const uint tid = gl_LocalInvocationID.x;
    float sum = 0.0;
    for (uint i = tid; i < p.cols; i += WORKGROUP)
        sum += x[base + i];
    const float mean = workgroupSum(sum) / float(p.cols);
    // Squared deviations rather than E[x²] − mean²: no cancellation when |mean| is large against the spread.
    float squares = 0.0;
    for (uint i = tid; i < p.cols; i += WORKGROUP) {
        const float centered = x[base + i] - mean;
        squares += centered * centered;
    }
    const float variance = workgroupSum(squares) / float(p.cols);
    const float inverseStd = 1.0 / sqrt(variance + p.eps);
    for (uint i = tid; i < p.cols; i += WORKGROUP) {
        float v = (x[base + i] - mean) * inverseStd * weight[i];
        if (p.hasBias != 0)
            v += bias[i];
        result[base + i] = v;
    }
}
