// Reference Mixture-of-Experts routing and combination.
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn (with n_expert_groups); ggml-cpu ops.cpp
// ggml_compute_forward_soft_max_f32 (sum in double, multiply by the reciprocal),
// ggml_compute_forward_argsort_f32 (descending), vec.h ggml_vec_sum_f32 (sum_rows in double).
#include "ref/moe.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

namespace vela::ref {

namespace {

// Floats as unsigned keys that compare like the values; −0 equals +0, NaN below everything.
uint32_t orderedKey(float value)
{
    if (std::isnan(value))
        return 0;
    if (value == 0.0f)
        return 0x80000000u;
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}

// In place: exp(x − max) · (1 / Σ), the sum taken in double as ggml does.
void softmaxInPlace(float* x, int64_t n)
{
    float maxValue = -INFINITY;
    for (int64_t i = 0; i < n; ++i)
        maxValue = std::max(maxValue, x[i]);
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - maxValue);
        sum += x[i];
    }
    const float inverse = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < n; ++i)
        x[i] *= inverse;
}

std::vector<float> gateProbabilities(const float* logits, const MoeRouting& routing)
{
    std::vector<float> p(logits, logits + routing.nExperts);
    switch (routing.gating) {
    case MoeGating::Softmax:
        softmaxInPlace(p.data(), routing.nExperts);
        break;
    case MoeGating::Sigmoid:
        for (float& v : p)
            v = 1.0f / (1.0f + std::exp(-v));
        break;
    case MoeGating::SoftmaxAfterTopK:
        break;
    }
    return p;
}

// Whether each expert belongs to one of the nGroupsUsed groups with the best scores, a score being the sum of
// the group's two largest selection values (llama.cpp: ggml_argsort_top_k 2, get_rows, sum_rows, then
// ggml_argsort_top_k n_group_used over the scores).
std::vector<bool> keptExperts(const std::vector<float>& selection, const MoeRouting& routing)
{
    const int64_t groupSize = routing.nExperts / routing.nGroups;
    std::vector<float> scores(routing.nGroups);
    for (int64_t g = 0; g < routing.nGroups; ++g) {
        std::vector<float> group(selection.begin() + g * groupSize, selection.begin() + (g + 1) * groupSize);
        std::stable_sort(group.begin(), group.end(),
                         [](float a, float b) { return orderedKey(a) > orderedKey(b); });
        scores[g] = static_cast<float>(double(group[0]) + double(group[1]));
    }
    std::vector<int64_t> groups(routing.nGroups);
    std::iota(groups.begin(), groups.end(), int64_t(0));
    std::stable_sort(groups.begin(), groups.end(),
                     [&](int64_t a, int64_t b) { return orderedKey(scores[a]) > orderedKey(scores[b]); });
    std::vector<bool> kept(routing.nExperts, false);
    for (int64_t i = 0; i < routing.nGroupsUsed; ++i)
        std::fill_n(kept.begin() + groups[i] * groupSize, groupSize, true);
    return kept;
}

}  // namespace

void moeRoute(const float* logits, const float* bias, const MoeRouting& routing, uint32_t* ids, float* weights)
{
    const std::vector<float> p = gateProbabilities(logits, routing);
    std::vector<float> selection(routing.nExperts);
    for (int64_t e = 0; e < routing.nExperts; ++e)
        selection[e] = bias ? p[e] + bias[e] : p[e];
    const std::vector<bool> kept =
        routing.nGroups > 1 ? keptExperts(selection, routing) : std::vector<bool>(routing.nExperts, true);
    // Experts of dropped groups rank after every kept one (and are never among the k).
    std::vector<uint64_t> keys(routing.nExperts);
    for (int64_t e = 0; e < routing.nExperts; ++e)
        keys[e] = (uint64_t(kept[e]) << 32) | orderedKey(selection[e]);
    std::vector<uint32_t> order(routing.nExperts);
    std::iota(order.begin(), order.end(), 0u);
    // Stable: equal values keep the lower index first (what ggml's sort yields for these small rows).
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] > keys[b]; });

    const int64_t k = routing.k;
    for (int64_t j = 0; j < k; ++j) {
        ids[j] = order[j];
        weights[j] = p[order[j]];
    }
    if (routing.gating == MoeGating::SoftmaxAfterTopK)
        softmaxInPlace(weights, k);
    if (routing.normalize) {
        double sum = 0.0;
        for (int64_t j = 0; j < k; ++j)
            sum += weights[j];
        // Clamped to the smallest normal fp16 so that all-zero weights do not divide by zero.
        const float divisor = std::max(static_cast<float>(sum), 6.103515625e-5f);
        for (int64_t j = 0; j < k; ++j)
            weights[j] /= divisor;
    }
    if (routing.scale != 0.0f && routing.scale != 1.0f) {
        for (int64_t j = 0; j < k; ++j)
            weights[j] *= routing.scale;
    }
}

void moeCombine(const float* expertOut, const float* weights, float* out, int64_t k, int64_t nEmbd, bool accumulate)
{
    for (int64_t c = 0; c < nEmbd; ++c) {
        float sum = weights[0] * expertOut[c];
        for (int64_t j = 1; j < k; ++j) {
            const float term = weights[j] * expertOut[j * nEmbd + c];
            sum += term;
        }
        out[c] = accumulate ? out[c] + sum : sum;
    }
}

}  // namespace vela::ref
