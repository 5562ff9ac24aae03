// The one dispatch every one-thread-per-element kernel shares (add, scale, soft-cap, SwiGLU, GELU, GeGLU): the
// pipeline by name, the buffers bound in order, a push struct, and a 2-D grid so long vectors fit.
#pragma once

#include "ops/dispatch_grid.h"
#include "ops/kernel_library.h"
#include "vk/command_stream.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <initializer_list>
#include <string>

namespace vela::ops {

template <class Push>
Status dispatchPerElement(KernelLibrary& kernels, vk::CommandStream& stream, const std::string& shader,
                          std::initializer_list<vk::BufferRange> buffers, const Push& push, uint32_t n)
{
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get(shader, static_cast<uint32_t>(buffers.size()), sizeof(Push));
    if (!pipeline)
        return pipeline.status();
    const DispatchGrid grid =
        gridFor(n, VELA_ELEMENTWISE_WORKGROUP, kernels.context().limits().maxWorkGroupCount[0]);
    stream.dispatch(**pipeline, buffers, push, grid.x, grid.y);
    return {};
}

}  // namespace vela::ops
