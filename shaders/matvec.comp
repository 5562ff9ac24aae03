#version 450
// Matrix × vector for decode (one to eight activation columns): y[c][r] = Σ_k W[r][k]·x[c][k], W in any ggml
// weight type, dequantized in registers. Reference: the design of ggml-vulkan's mul_mat_vec*.comp
// (llama.cpp ggml/src/ggml-vulkan/vulkan-shaders/, see /work/shared/research/vulkan-kernels.md §1.1).
//
// Decode reads every weight once, so the kernel is bound by memory bandwidth: each workgroup owns ROWS rows,
// its threads stride over the row in groups of 8 weights, dequantize them straight from packed 16/32-bit
// loads (no shared-memory staging of W) and reuse each x load for all ROWS rows. f32 accumulation; the
// per-thread sums are reduced with subgroupAdd (VELA_SUBGROUP_REDUCE variants) or a shared-memory tree.
//
// Bindings: 0 = W chunk (rows, cols) in the weight type, 1 = x (float), 2 = y (float).
// Specialization: 0 = workgroup size (a power of two), 1 = ROWS, 2 = COLUMNS (1…VELA_MATVEC_MAX_COLUMNS).
//
// VELA_EXPERTS variants (ops::matVecExperts, Mixture-of-Experts; ggml's GGML_OP_MUL_MAT_ID): W is the stack of
// nExperts matrices (nExperts·rows, cols), binding 3 holds one u32 expert id per (token, expert) pair, and
// workgroup z = pair p computes y[p] = W[ids[p]] · x[p / pairsPerX]: only the selected experts' rows are read,
// and the ids never leave the device. COLUMNS is 1. An id ≥ nExperts yields a zero row (no read past W).
// A stack larger than one binding comes as chunks of whole experts, one dispatch each (binding 0 = experts
// expertBegin … expertEnd − 1, from block blockOffset): pairs of other experts are left to their chunk's
// dispatch, and only the last chunk writes the zero rows, so every row of y is written exactly once.
#ifdef VELA_SUBGROUP_REDUCE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

#define DQ_BINDING 0
#include "dequant.glsl"
#include "vela_abi.h"

layout(constant_id = 0) const uint WG = 64;
layout(constant_id = 1) const uint ROWS = 1;
layout(constant_id = 2) const uint COLUMNS = 1;
layout(local_size_x_id = 0) in;

layout(std430, binding = 1) readonly buffer X { float xs[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 2) writeonly buffer Y { float ys[]; };
#ifdef VELA_EXPERTS
layout(std430, binding = 3) readonly buffer Ids { uint ids[]; };
layout(push_constant) uniform Push { MatVecExpertsPush p; };
#else
layout(push_constant) uniform Push { MatVecPush p; };
#endif

shared float partial[COLUMNS][ROWS][WG];

void main()
{
    const uint firstRow = (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x) * ROWS;
    if (firstRow >= p.rows)
        return;  // the whole workgroup leaves together, so later barriers stay uniform
    const uint tid = gl_LocalInvocationID.x;
#ifdef VELA_EXPERTS
    const uint pair = p.firstPair + gl_WorkGroupID.z;
    const uint expert = ids[pair];  // the same for the whole workgroup
    const uint xOffset = (pair / p.pairsPerX) * p.cols, xStride = 0;
    const uint yOffset = pair * p.rows, yStride = 0;
    if (expert >= p.nExperts) {
        // A bad id (e.g. from a broken router) must not read past W: a zero row, and the workgroup leaves together.
        if (p.expertEnd == p.nExperts && tid < ROWS && firstRow + tid < p.rows)
            ys[yOffset + firstRow + tid] = 0.0;
        return;
    }
    if (expert < p.expertBegin || expert >= p.expertEnd)
        return;  // another chunk's dispatch computes this pair
    const uint firstExpertRow = (expert - p.expertBegin) * p.rows;
    const uint blockOffset = p.blockOffset;
#else
    const uint xOffset = p.xOffset, xStride = p.xStride;
    const uint yOffset = p.yOffset, yStride = p.yStride;
    const uint firstExpertRow = 0, blockOffset = 0;
#endif

    float acc[COLUMNS][ROWS];
    for (uint c = 0; c < COLUMNS; ++c)
        for (uint r = 0; r < ROWS; ++r)
            acc[c][r] = 0.0;

    // Rows past the end (last workgroup) repeat the last row: no branch in the loop, results not written.
    uint rowBlock[ROWS];
    for (uint r = 0; r < ROWS; ++r)
        rowBlock[r] = (firstExpertRow + min(firstRow + r, p.rows - 1)) * p.blocksPerRow + blockOffset;

    // Groups of 32 weights (one K-quant sub-block, whose scale is then decoded once), then of 8: every quantized
    // row qualifies (blocks of 32 or 256); float rows only when 8 | cols.
    // Only where dequant32 is cheaper than four dequant8 (float loads, Q4_K/Q5_K scales): elsewhere the unrolled
    // copy mostly lengthens pipeline compilation (seconds per pipeline on lavapipe).
    const uint groups = (p.cols & 7u) == 0 ? p.cols >> 3 : 0;
#if defined(DQ_HAS_DEQUANT32) || DQ_BLOCK_SIZE == 1
    const uint groups32 = groups >> 2;
#else
    const uint groups32 = 0;
#endif
    for (uint g = tid; g < groups32; g += WG) {
        const uint k = g * 32;
        for (uint r = 0; r < ROWS; ++r) {
            vec4 w[8];
            dequant32(rowBlock[r] + k / DQ_BLOCK_SIZE, k % DQ_BLOCK_SIZE, w);
            for (uint c = 0; c < COLUMNS; ++c) {
                // x is small and cache-resident: reloading it per row keeps registers free for W.
                const uint xi = (xOffset + c * xStride + k) >> 2;
                float sum = 0.0;
                for (uint i = 0; i < 8; ++i)
                    sum += dot(w[i], x4[xi + i]);
                acc[c][r] += sum;
            }
        }
    }
    for (uint g = groups32 * 4 + tid; g < groups; g += WG) {
        const uint k = g * 8;
        vec4 xLo[COLUMNS], xHi[COLUMNS];
        for (uint c = 0; c < COLUMNS; ++c) {
            const uint xi = (xOffset + c * xStride + k) >> 2;
            xLo[c] = x4[xi];
            xHi[c] = x4[xi + 1];
        }
        for (uint r = 0; r < ROWS; ++r) {
            vec4 lo, hi;
            dequant8(rowBlock[r] + k / DQ_BLOCK_SIZE, k % DQ_BLOCK_SIZE, lo, hi);
            for (uint c = 0; c < COLUMNS; ++c)
                acc[c][r] += dot(lo, xLo[c]) + dot(hi, xHi[c]);
        }
    }
#if DQ_BLOCK_SIZE == 1
    // Float rows whose length is not a multiple of 8: one element at a time.
    for (uint k = groups * 8 + tid; k < p.cols; k += WG) {
        for (uint r = 0; r < ROWS; ++r) {
            const float w = dequant1(rowBlock[r] + k);
            for (uint c = 0; c < COLUMNS; ++c)
                acc[c][r] += w * xs[xOffset + c * xStride + k];
        }
    }
#endif

#ifdef VELA_SUBGROUP_REDUCE
    for (uint c = 0; c < COLUMNS; ++c)
        for (uint r = 0; r < ROWS; ++r)
            acc[c][r] = subgroupAdd(acc[c][r]);
    if (gl_NumSubgroups > 1) {
        if (subgroupElect())
            for (uint c = 0; c < COLUMNS; ++c)
                for (uint r = 0; r < ROWS; ++r)
                    partial[c][r][gl_SubgroupID] = acc[c][r];
        barrier();  // every subgroup's sum is in shared memory before thread 0 adds them
        if (tid == 0)
            for (uint c = 0; c < COLUMNS; ++c)
                for (uint r = 0; r < ROWS; ++r) {
                    float sum = 0.0;
                    for (uint s = 0; s < gl_NumSubgroups; ++s)
                        sum += partial[c][r][s];
                    acc[c][r] = sum;
                }
    }
#else
    for (uint c = 0; c < COLUMNS; ++c)
        for (uint r = 0; r < ROWS; ++r)
            partial[c][r][tid] = acc[c][r];
    barrier();  // all per-thread sums written before the tree reads its neighbours'
    for (uint stride = WG / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            for (uint c = 0; c < COLUMNS; ++c)
                for (uint r = 0; r < ROWS; ++r)
                    partial[c][r][tid] += partial[c][r][tid + stride];
        barrier();  // this level complete before the next reads it
    }
    for (uint c = 0; c < COLUMNS; ++c)
        for (uint r = 0; r < ROWS; ++r)
            acc[c][r] = partial[c][r][0];
#endif

    if (tid == 0)
        for (uint r = 0; r < ROWS && firstRow + r < p.rows; ++r)
            for (uint c = 0; c < COLUMNS; ++c)
                ys[yOffset + c * yStride + firstRow + r] = acc[c][r];
}
