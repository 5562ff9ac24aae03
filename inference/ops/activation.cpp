// SwiGLU, GELU/GeGLU and softmax. References: Shazeer 2020 (arXiv:2002.05202); Hendrycks & Gimpel 2016
// (arXiv:1606.08415); llama.cpp ggml-cpu vec.h ggml_vec_swiglu_f32 / ggml_vec_gelu_f32 / ggml_vec_geglu_f32 and
// ops.cpp ggml_compute_forward_soft_max_f32.
#include "ops/activation.h"

#include "ops/dispatch_grid.h"
#include "ops/elementwise_dispatch.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

namespace vela::ops {

namespace {
constexpr uint32_t kRowWorkgroup = 256;
}

Status swiglu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange gate, vk::BufferRange up,
              vk::BufferRange out, uint32_t n)
{
    if (n == 0)
        return Status::failure("swiglu: no elements");
    return dispatchPerElement(kernels, stream, "swiglu", {gate, up, out}, abi::ElementwisePush{n, 0}, n);
}

Status gelu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out, uint32_t n)
{
    if (n == 0)
        return Status::failure("gelu: no elements");
    return dispatchPerElement(kernels, stream, "gelu", {x, out}, abi::ElementwisePush{n, 0}, n);
}

Status geglu(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange gate, vk::BufferRange up,
             vk::BufferRange out, uint32_t n)
{
    if (n == 0)
        return Status::failure("geglu: no elements");
    return dispatchPerElement(kernels, stream, "geglu", {gate, up, out}, abi::ElementwisePush{n, 0}, n);
}

Status softmax(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out,
               uint32_t rows, uint32_t cols, float scale)
{
    if (rows == 0 || cols == 0)
        return Status::failure("softmax: empty shape (" + std::to_string(rows) + " × " + std::to_string(cols) + ")");
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get("softmax", 2, sizeof(abi::SoftmaxPush), {kRowWorkgroup});
    if (!pipeline)
        return pipeline.status();
    const abi::SoftmaxPush push{rows, cols, scale};
    const DispatchGrid grid = gridFor(rows, 1, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {x, out}, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
