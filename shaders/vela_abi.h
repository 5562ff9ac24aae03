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

// Matrix × matrix for prompt processing (shaders/matmul.comp): y[t][yOffset + r] = Σ_k W[r][k]·x[t][k] over one
// row chunk of W. Specialization: constant_id 0 = threads, 1 = BM (rows per tile), 2 = BN (tokens per tile),
// 3 = BK (k per step, a multiple of 8), 4 = TM, 5 = TN (outputs per thread); threads = (BM / TM)·(BN / TN).
#define VELA_MATMUL_VECTOR_W 1u  // flags: W rows may be read 8 elements at a time (F32/F16/BF16 only)
#define VELA_MATMUL_VECTOR_X 2u  // flags: x may be read as vec4 (cols % 4 == 0, offset 16-byte aligned)
struct MatMulPush {
    uint rows;          // rows of W in this dispatch (one chunk)
    uint cols;          // elements per row (= floats per token of x)
    uint blocksPerRow;  // cols / block size of the weight type
    uint nTokens;       // tokens (rows of x and y)
    uint yStride;       // floats between tokens of y (all rows of W)
    uint yOffset;       // first row of this chunk within a token of y
    uint flags;         // VELA_MATMUL_VECTOR_*
};

#ifdef __cplusplus
static_assert(sizeof(MatMulPush) == 28);
#endif

// Row kernels (shaders/rms_norm.comp, softmax.comp): one workgroup per row. Specialization: constant_id 0 =
// workgroup size (a power of two).
struct RmsNormPush {
    uint rows;
    uint cols;  // elements per row
    float eps;
};
struct SoftmaxPush {
    uint rows;
    uint cols;
    float scale;  // multiplies the inputs before the softmax
};

// Rotary embedding in place (shaders/rope.comp), one thread per rotated pair. The per-model constants
// (theta step, YaRN ramp bounds, magnitude) are computed on the CPU exactly as the reference does.
struct RopePush {
    uint nTokens;
    uint nHeads;
    uint headDim;
    uint nRot;        // rotated dimensions (even, <= headDim)
    uint neox;        // 1: pairs (i, i + nRot/2); 0: adjacent pairs
    uint hasFactors;  // 1: binding 2 holds nRot/2 frequency divisors
    float thetaStep;  // freqBase^(-2/nRot)
    float freqScale;
    float extFactor;
    float magnitude;  // attnFactor, times YaRN's 1 + 0.1 ln(1/freqScale) when extFactor != 0
    float corrLow;    // YaRN ramp: pairs below are extrapolated ...
    float corrHigh;   // ... pairs above interpolated
};

// KV cache store (shaders/kv_store.comp): cache[dstOffset + i] = f16(src[i]) for i < n.
#define VELA_KV_STORE_WORKGROUP 256
struct KvStorePush {
    uint n;
    uint dstOffset;  // in f16 elements
};

// Flash attention (shaders/attention.comp). Specialization: constant_id 0 = workgroup size, 1 = head dim,
// 2 = query rows per workgroup, 3 = keys per block, 4 = soft-capping on, 5 = sliding window on.
struct AttentionPush {
    uint nTokens;
    uint nKv;
    uint firstPosition;
    uint nHead;
    uint nKvHead;
    uint causal;
    float scale;
    float softCap;  // read only when specialised with soft-capping (constant_id 4)
    uint window;    // read only when specialised with a sliding window (constant_id 5)
};

// Selection over logits (shaders/argmax.comp, topk.comp): pass 0 reduces chunks of the logits to
// per-workgroup candidates in a scratch buffer, pass 1 reduces those to the result.
// Specialization: constant_id 0 = workgroup size, 1 = logits per workgroup in pass 0.
#define VELA_TOPK_MAX_K 64
struct SelectPush {
    uint n;           // logits
    uint k;           // results wanted (1 for argmax)
    uint candidates;  // pass 1: entries in the scratch buffer
    uint pass;
};

#ifdef __cplusplus
static_assert(sizeof(RmsNormPush) == 12);
static_assert(sizeof(SoftmaxPush) == 12);
static_assert(sizeof(RopePush) == 48);
static_assert(sizeof(KvStorePush) == 8);
static_assert(sizeof(AttentionPush) == 36);
static_assert(sizeof(SelectPush) == 16);
#endif

// Scaling (shaders/scale.comp): out[i] = x[i] · factor, one thread per element (VELA_ELEMENTWISE_WORKGROUP).
struct ScalePush {
    uint n;
    float factor;
};

#ifdef __cplusplus
static_assert(sizeof(ScalePush) == 8);
#endif

// Average pooling of a token grid (shaders/avg_pool_tokens.comp): tokens laid out row-major on a side × side grid,
// each output token the mean of a kernel × kernel square (Gemma 3's projector: 16×16 patches → 4×4 tokens).
struct AvgPoolTokensPush {
    uint side;      // input grid side (tokens = side²)
    uint kernel;    // square edge; divides side
    uint channels;  // floats per token
};

#ifdef __cplusplus
static_assert(sizeof(AvgPoolTokensPush) == 12);
#endif

// Column copy (shaders/copy_columns.comp): dst[r][dstFirstCol + c] = src[r][srcFirstCol + c], one thread per copied element
// (VELA_ELEMENTWISE_WORKGROUP). Splits fused QKV and gate|up projection outputs.
struct CopyColumnsPush {
    uint rows;
    uint srcCols;      // floats per row of src
    uint srcFirstCol;  // first src column copied
    uint width;        // columns copied
    uint dstCols;      // floats per row of dst
    uint dstFirstCol;  // where the copied columns start in a dst row
};

// Layer norm (shaders/layer_norm.comp): one workgroup per row, like RmsNormPush.
struct LayerNormPush {
    uint rows;
    uint cols;  // elements per row
    float eps;
    uint hasBias;  // 1: add binding 2 (cols) after the weight
};

#ifdef __cplusplus
static_assert(sizeof(CopyColumnsPush) == 24);
static_assert(sizeof(LayerNormPush) == 16);
#endif

// Expert-indexed matrix × vector (shaders/matvec.comp with VELA_EXPERTS, Mixture-of-Experts): workgroup z = pair
// p − firstPair computes y[p][r] = Σ_k W[ids[p]·rows + r][k]·x[p / pairsPerX][k]. Same specialization as MatVecPush.
// A stack larger than one binding is split into chunks of whole experts, one dispatch each: a dispatch computes
// only the pairs whose expert lies in [expertBegin, expertEnd) and leaves the others alone.
struct MatVecExpertsPush {
    uint rows;          // rows of one expert's matrix
    uint cols;          // elements per row (= floats per row of x)
    uint blocksPerRow;  // cols / block size of the weight type
    uint nExperts;      // matrices stacked in W; larger ids give zero rows (from the chunk with expertEnd = nExperts)
    uint pairsPerX;     // consecutive pairs that share one row of x
    uint firstPair;     // pair of workgroup z = 0 (dispatches split at maxWorkGroupCount[2])
    uint expertBegin;   // first expert in this dispatch's binding of W
    uint expertEnd;     // one past the last expert in it
    uint blockOffset;   // blocks before expert expertBegin's matrix in the binding (bindings start at aligned offsets)
};

#ifdef __cplusplus
static_assert(sizeof(MatVecExpertsPush) == 36);
#endif

// Mixture-of-Experts routing and combination (shaders/moe_route.comp: one thread per token; moe_combine.comp:
// one thread per output element, VELA_ELEMENTWISE_WORKGROUP).
#define VELA_MOE_WORKGROUP 64
#define VELA_MOE_MAX_EXPERTS 512  // Kimi-K2: 384
#define VELA_MOE_MAX_K 8
#define VELA_MOE_GATING_SOFTMAX 0u
#define VELA_MOE_GATING_SIGMOID 1u
#define VELA_MOE_GATING_SOFTMAX_AFTER_TOPK 2u
#define VELA_MOE_MAX_GROUPS 32  // group-limited routing keeps a bitmask of groups
struct MoeRoutePush {
    uint nTokens;
    uint nExperts;     // router logits per token (≤ VELA_MOE_MAX_EXPERTS)
    uint k;            // experts chosen per token (≤ VELA_MOE_MAX_K)
    uint gating;       // VELA_MOE_GATING_*
    uint hasBias;      // 1: add binding 1 (nExperts) to the probabilities for the selection only
    uint normalize;    // 1: divide the k weights by their sum
    float scale;       // multiply the weights (skipped when 0 or 1)
    uint nGroups;      // > 1: group-limited routing over nGroups groups of nExperts / nGroups consecutive experts
    uint nGroupsUsed;  // groups kept per token (with nGroups > 1)
};
struct MoeCombinePush {
    uint nTokens;
    uint k;           // expert outputs per token
    uint nEmbd;       // floats per row
    uint accumulate;  // 1: add the sum to what out holds
};

#ifdef __cplusplus
static_assert(sizeof(MoeRoutePush) == 36);
static_assert(sizeof(MoeCombinePush) == 16);
#endif

VELA_ABI_END
#endif
