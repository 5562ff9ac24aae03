#include "ops/weight_chunks.h"

#include "vk/vulkan_context.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace vela::ops {

std::optional<std::string> weightShaderSuffix(GgmlType type)
{
    if (!isSupportedWeightType(type))
        return std::nullopt;
    std::string name(ggmlTypeName(type));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

Result<RowChunking> planRowChunks(const WeightView& w, uint64_t maxBindingBytes, uint64_t offsetAlignment)
{
    const uint64_t rowBytes = w.rowBytes();
    if (rowBytes == 0 || w.rows == 0)
        return Status::failure("weight has no rows, or its row length is not a whole number of blocks");
    const uint64_t alignment = std::max<uint64_t>(offsetAlignment, 1);
    if (w.data.offset % alignment != 0)
        return Status::failure("weight offset is not aligned to minStorageBufferOffsetAlignment");
    if (w.data.size != VK_WHOLE_SIZE && w.data.size < rowBytes * w.rows)
        return Status::failure("weight buffer range is smaller than rows × row bytes");
    // Chunks start at multiples of `step` rows, the smallest row count whose bytes are a multiple of alignment.
    const uint64_t step = alignment / std::gcd(rowBytes, alignment);
    const uint64_t fitting = maxBindingBytes / rowBytes / step * step;
    if (fitting == 0)
        return Status::failure("one aligned group of weight rows exceeds maxStorageBufferRange");
    return RowChunking{rowBytes, static_cast<uint32_t>(std::min<uint64_t>(fitting, w.rows))};
}

vk::BufferRange rowRange(const WeightView& w, const RowChunking& chunking, uint32_t firstRow, uint32_t rows)
{
    return {w.data.buffer, w.data.offset + chunking.rowBytes * firstRow, chunking.rowBytes * rows};
}

uint64_t storageOffsetAlignment(const vk::VulkanContext& context)
{
    VkPhysicalDeviceProperties properties{};
    vkGetPhysicalDeviceProperties(context.physicalDevice(), &properties);
    return properties.limits.minStorageBufferOffsetAlignment;
}

}  // namespace vela::ops
