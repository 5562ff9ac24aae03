// Helpers shared by the kernels that read weights (matvec, embedding): the shader-name suffix of a weight
// type, and the split of a weight into row chunks that each fit one storage-buffer binding.
#pragma once

#include "ops/weight_view.h"

#include "vela/status.h"

#include <optional>
#include <string>

namespace vela::vk {
class VulkanContext;
}

namespace vela::ops {

// "f32", "q4_k", … for the types the dequantizing shaders handle (shaders/common/dequant.glsl); nullopt else.
std::optional<std::string> weightShaderSuffix(GgmlType type);

// Rows per binding: as many whole rows as fit `maxBindingBytes`, rounded down so that every chunk starts at a
// byte offset that is a multiple of `offsetAlignment` (relative to the weight's own, aligned, offset).
struct RowChunking {
    uint64_t rowBytes = 0;
    uint32_t rowsPerChunk = 0;
};
Result<RowChunking> planRowChunks(const WeightView& w, uint64_t maxBindingBytes, uint64_t offsetAlignment);

// The binding of rows [firstRow, firstRow + rows) of `w`.
vk::BufferRange rowRange(const WeightView& w, const RowChunking& chunking, uint32_t firstRow, uint32_t rows);

// VkPhysicalDeviceLimits::minStorageBufferOffsetAlignment of the context's device.
uint64_t storageOffsetAlignment(const vk::VulkanContext& context);

}  // namespace vela::ops
