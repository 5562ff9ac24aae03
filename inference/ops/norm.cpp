// RMS normalization and layer normalization. Reference: Zhang & Sennrich 2019 (arXiv:1910.07467); Ba et al. 2016
// (arXiv:1607.06450); llama.cpp ggml-cpu ops.cpp ggml_compute_forward_rms_norm_f32, ggml_compute_forward_norm_f32.
#include "ops/norm.h"

#include "ops/dispatch_grid.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <string>

namespace vela::ops {

namespace {
constexpr uint32_t kRowWorkgroup = 256;
}

Status rmsNorm(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange weight,
               vk::BufferRange out, uint32_t rows, uint32_t cols, float eps)
{
    if (rows == 0 || cols == 0)
        return Status::failure("rmsNorm: empty shape (" + std::to_string(rows) + " × " + std::to_string(cols) + ")");
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get("rms_norm", 3, sizeof(abi::RmsNormPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.status();
    const abi::RmsNormPush push{rows, cols, eps};
    const DispatchGrid grid = gridFor(rows, 1, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {x, weight, out}, push, grid.x, grid.y);
    return {};
}

Status layerNorm(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange weight,
                 std::optional<vk::BufferRange> bias, vk::BufferRange out, uint32_t rows, uint32_t cols, float eps)
{
    if (rows == 0 || cols == 0)
        return Status::failure("layerNorm: empty shape (" + std::to_string(rows) + " × " + std::to_string(cols) + ")");
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get("layer_norm", 4, sizeof(abi::LayerNormPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.status();
    const abi::LayerNormPush push{rows, cols, eps, bias ? 1u : 0u};
    const DispatchGrid grid = gridFor(rows, 1, kernels.context().limits().maxWorkGroupCount[0]);
    // Without a bias, binding 2 gets the weight again: it must hold a valid buffer but is never read.
    stream.dispatch(**pipeline, {x, weight, bias.value_or(weight), out}, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
