#include "ops/elementwise.h"

#include "ops/dispatch_grid.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

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

}  // namespace vela::ops
