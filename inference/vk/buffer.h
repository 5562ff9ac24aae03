// A Vulkan buffer and the memory behind it, owned together (move-only).
#pragma once

#include "vela/status.h"

#include <vulkan/vulkan.h>

#include <cstdint>

namespace vela::vk {

class VulkanContext;

enum class BufferUsage {
    DeviceLocal,  // weights, activations, KV cache: the GPU's own memory
    Upload,       // host-visible, write-combined: staging for uploads
    Readback,     // host-visible and cached: results the CPU reads
};

class Buffer {
public:
    Buffer() = default;
    // Fails with the bytes asked for when the device cannot provide them.
    static Result<Buffer> create(const VulkanContext& context, VkDeviceSize bytes, BufferUsage usage);
    ~Buffer();
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    VkBuffer handle() const { return m_buffer; }
    VkDeviceSize size() const { return m_size; }
    // Host pointer for Upload/Readback buffers (and device-local memory that happens to be host-visible,
    // as on lavapipe and unified-memory GPUs); null otherwise.
    void* mapped() const { return m_mapped; }
    bool isValid() const { return m_buffer != VK_NULL_HANDLE; }

private:
    void release();
    VkDevice m_device = VK_NULL_HANDLE;
    VkBuffer m_buffer = VK_NULL_HANDLE;
    VkDeviceMemory m_memory = VK_NULL_HANDLE;
    VkDeviceSize m_size = 0;
    void* m_mapped = nullptr;
};

// A range of a buffer, as bound to a shader. `size` must not exceed the device's maxStorageBufferRange.
struct BufferRange {
    const Buffer* buffer = nullptr;
    VkDeviceSize offset = 0;
    VkDeviceSize size = VK_WHOLE_SIZE;
};

inline BufferRange wholeBuffer(const Buffer& b)
{
    return {&b, 0, b.size()};
}

}  // namespace vela::vk
