// Reference Mixture-of-Experts routing and combination, as llama.cpp's build_moe_ffn computes them on the CPU.
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn; ggml-cpu ops.cpp (soft_max, argsort, sum_rows).
#pragma once

#include <cstdint>

namespace vela::ref {

enum class MoeGating {
    Softmax,          // p = softmax(logits)
    Sigmoid,          // p = 1 / (1 + exp(−logit))
    SoftmaxAfterTopK  // p = logits; the k chosen weights go through a softmax
};

struct MoeRouting {
    int64_t nExperts = 0;
    int64_t k = 0;
    MoeGating gating = MoeGating::Softmax;
    bool normalize = false;  // divide the k weights by max(their sum, 6.103515625e-5)
    float scale = 1.0f;      // multiply the weights unless 0 or 1
    int64_t nGroups = 0;      // > 1: group-limited routing over nGroups groups of nExperts / nGroups experts
    int64_t nGroupsUsed = 0;  // groups kept (with nGroups > 1)
};

// One token: ids (k) = the k experts with the largest p + bias (bias may be null), higher first, equal values to
// the lower index (a stable descending sort), NaN last; weights (k) = p of those experts, then the softmax after
// top-k, normalization and scale. logits (nExperts), bias (nExperts).
// With nGroups > 1 only experts of the kept groups are chosen: the nGroupsUsed groups whose two largest p + bias
// have the largest sum (summed in double, rounded to float, as ggml's sum_rows), equal sums to the lower group.
// llama.cpp gives the other experts −inf instead; the choice is the same unless kept experts are NaN or −inf.
void moeRoute(const float* logits, const float* bias, const MoeRouting& routing, uint32_t* ids, float* weights);

// One token: out (nEmbd) = (accumulate ? out : 0) + Σ_j weights[j]·expertOut[j] with each product rounded to
// float and added in j order; the earlier contents of out are added last. expertOut (k, nEmbd).
void moeCombine(const float* expertOut, const float* weights, float* out, int64_t k, int64_t nEmbd, bool accumulate);

}  // namespace vela::ref
