// The contract between C++ and GLSL: push-constant blocks and workgroup sizes, compiled by both.
// GLSL includes it after `#version`; C++ includes it as "vela_abi.h". Keep every member 4 bytes wide
// (uint/int/float) so both sides agree on layout without padding rules.
#ifndef VELA_ABI_H
#define VELA_ABI_H

#ifdef __cplusplus
#include <cstdint>
namespace vela::abi {
using uint = uint32_t;
#define VELA_ABI_END }
#else
#define VELA_ABI_END
#endif

// Elementwise kernels (add, mul, silu, swiglu): one thread per element.
#define VELA_ELEMENTWISE_WORKGROUP 256
struct ElementwisePush {
    uint n;           // elements
    uint broadcastB;  // b has this many elements and repeats (0: same length as a)
};

#ifdef __cplusplus
static_assert(sizeof(ElementwisePush) == 8);
#endif

// Matrix × vector (shaders/matvec.comp): y[c][yOffset + r] = Σ_k W[r][k]·x[c][xOffset + k] over one row
// chunk of W. Specialization: constant_id 0 = workgroup size, 1 = rows per workgroup, 2 = columns (1…8).
#define VELA_MATVEC_MAX_COLUMNS 8
struct MatVecPush {
    uint rows;          // rows of W in this dispatch (one chunk)
    uint cols;          // elements per row
    uint blocksPerRow;  // cols / block size of the weight type
    uint xStride;       // floats between columns of x
    uint yStride;       // floats between columns of y
    uint xOffset;       // first float of column 0 of x
    uint yOffset;       // first float of column 0 of y (the chunk's first row)
};

// Embedding lookup (shaders/embedding.comp): out[t] = dequantized table row ids[t], for the ids that fall in
// this dispatch's row chunk [rowBase, rowBase + chunkRows).
#define VELA_EMBEDDING_WORKGROUP 64
struct EmbeddingPush {
    uint cols;          // elements per row
    uint blocksPerRow;  // cols / block size
    uint rowBase;       // first table row bound
    uint chunkRows;     // rows bound
    uint tokenBase;     // first token of this dispatch
    uint nTokens;       // tokens in all
};

#ifdef __cplusplus
static_assert(sizeof(MatVecPush) == 28);
static_assert(sizeof(EmbeddingPush) == 24);
#endif

VELA_ABI_END
#endif
