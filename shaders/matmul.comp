#version 450
// Tiled matrix × matrix for prompt processing: y[t][r] = Σ_k W[r][k]·x[t][k] for a batch of tokens, W in any
// ggml weight type (one variant per DATA_A_<TYPE>), x and y float32.
// Reference: llama.cpp ggml/src/ggml-vulkan/vulkan-shaders/mul_mm.comp (shared-memory tiling with the weight
// dequantized straight into shared memory; see /work/shared/research/vulkan-kernels.md §1.2).
//
// A workgroup owns a BM (rows of W) × BN (tokens) tile of y. For each BK-wide step along k it dequantizes the
// BM×BK slice of W and copies the BN×BK slice of x into shared memory, then every thread accumulates its own
// TM×TN outputs from there. W is read once per tile of BN tokens instead of once per token, and the
// dequantized weights never leave shared memory.
#extension GL_EXT_control_flow_attributes : enable
#include "vela_abi.h"

#define DQ_BINDING 0
#include "dequant.glsl"

layout(constant_id = 0) const uint kThreads = 256;
layout(constant_id = 1) const uint BM = 64;
layout(constant_id = 2) const uint BN = 64;
layout(constant_id = 3) const uint BK = 32;
layout(constant_id = 4) const uint TM = 4;
layout(constant_id = 5) const uint TN = 4;
layout(local_size_x_id = 0) in;

layout(std430, binding = 1) readonly buffer X { float xs[]; };  // (nTokens, cols)
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };  // the same, 4 floats at a time
layout(std430, binding = 2) writeonly buffer Y { float ys[]; };  // (nTokens, yStride)
layout(push_constant) uniform Push { MatMulPush p; };

// Tiles hold vec4 runs along k. One vec4 of padding per tile row puts neighbouring rows in different banks.
#define TILE_STRIDE (BK / 4 + 1)
shared vec4 tileW[BM * TILE_STRIDE];  // (BM, BK) of W, dequantized
shared vec4 tileX[BN * TILE_STRIDE];  // (BN, BK) of x

// Dequantizes W[rowBase … rowBase+BM)[k0 … k0+BK) into tileW, 8 elements per call; zeros outside W.
void loadWeightTile(uint rowBase, uint k0)
{
    const uint groupsPerRow = BK / 8;
    for (uint i = gl_LocalInvocationIndex; i < BM * groupsPerRow; i += kThreads) {
        const uint r = i / groupsPerRow, g = i % groupsPerRow;
        const uint row = rowBase + r, k = k0 + 8 * g;
        vec4 lo = vec4(0), hi = vec4(0);
        if (row < p.rows && k < p.cols) {
#if DQ_BLOCK_SIZE == 1
            // Plain floats: k may end mid-group (any cols), and rows start 16-byte aligned only when cols % 8 == 0.
            const uint e = row * p.cols + k;
            if ((p.flags & VELA_MATMUL_VECTOR_W) != 0) {
                dequant8(e, 0, lo, hi);
            } else {
                [[unroll]] for (uint j = 0; j < 4; ++j) {
                    lo[j] = k + j < p.cols ? dequant1(e + j) : 0.0;
                    hi[j] = k + 4 + j < p.cols ? dequant1(e + 4 + j) : 0.0;
                }
            }
#else
            // cols is a whole number of blocks and BK a multiple of 8, so the 8 elements never cross a block.
            dequant8(row * p.blocksPerRow + k / DQ_BLOCK_SIZE, k % DQ_BLOCK_SIZE, lo, hi);
#endif
        }
        tileW[r * TILE_STRIDE + 2 * g] = lo;
        tileW[r * TILE_STRIDE + 2 * g + 1] = hi;
    }
}

// Copies x[tokenBase … tokenBase+BN)[k0 … k0+BK) into tileX; zeros outside x.
void loadActivationTile(uint tokenBase, uint k0)
{
    const uint quadsPerRow = BK / 4;
    for (uint i = gl_LocalInvocationIndex; i < BN * quadsPerRow; i += kThreads) {
        const uint t = i / quadsPerRow, q = i % quadsPerRow;
        const uint token = tokenBase + t, k = k0 + 4 * q;
        vec4 v = vec4(0);
        if (token < p.nTokens && k < p.cols) {
            const uint e = token * p.cols + k;
            if ((p.flags & VELA_MATMUL_VECTOR_X) != 0) {
                v = x4[e / 4];
            } else {
                [[unroll]] for (uint j = 0; j < 4; ++j)
                    v[j] = k + j < p.cols ? xs[e + j] : 0.0;
            }
        }
        tileX[t * TILE_STRIDE + q] = v;
    }
}

void main()
{
    const uint threadsM = BM / TM, threadsN = BN / TN;
    // A thread's outputs are strided across the tile (rows tm, tm + threadsM, …) so that neighbouring threads
    // read neighbouring tile rows and write neighbouring elements of y.
    const uint tm = gl_LocalInvocationIndex % threadsM, tn = gl_LocalInvocationIndex / threadsM;
    const uint rowBase = gl_WorkGroupID.x * BM, tokenBase = gl_WorkGroupID.y * BN;

    float sums[TM * TN];
    [[unroll]] for (uint i = 0; i < TM * TN; ++i)
        sums[i] = 0.0;

    for (uint k0 = 0; k0 < p.cols; k0 += BK) {
        // Every thread has finished reading the previous step's tiles before they are overwritten.
        barrier();
        loadWeightTile(rowBase, k0);
        loadActivationTile(tokenBase, k0);
        // The whole tiles are written before any thread reads another thread's part of them.
        barrier();

        [[unroll]] for (uint q = 0; q < BK / 4; ++q) {
            vec4 w[TM];
            [[unroll]] for (uint i = 0; i < TM; ++i)
                w[i] = tileW[(tm + i * threadsM) * TILE_STRIDE + q];
            [[unroll]] for (uint j = 0; j < TN; ++j) {
                const vec4 x = tileX[(tn + j * threadsN) * TILE_STRIDE + q];
                [[unroll]] for (uint i = 0; i < TM; ++i)
                    sums[j * TM + i] += dot(w[i], x);
            }
        }
    }

    [[unroll]] for (uint j = 0; j < TN; ++j) {
        const uint token = tokenBase + tn + j * threadsN;
        [[unroll]] for (uint i = 0; i < TM; ++i) {
            const uint row = rowBase + tm + i * threadsM;
            if (token < p.nTokens && row < p.rows)
                ys[token * p.yStride + p.yOffset + row] = sums[j * TM + i];
        }
    }
}
