#include "ops/elementwise.h"

#include "ops/dispatch_grid.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <cmath>
#include <string>

namespace vela::ops {

Status add(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange a, vk::BufferRange b,
           vk::BufferRange out, uint32_t n, uint32_t bLength)
{
    Result<const vk::ComputePipeline*> pipeline = kernels.get("add", 3, sizeof(abi::ElementwisePush));
    if (!pipeline)
        return pipeline.status();
    const abi::ElementwisePush push{n, bLength};
    const DispatchGrid grid =
        gridFor(n, VELA_ELEMENTWISE_WORKGROUP, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {a, b, out}, push, grid.x, grid.y);
    return {};
}

Status addRows(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange bias,
               vk::BufferRange y, uint32_t rows, uint32_t cols)
{
    const uint64_t n = uint64_t(rows) * cols;
    if (n == 0 || n > UINT32_MAX)
        return Status::failure("addRows: unsupported shape (" + std::to_string(rows) + " × " + std::to_string(cols) +
                               ")");
    // A bias row is add's repeating b.
    return add(kernels, stream, x, bias, y, static_cast<uint32_t>(n), cols);
}

Status scale(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange y, uint32_t n,
             float factor)
{
    if (n == 0)
        return Status::failure("scale: no elements");
    Result<const vk::ComputePipeline*> pipeline = kernels.get("scale", 2, sizeof(abi::ScalePush));
    if (!pipeline)
        return pipeline.status();
    const abi::ScalePush push{n, factor};
    const DispatchGrid grid =
        gridFor(n, VELA_ELEMENTWISE_WORKGROUP, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {x, y}, push, grid.x, grid.y);
    return {};
}

Status softCap(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange y, uint32_t n,
               float cap)
{
    if (n == 0)
        return Status::failure("soft-cap: no elements");
    if (!(cap > 0.0f) || std::isinf(cap))
        return Status::failure("soft-cap: the cap must be a finite value > 0");
    Result<const vk::ComputePipeline*> pipeline = kernels.get("soft_cap", 2, sizeof(abi::ScalePush));
    if (!pipeline)
        return pipeline.status();
    const abi::ScalePush push{n, cap};
    const DispatchGrid grid =
        gridFor(n, VELA_ELEMENTWISE_WORKGROUP, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, {x, y}, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
