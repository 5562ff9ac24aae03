#version 450
// Scaled dot-product attention over the f16 KV cache, flash-attention style: a workgroup owns ROWS query
// rows (token × query head, all reading the same KV head) and streams the visible keys in blocks of BLOCK,
// keeping a running maximum and sum per row (online softmax) and the output rows in registers. No
// nTokens × nKv score matrix is ever written to global memory. f32 arithmetic throughout.
// GQA: query head h reads KV head h / (nHead / nKvHead); rows of one tile share every K/V load.
// Causal: token t (at position firstPosition + t) sees keys 0 … firstPosition + t; the cache row of a key is
// its position.
// Sliding window (WINDOWED): token t at position pos also hides every key j with pos − j ≥ window, i.e. it
// sees keys pos − window + 1 … pos; this is llama.cpp's LLAMA_SWA_TYPE_STANDARD (src/llama-hparams.h
// is_masked_swa: masked iff p1 − p0 ≥ n_swa, p0 the key's and p1 the query's position). A tile starts at
// the first key its first row sees, so a query costs O(window + ROWS) keys, not O(position).
// Logit soft-capping (SOFT_CAP): score s = scale·q·k becomes softCap·tanh(s / softCap) before the mask and
// softmax, as ggml's flash_attn_ext logit_softcap (Gemma 2: 50; Grok: 30 with scale = attn_output_scale).
// References: Dao et al. 2022, FlashAttention (arXiv:2205.14135) and FlashAttention-2 (arXiv:2307.08691);
// Milakov & Gimelshein 2018, online softmax (arXiv:1805.02867); Ainslie et al. 2023, GQA (arXiv:2305.13245);
// llama.cpp ggml-cpu ops.cpp ggml_compute_forward_flash_attn_ext_f16; Gemma Team 2024, Gemma 2
// (arXiv:2408.00118) for soft-capping and local sliding-window layers.
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#extension GL_EXT_control_flow_attributes : enable  // [[dont_unroll]]
#include "vela_abi.h"

layout(constant_id = 0) const uint WORKGROUP = 128;
layout(constant_id = 1) const uint D = 128;     // head dimension
layout(constant_id = 2) const uint ROWS = 16;   // query rows per workgroup
layout(constant_id = 3) const uint BLOCK = 32;  // keys per block
// Off, both branches vanish from the pipeline, so the plain path pays nothing for them.
layout(constant_id = 4) const bool SOFT_CAP = false;  // p.softCap > 0
layout(constant_id = 5) const bool WINDOWED = false;  // p.window > 0
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Q { float q[]; };              // (nTokens, nHead, D)
layout(std430, binding = 1) readonly buffer KCache { float16_t kCache[]; };  // (nCtx, nKvHead, D)
layout(std430, binding = 2) readonly buffer VCache { float16_t vCache[]; };  // (nCtx, nKvHead, D)
layout(std430, binding = 3) writeonly buffer Out { float result[]; };        // (nTokens, nHead, D)
layout(push_constant) uniform Push { AttentionPush p; };

// The dot-product and weighted-sum loops are kept rolled: fully unrolled over D and BLOCK they made one
// pipeline take ~7 s to compile on lavapipe. Whether unrolling pays on a real GPU is not yet measured.
const uint KV_STRIDE = D + 1;  // padded row: threads reading one column of K hit different banks
const uint ACCUMULATORS = (ROWS * D + WORKGROUP - 1) / WORKGROUP;

shared float sQuery[ROWS * D];          // scaled query rows of the tile
shared float sBlock[BLOCK * KV_STRIDE];  // the K block, then the V block
shared float sScore[ROWS * BLOCK];       // scores, then softmax weights of the block
shared float sMax[ROWS];                 // running maximum score per row
shared float sSum[ROWS];                 // running Σ exp(score − max) per row
shared float sRescale[ROWS];             // exp(old max − new max) of this block

#define NEGATIVE_INFINITY uintBitsToFloat(0xFF800000u)

uint group() { return p.nHead / p.nKvHead; }

// End of the keys the query row sees: all of them, or up to its own position.
uint visibleKeys(uint row)
{
    if (row >= p.nTokens * group())
        return 0;
    return p.causal != 0 ? min(p.nKv, p.firstPosition + row / group() + 1) : p.nKv;
}

// First key the query row sees: 0, or with a sliding window the oldest key less than `window` positions back.
uint firstVisibleKey(uint row)
{
    if (!WINDOWED)
        return 0;
    const uint position = p.firstPosition + row / group();
    return position >= p.window ? position - p.window + 1 : 0;
}

// Past ±15 tanh is ±1 in f32; the clamp keeps a driver's exp-based tanh from computing inf / inf.
float capScore(float s)
{
    return p.softCap * tanh(clamp(s / p.softCap, -15.0, 15.0));
}

// Offset of (token-row, dimension 0) in q / out for tile row r of KV head kvHead.
uint queryOffset(uint row, uint kvHead)
{
    const uint token = row / group();
    const uint head = kvHead * group() + row % group();
    return (token * p.nHead + head) * D;
}

void loadBlock(bool values, uint firstKey, uint keyEnd, uint kvHead)
{
    for (uint e = gl_LocalInvocationID.x; e < BLOCK * D; e += WORKGROUP) {
        const uint j = e / D;
        const uint d = e % D;
        const uint key = firstKey + j;
        float value = 0.0;
        if (key < keyEnd) {
            const uint at = (key * p.nKvHead + kvHead) * D + d;
            value = values ? float(vCache[at]) : float(kCache[at]);
        }
        sBlock[j * KV_STRIDE + d] = value;
    }
}

void computeScores(uint firstRow, uint firstKey)
{
    for (uint e = gl_LocalInvocationID.x; e < ROWS * BLOCK; e += WORKGROUP) {
        const uint r = e / BLOCK;
        const uint j = e % BLOCK;
        const uint key = firstKey + j;
        float s = NEGATIVE_INFINITY;
        if (key < visibleKeys(firstRow + r) && (!WINDOWED || key >= firstVisibleKey(firstRow + r))) {
            s = 0.0;
            [[dont_unroll]] for (uint d = 0; d < D; ++d)
                s += sQuery[r * D + d] * sBlock[j * KV_STRIDE + d];
            if (SOFT_CAP)
                s = capScore(s);
        }
        sScore[e] = s;
    }
}

// Turns the block's scores into weights against the new running maximum and rescales the running sum.
void updateSoftmax(uint r)
{
    float blockMax = NEGATIVE_INFINITY;
    for (uint j = 0; j < BLOCK; ++j)
        blockMax = max(blockMax, sScore[r * BLOCK + j]);
    const float oldMax = sMax[r];
    const float newMax = max(oldMax, blockMax);
    if (newMax == NEGATIVE_INFINITY) {  // nothing visible yet: keep zeros, avoid (−inf) − (−inf)
        for (uint j = 0; j < BLOCK; ++j)
            sScore[r * BLOCK + j] = 0.0;
        sRescale[r] = 1.0;
        return;
    }
    float sum = 0.0;
    for (uint j = 0; j < BLOCK; ++j) {
        const float s = sScore[r * BLOCK + j];
        const float weight = s == NEGATIVE_INFINITY ? 0.0 : exp(s - newMax);
        sScore[r * BLOCK + j] = weight;
        sum += weight;
    }
    const float rescale = oldMax == NEGATIVE_INFINITY ? 0.0 : exp(oldMax - newMax);
    sRescale[r] = rescale;
    sSum[r] = sSum[r] * rescale + sum;
    sMax[r] = newMax;
}

void main()
{
    const uint tid = gl_LocalInvocationID.x;
    const uint kvHead = gl_WorkGroupID.y;
    const uint firstRow = gl_WorkGroupID.x * ROWS;
    const uint rowCount = p.nTokens * group();

    for (uint e = tid; e < ROWS * D; e += WORKGROUP) {
        const uint r = e / D;
        sQuery[e] = firstRow + r < rowCount ? q[queryOffset(firstRow + r, kvHead) + e % D] * p.scale : 0.0;
    }
    for (uint r = tid; r < ROWS; r += WORKGROUP) {
        sMax[r] = NEGATIVE_INFINITY;
        sSum[r] = 0.0;
    }
    float accumulator[ACCUMULATORS];
    for (uint i = 0; i < ACCUMULATORS; ++i)
        accumulator[i] = 0.0;

    // Rows are token-major: the first row of the tile sees the oldest key, the last row the newest.
    const uint keyBegin = firstVisibleKey(firstRow);
    const uint keyEnd = visibleKeys(min(firstRow + ROWS, rowCount) - 1);
    for (uint firstKey = keyBegin; firstKey < keyEnd; firstKey += BLOCK) {
        loadBlock(false, firstKey, keyEnd, kvHead);
        // The K block (and, on the first block, the query tile and running state) must be complete.
        barrier();
        computeScores(firstRow, firstKey);
        // Every score is written, and every read of the K block is done before V replaces it.
        barrier();
        loadBlock(true, firstKey, keyEnd, kvHead);
        for (uint r = tid; r < ROWS; r += WORKGROUP)
            updateSoftmax(r);
        // Weights, rescale factors and the V block are ready for the accumulation.
        barrier();
        for (uint i = 0; i < ACCUMULATORS; ++i) {
            const uint e = tid + i * WORKGROUP;
            if (e < ROWS * D) {
                const uint r = e / D;
                const uint d = e % D;
                float sum = accumulator[i] * sRescale[r];
                [[dont_unroll]] for (uint j = 0; j < BLOCK; ++j)
                    sum += sScore[r * BLOCK + j] * sBlock[j * KV_STRIDE + d];
                accumulator[i] = sum;
            }
        }
        // The next block overwrites sBlock and sScore.
        barrier();
    }
    // Row sums written by other threads (also when no key was visible and the loop never ran).
    barrier();

    for (uint i = 0; i < ACCUMULATORS; ++i) {
        const uint e = tid + i * WORKGROUP;
        const uint r = e / D;
        if (e < ROWS * D && firstRow + r < rowCount) {
            const float sum = sSum[r];
            result[queryOffset(firstRow + r, kvHead) + e % D] = sum > 0.0 ? accumulator[i] / sum : 0.0;
        }
    }
}
