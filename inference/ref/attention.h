// Reference scaled dot-product attention with grouped-query heads, causal / sliding-window masking,
// optional additive mask and optional logit soft-capping; softmax in float32.
// References: Vaswani et al. 2017 (arXiv:1706.03762); Ainslie et al. 2023, GQA (arXiv:2305.13245);
// llama.cpp src/llama-graph.cpp `build_attn_mha` (non-flash path: kq = k·q, soft-cap, soft_max_ext with
// kq_scale and mask, kqv = v·kq) and ggml-cpu ops.cpp `ggml_compute_forward_soft_max_f32`.
#pragma once

#include <cstdint>

namespace vela::ref {

struct AttentionConfig {
    int64_t nHead = 0;
    int64_t nHeadKv = 0;        // divides nHead; query head h reads kv head h / (nHead / nHeadKv)
    int64_t headDimK = 0;
    int64_t headDimV = 0;
    float scale = 1.0f;         // multiplies q·k (usually 1/sqrt(headDimK))
    bool causal = true;         // key visible only if its position ≤ the query's
    int32_t slidingWindow = 0;  // > 0: key visible only if query position − key position < slidingWindow
    float softcap = 0.0f;       // > 0: score = softcap·tanh(score / softcap) after scaling (Gemma 2, Grok)
};

// q: (nTokens, nHead, headDimK); k: (nKv, nHeadKv, headDimK); v: (nKv, nHeadKv, headDimV);
// qPositions: (nTokens); kPositions: (nKv), or null for 0 … nKv−1; mask: (nTokens, nKv) added to the scores
// (−INFINITY hides a key) or null; out: (nTokens, nHead, headDimV). A query that sees no key gets zeros.
void attention(const float* q, const float* k, const float* v, int64_t nTokens, int64_t nKv,
               const int32_t* qPositions, const int32_t* kPositions, const float* mask,
               const AttentionConfig& config, float* out);

}  // namespace vela::ref
