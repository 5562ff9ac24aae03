// Average pooling of a token grid. Reference: llama.cpp ggml-cpu ops.cpp ggml_compute_forward_pool_2d (AVG).
#include "ops/pool.h"

#include "ops/elementwise_dispatch.h"

#include <string>

namespace vela::ops {

Status avgPoolTokens(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange out,
                     uint32_t side, uint32_t kernel, uint32_t channels)
{
    const uint64_t inputs = uint64_t(side) * side * channels;
    if (side == 0 || kernel == 0 || channels == 0 || side % kernel != 0 || inputs > UINT32_MAX)
        return Status::failure("avgPoolTokens: unsupported shape (grid " + std::to_string(side) + "², kernel " +
                               std::to_string(kernel) + ", " + std::to_string(channels) + " channels)");
    const uint32_t outSide = side / kernel;
    const abi::AvgPoolTokensPush push{side, kernel, channels};
    return dispatchPerElement(kernels, stream, "avg_pool_tokens", {x, out}, push, outSide * outSide * channels);
}

}  // namespace vela::ops
