// RoPE. References: Su et al. 2021, RoFormer (arXiv:2104.09864); Peng et al. 2023, YaRN (arXiv:2309.00071);
// llama.cpp ggml.c ggml_rope_yarn_corr_dims and ggml-cpu ops.cpp rope_yarn. The per-model constants are
// computed here in float, as the CPU path does, so that the shader only builds the angles.
#include "ops/rope.h"

#include "ops/dispatch_grid.h"
#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace vela::ops {

namespace {

constexpr uint32_t kRopeWorkgroup = 64;  // local_size_x of rope.comp

// The pair index at which a frequency turns `rotations` times over the original context.
float yarnCorrectionDim(uint32_t nRot, uint32_t nCtxOrig, float rotations, float freqBase)
{
    const float twoPi = 2.0f * std::numbers::pi_v<float>;
    return static_cast<float>(nRot) * std::log(static_cast<float>(nCtxOrig) / (rotations * twoPi)) /
           (2.0f * std::log(freqBase));
}

Status checkParams(const RopeParams& p)
{
    if (p.nRot % 2 != 0 || p.nRot > p.headDim)
        return Status::failure("rope: rotated dimensions (" + std::to_string(p.nRot) +
                               ") must be even and at most the head dimension (" + std::to_string(p.headDim) + ")");
    if (uint64_t(p.nTokens) * p.nHeads * p.headDim > UINT32_MAX)
        return Status::failure("rope: tensor too large for 32-bit indexing");
    return {};
}

}  // namespace

Status rope(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange positions,
            std::optional<vk::BufferRange> freqFactors, const RopeParams& params)
{
    VELA_TRY(checkParams(params));
    const uint64_t items = uint64_t(params.nTokens) * params.nHeads * (params.nRot / 2);
    if (items == 0)
        return {};  // nothing rotates
    Result<const vk::ComputePipeline*> pipeline = kernels.get("rope", 3, sizeof(abi::RopePush));
    if (!pipeline)
        return pipeline.status();

    abi::RopePush push{};
    push.nTokens = params.nTokens;
    push.nHeads = params.nHeads;
    push.headDim = params.headDim;
    push.nRot = params.nRot;
    push.neox = params.neox ? 1 : 0;
    push.hasFactors = freqFactors ? 1 : 0;
    push.thetaStep = std::pow(params.freqBase, -2.0f / static_cast<float>(params.nRot));
    push.freqScale = params.freqScale;
    push.extFactor = params.extFactor;
    push.magnitude = params.attnFactor;
    if (params.extFactor != 0.0f)  // YaRN's attention temperature, folded into cos and sin
        push.magnitude *= 1.0f + 0.1f * std::log(1.0f / params.freqScale);
    const float low = std::floor(yarnCorrectionDim(params.nRot, params.nCtxOrig, params.betaFast, params.freqBase));
    const float high = std::ceil(yarnCorrectionDim(params.nRot, params.nCtxOrig, params.betaSlow, params.freqBase));
    push.corrLow = std::max(0.0f, low);
    push.corrHigh = std::min(static_cast<float>(params.nRot - 1), high);

    // Without factors the binding still needs a buffer; the shader does not read it.
    const vk::BufferRange factors = freqFactors ? *freqFactors : positions;
    const DispatchGrid grid = gridFor(items, kRopeWorkgroup, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {x, positions, factors}, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
