#version 450
// Embedding lookup (ggml get_rows): out[t] = dequantized row ids[t] of the table. Reference: llama.cpp
// ggml-vulkan get_rows.comp / get_rows_quant.comp (behaviour), dequantization from common/dequant.glsl.
//
// The table may be bound in row chunks (it can exceed maxStorageBufferRange): a dispatch writes only the
// tokens whose id lies in [rowBase, rowBase + chunkRows). Grid: x = groups of 8 elements (single elements for
// float rows whose length is not a multiple of 8), y = token.
//
// Bindings: 0 = table chunk (chunkRows, cols) in the weight type, 1 = ids (uint), 2 = out (nTokens, cols) float.

#define DQ_BINDING 0
#include "dequant.glsl"
#include "vela_abi.h"

layout(local_size_x = VELA_EMBEDDING_WORKGROUP) in;
layout(std430, binding = 1) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float outs[]; };
layout(std430, binding = 2) writeonly buffer Out4 { vec4 out4[]; };
layout(push_constant) uniform Push { EmbeddingPush p; };

void main()
{
    const uint token = p.tokenBase + gl_WorkGroupID.y;
    if (token >= p.nTokens)
        return;
    const uint id = ids[token];
    if (id < p.rowBase || id - p.rowBase >= p.chunkRows)
        return;  // another chunk's row (or an id past the table: left untouched)
    const uint row = id - p.rowBase;
    const uint u = gl_GlobalInvocationID.x;
    if ((p.cols & 7u) == 0) {
        const uint k = u * 8;
        if (k >= p.cols)
            return;
        vec4 lo, hi;
        dequant8(row * p.blocksPerRow + k / DQ_BLOCK_SIZE, k % DQ_BLOCK_SIZE, lo, hi);
        const uint o = (token * p.cols + k) >> 2;
        out4[o] = lo;
        out4[o + 1] = hi;
    } else {
#if DQ_BLOCK_SIZE == 1
        if (u < p.cols)
            outs[token * p.cols + u] = dequant1(row * p.cols + u);
#endif
    }
}
