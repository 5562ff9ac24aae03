// Mixture-of-Experts on the device, the two kernels around the expert matrices: routing (which k experts each
// token uses, with which weights) and combination (the weighted sum of the chosen experts' outputs).
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <cstdint>
#include <optional>

namespace vela::ops {

constexpr uint32_t kMoeMaxExperts = 512;  // Kimi-K2 routes over 384
constexpr uint32_t kMoeMaxExpertsUsed = 8;
constexpr uint32_t kMoeMaxGroups = 32;

enum class MoeGating : uint32_t {
    Softmax,          // p = softmax(logits); select and weigh by p (Mixtral, Qwen-MoE)
    Sigmoid,          // p = σ(logits) (DeepSeek-V3, usually with a selection bias and normalize)
    SoftmaxAfterTopK  // select on the logits, weights = softmax of the k chosen logits (gpt-oss)
};

struct MoeRouteParams {
    uint32_t nTokens = 0;
    uint32_t nExperts = 0;  // 1 … kMoeMaxExperts
    uint32_t k = 0;         // experts used per token, 1 … min(nExperts, kMoeMaxExpertsUsed)
    MoeGating gating = MoeGating::Softmax;
    bool normalize = false;  // divide the k weights by their sum (clamped ≥ 6.103515625e-5)
    float scale = 1.0f;      // multiply the weights, unless 0 or 1
    // Group-limited routing (DeepSeek-V3, Kimi-K2; GGUF `<arch>.expert_group_count` / `expert_group_used_count`,
    // llama.cpp's n_expert_groups / n_group_used). 0 or 1: off. Else 2 … kMoeMaxGroups groups of
    // nExperts / nGroups (≥ 2) consecutive experts; nGroupsUsed (1 … nGroups) of them are kept per token, and
    // k ≤ nGroupsUsed · nExperts / nGroups. nGroupsUsed is ignored while grouping is off.
    uint32_t nGroups = 0;
    uint32_t nGroupsUsed = 0;
};

// Per token t: ids[t][0…k) = the k experts with the largest p + selectionBias (higher first, ties to the lower
// index, NaN last), weights[t][j] = p[ids[t][j]] (then normalized / scaled; the bias never enters a weight).
// With groups, only the experts of the nGroupsUsed groups whose two largest p + selectionBias have the largest
// sums (ties to the lower group) can be chosen.
// logits (nTokens, nExperts) f32, selectionBias (nExperts) f32, ids (nTokens, k) u32, weights (nTokens, k) f32.
// One dispatch; the caller adds the barrier before ids/weights are read.
Status moeRoute(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange logits,
                std::optional<vk::BufferRange> selectionBias, vk::BufferRange ids, vk::BufferRange weights,
                const MoeRouteParams& params);

// out[t] = Σ_j weights[t][j] · expertOut[t·k + j], products rounded and summed in j order (as llama.cpp's chain
// of adds); with `accumulate`, out[t] = out[t] + that sum. expertOut (nTokens·k, nEmbd) f32, weights
// (nTokens, k) f32, out (nTokens, nEmbd) f32. nTokens·k·nEmbd must fit 32 bits. One dispatch.
Status moeCombine(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange expertOut,
                  vk::BufferRange weights, vk::BufferRange out, uint32_t nTokens, uint32_t k, uint32_t nEmbd,
                  bool accumulate);

}  // namespace vela::ops
