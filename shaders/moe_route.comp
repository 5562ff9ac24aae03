#version 450
// Mixture-of-experts routing, one thread per token: gate probabilities from the router logits, the k experts
// with the highest (optionally biased) probabilities, and their weights — optionally renormalized and scaled.
// Selection order: higher value first, ties to the lower expert index, NaN last (select_order.glsl); the
// weights use the unbiased probabilities (DeepSeek-V3's bias only steers the choice). With nGroups > 1
// (DeepSeek-V3, Kimi-K2) only the experts of the nGroupsUsed best groups can be chosen (keptGroupMask).
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn (gating, exp_probs_b, n_expert_groups, norm_w,
// w_scale) and ggml-cpu ops.cpp ggml_compute_forward_soft_max_f32 (max-shifted exp, sum, multiply by the
// reciprocal).
#include "vela_abi.h"

layout(local_size_x = VELA_MOE_WORKGROUP) in;

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };    // (nTokens, nExperts)
layout(std430, binding = 1) readonly buffer Bias { float bias[]; };        // (nExperts), read only if hasBias
layout(std430, binding = 2) writeonly buffer Ids { uint ids[]; };          // (nTokens, k)
layout(std430, binding = 3) writeonly buffer Weights { float weights[]; }; // (nTokens, k)
layout(push_constant) uniform Push { MoeRoutePush p; };

#include "select_order.glsl"

uint gBase;        // first logit of this token
float gMax;        // softmax: the largest logit
float gInvSum;     // softmax: 1 / Σ exp(logit − max)

float probabilityOf(uint expert)
{
    const float x = logits[gBase + expert];
    if (p.gating == VELA_MOE_GATING_SOFTMAX) {
        precise float prob = exp(x - gMax) * gInvSum;
        return prob;
    }
    if (p.gating == VELA_MOE_GATING_SIGMOID)
        return 1.0 / (1.0 + exp(-x));
    return x;  // softmax after top-k: select on the raw logits
}

float selectionValue(uint expert)
{
    // `precise`: the biased sum must round like the reference's separate add (no fused multiply-add).
    precise float value = probabilityOf(expert);
    if (p.hasBias != 0u)
        value = value + bias[expert];
    return value;
}

// Group-limited routing (llama.cpp's n_expert_groups): group g = experts g·groupSize … (g+1)·groupSize − 1;
// its score is the sum of its two largest selection values (ggml_argsort_top_k 2 + sum_rows), and the
// nGroupsUsed groups with the highest scores are kept, equal scores to the lower group (ggml's descending
// std::sort is an insertion sort, hence stable, for up to 16 groups). Returns the bitmask of kept groups.
// llama.cpp sets the other groups' selection values to −inf; here their experts are skipped, which picks the
// same experts (k ≤ the kept experts) except where the kept groups hold NaN or −inf values.
uint keptGroupMask(uint groupSize)
{
    float score[VELA_MOE_MAX_GROUPS];
    for (uint g = 0u; g < p.nGroups; ++g) {
        uint key1 = 0u, index1 = SELECT_NONE_INDEX, key2 = 0u, index2 = SELECT_NONE_INDEX;
        float value1 = 0.0, value2 = 0.0;
        for (uint e = g * groupSize; e < (g + 1u) * groupSize; ++e) {
            const float value = selectionValue(e);
            const uint key = orderedKey(value);
            if (ranksBefore(key, e, key1, index1)) {
                key2 = key1;
                index2 = index1;
                value2 = value1;
                key1 = key;
                index1 = e;
                value1 = value;
            } else if (ranksBefore(key, e, key2, index2)) {
                key2 = key;
                index2 = e;
                value2 = value;
            }
        }
        // One float add equals ggml's sum of the two in double rounded to float (53 ≥ 2·24 + 2 bits).
        precise float sum = value1 + value2;
        score[g] = sum;
    }
    // A group is kept when fewer than nGroupsUsed groups rank before it: at most 32 · 32 comparisons.
    uint mask = 0u;
    for (uint g = 0u; g < p.nGroups; ++g) {
        const uint key = orderedKey(score[g]);
        uint rank = 0u;
        for (uint h = 0u; h < p.nGroups; ++h)
            rank += ranksBefore(orderedKey(score[h]), h, key, g) ? 1u : 0u;
        if (rank < p.nGroupsUsed)
            mask |= 1u << g;
    }
    return mask;
}

void prepareSoftmax()
{
    gMax = uintBitsToFloat(0xFF800000u);
    for (uint e = 0u; e < p.nExperts; ++e)
        gMax = max(gMax, logits[gBase + e]);
    float sum = 0.0;
    for (uint e = 0u; e < p.nExperts; ++e)
        sum += exp(logits[gBase + e] - gMax);
    gInvSum = 1.0 / sum;
}

void main()
{
    const uint token = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * VELA_MOE_WORKGROUP;
    if (token >= p.nTokens)
        return;
    gBase = token * p.nExperts;
    if (p.gating == VELA_MOE_GATING_SOFTMAX)
        prepareSoftmax();
    // Without grouping: one group of all experts, kept.
    const uint nGroups = max(p.nGroups, 1u);
    const uint groupSize = p.nExperts / nGroups;
    const uint kept = nGroups > 1u ? keptGroupMask(groupSize) : 1u;

    // k passes of a selection scan over the kept groups: each picks the best expert ranking after the previous
    // pick, so the total order (value, then index) never picks an expert twice. k · nExperts ≤ 2048
    // comparisons per token.
    uint chosen[VELA_MOE_MAX_K];
    float w[VELA_MOE_MAX_K];
    uint previousKey = 0u;
    uint previousIndex = SELECT_NONE_INDEX;
    for (uint j = 0u; j < p.k; ++j) {
        uint bestKey = 0u;
        uint bestIndex = SELECT_NONE_INDEX;
        for (uint g = 0u; g < nGroups; ++g) {
            if ((kept & (1u << g)) == 0u)
                continue;
            for (uint e = g * groupSize; e < (g + 1u) * groupSize; ++e) {
                const uint key = orderedKey(selectionValue(e));
                const bool afterPrevious = j == 0u || ranksBefore(previousKey, previousIndex, key, e);
                if (afterPrevious && ranksBefore(key, e, bestKey, bestIndex)) {
                    bestKey = key;
                    bestIndex = e;
                }
            }
        }
        chosen[j] = bestIndex;
        w[j] = probabilityOf(bestIndex);
        previousKey = bestKey;
        previousIndex = bestIndex;
    }

    if (p.gating == VELA_MOE_GATING_SOFTMAX_AFTER_TOPK) {
        float topMax = w[0];
        for (uint j = 1u; j < p.k; ++j)
            topMax = max(topMax, w[j]);
        float sum = 0.0;
        for (uint j = 0u; j < p.k; ++j) {
            w[j] = exp(w[j] - topMax);
            sum += w[j];
        }
        const float invSum = 1.0 / sum;
        for (uint j = 0u; j < p.k; ++j)
            w[j] *= invSum;
    }
    if (p.normalize != 0u) {
        float sum = 0.0;
        for (uint j = 0u; j < p.k; ++j)
            sum += w[j];
        // The smallest normal fp16, as llama.cpp clamps it: a sum of zeros must not divide by zero.
        sum = max(sum, 6.103515625e-5);
        for (uint j = 0u; j < p.k; ++j)
            w[j] = w[j] / sum;
    }
    if (p.scale != 0.0 && p.scale != 1.0) {
        for (uint j = 0u; j < p.k; ++j)
            w[j] *= p.scale;
    }
    for (uint j = 0u; j < p.k; ++j) {
        ids[token * p.k + j] = chosen[j];
        weights[token * p.k + j] = w[j];
    }
}
