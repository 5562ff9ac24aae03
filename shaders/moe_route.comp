#version 450
// Mixture-of-experts routing, one thread per token: gate probabilities from the router logits, the k experts
// with the highest (optionally biased) probabilities, and their weights — optionally renormalized and scaled.
// Selection order: higher value first, ties to the lower expert index, NaN last (select_order.glsl); the
// weights use the unbiased probabilities (DeepSeek-V3's bias only steers the choice).
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn (gating, exp_probs_b, norm_w, w_scale) and
// ggml-cpu ops.cpp ggml_compute_forward_soft_max_f32 (max-shifted exp, sum, multiply by the reciprocal).
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

uint selectionKey(uint expert)
{
    // `precise`: the biased sum must round like the reference's separate add (no fused multiply-add).
    precise float value = probabilityOf(expert);
    if (p.hasBias != 0u)
        value = value + bias[expert];
    return orderedKey(value);
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

    // k passes of a selection scan: each picks the best expert ranking after the previous pick, so the total
    // order (value, then index) never picks an expert twice. k · nExperts ≤ 2048 comparisons per token.
    uint chosen[VELA_MOE_MAX_K];
    float w[VELA_MOE_MAX_K];
    uint previousKey = 0u;
    uint previousIndex = SELECT_NONE_INDEX;
    for (uint j = 0u; j < p.k; ++j) {
        uint bestKey = 0u;
        uint bestIndex = SELECT_NONE_INDEX;
        for (uint e = 0u; e < p.nExperts; ++e) {
            const uint key = selectionKey(e);
            const bool afterPrevious = j == 0u || ranksBefore(previousKey, previousIndex, key, e);
            if (afterPrevious && ranksBefore(key, e, bestKey, bestIndex)) {
                bestKey = key;
                bestIndex = e;
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
