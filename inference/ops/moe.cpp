// Mixture-of-Experts routing and combination (shaders/moe_route.comp, shaders/moe_combine.comp).
// Reference: llama.cpp src/llama-graph.cpp build_moe_ffn.
#include "ops/moe.h"

#include "ops/dispatch_grid.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <string>

namespace vela::ops {

static_assert(kMoeMaxExperts == VELA_MOE_MAX_EXPERTS);
static_assert(kMoeMaxExpertsUsed == VELA_MOE_MAX_K);
static_assert(kMoeMaxGroups == VELA_MOE_MAX_GROUPS);
static_assert(uint32_t(MoeGating::Softmax) == VELA_MOE_GATING_SOFTMAX);
static_assert(uint32_t(MoeGating::Sigmoid) == VELA_MOE_GATING_SIGMOID);
static_assert(uint32_t(MoeGating::SoftmaxAfterTopK) == VELA_MOE_GATING_SOFTMAX_AFTER_TOPK);

namespace {

uint64_t bytesIn(vk::BufferRange range)
{
    if (range.buffer == nullptr)
        return 0;
    return range.size != VK_WHOLE_SIZE ? range.size : range.buffer->size() - range.offset;
}

Status checkRange(const char* op, const char* what, vk::BufferRange range, uint64_t floats)
{
    if (bytesIn(range) < floats * 4)
        return Status::failure(std::string(op) + ": " + what + " holds fewer than the " + std::to_string(floats * 4) +
                               " bytes needed");
    return {};
}

// Group-limited routing needs whole groups of at least two experts (a group's score sums its two best) and
// enough kept experts for k.
Status checkGroups(const MoeRouteParams& params)
{
    if (params.nGroups <= 1)
        return {};
    const auto shape = [&] {
        return " (" + std::to_string(params.nExperts) + " experts, " + std::to_string(params.nGroups) + " groups, " +
               std::to_string(params.nGroupsUsed) + " used, k " + std::to_string(params.k) + ")";
    };
    if (params.nGroups > kMoeMaxGroups || params.nExperts % params.nGroups != 0 ||
        params.nExperts / params.nGroups < 2)
        return Status::failure("moeRoute: the experts do not split into at most " + std::to_string(kMoeMaxGroups) +
                               " equal groups of two or more" + shape());
    if (params.nGroupsUsed == 0 || params.nGroupsUsed > params.nGroups)
        return Status::failure("moeRoute: the number of expert groups used must be 1 … the group count" + shape());
    if (params.k > params.nGroupsUsed * (params.nExperts / params.nGroups))
        return Status::failure("moeRoute: the kept expert groups hold fewer than k experts" + shape());
    return {};
}

}  // namespace

Status moeRoute(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange logits,
                std::optional<vk::BufferRange> selectionBias, vk::BufferRange ids, vk::BufferRange weights,
                const MoeRouteParams& params)
{
    if (params.nTokens == 0 || params.nExperts == 0 || params.nExperts > kMoeMaxExperts || params.k == 0 ||
        params.k > params.nExperts || params.k > kMoeMaxExpertsUsed)
        return Status::failure("moeRoute: unsupported shape (" + std::to_string(params.nTokens) + " tokens, " +
                               std::to_string(params.nExperts) + " experts, k " + std::to_string(params.k) + ")");
    if (Status s = checkGroups(params); !s)
        return s;
    const uint64_t logitCount = uint64_t(params.nTokens) * params.nExperts;
    if (logitCount > UINT32_MAX)
        return Status::failure("moeRoute: too many tokens (" + std::to_string(params.nTokens) + ")");
    const uint64_t chosen = uint64_t(params.nTokens) * params.k;
    if (Status s = checkRange("moeRoute", "logits", logits, logitCount); !s)
        return s;
    if (Status s = checkRange("moeRoute", "ids", ids, chosen); !s)
        return s;
    if (Status s = checkRange("moeRoute", "weights", weights, chosen); !s)
        return s;
    if (selectionBias) {
        if (Status s = checkRange("moeRoute", "selection bias", *selectionBias, params.nExperts); !s)
            return s;
    }
    Result<const vk::ComputePipeline*> pipeline = kernels.get("moe_route", 4, sizeof(abi::MoeRoutePush));
    if (!pipeline)
        return pipeline.status();
    const abi::MoeRoutePush push{params.nTokens,
                                 params.nExperts,
                                 params.k,
                                 uint32_t(params.gating),
                                 selectionBias ? 1u : 0u,
                                 params.normalize ? 1u : 0u,
                                 params.scale,
                                 params.nGroups > 1 ? params.nGroups : 0u,
                                 params.nGroupsUsed};
    // Without a bias the shader never reads binding 1; the logits stand in so that every binding is valid.
    const vk::BufferRange bias = selectionBias ? *selectionBias : logits;
    const DispatchGrid grid =
        gridFor(params.nTokens, VELA_MOE_WORKGROUP, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {logits, bias, ids, weights}, push, grid.x, grid.y);
    return {};
}

Status moeCombine(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange expertOut,
                  vk::BufferRange weights, vk::BufferRange out, uint32_t nTokens, uint32_t k, uint32_t nEmbd,
                  bool accumulate)
{
    const uint64_t expertFloats = uint64_t(nTokens) * k * nEmbd;
    if (nTokens == 0 || k == 0 || nEmbd == 0 || expertFloats > UINT32_MAX)
        return Status::failure("moeCombine: unsupported shape (" + std::to_string(nTokens) + " tokens, k " +
                               std::to_string(k) + ", " + std::to_string(nEmbd) + " columns)");
    if (Status s = checkRange("moeCombine", "expert outputs", expertOut, expertFloats); !s)
        return s;
    if (Status s = checkRange("moeCombine", "weights", weights, uint64_t(nTokens) * k); !s)
        return s;
    if (Status s = checkRange("moeCombine", "out", out, uint64_t(nTokens) * nEmbd); !s)
        return s;
    Result<const vk::ComputePipeline*> pipeline = kernels.get("moe_combine", 3, sizeof(abi::MoeCombinePush));
    if (!pipeline)
        return pipeline.status();
    const abi::MoeCombinePush push{nTokens, k, nEmbd, accumulate ? 1u : 0u};
    const DispatchGrid grid = gridFor(uint64_t(nTokens) * nEmbd, VELA_ELEMENTWISE_WORKGROUP,
                                      kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {expertOut, weights, out}, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
