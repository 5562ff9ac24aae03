#include "vk/buffer.h"

#include "vela/device.h"

#include "vela/model_info.h"
#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

#include <atomic>
#include <utility>

namespace vela {
namespace {

// Every Buffer's bytes while its memory is held: tests compare it before and after a load.
std::atomic<uint64_t> g_allocatedBytes{0};

}  // namespace

uint64_t allocatedDeviceBytes()
{
    return g_allocatedBytes.load();
}

}  // namespace vela

namespace vela::vk {

Result<Buffer> Buffer::create(const VulkanContext& context, VkDeviceSize bytes, BufferUsage usage)
{
    if (bytes == 0)
        bytes = 4;  // Vulkan forbids empty buffers; a 4-byte one keeps bindings valid
    if (bytes > context.limits().maxMemoryAllocationSize)
        return Status::failure("a buffer of " + formatBytes(bytes) + " exceeds the device's largest allocation (" +
                               formatBytes(context.limits().maxMemoryAllocationSize) + ")");
    Buffer buffer;
    buffer.m_device = context.device();
    buffer.m_size = bytes;
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VELA_VK_TRY(vkCreateBuffer(context.device(), &info, nullptr, &buffer.m_buffer));

    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(context.device(), buffer.m_buffer, &requirements);
    VkMemoryPropertyFlags required = 0;
    VkMemoryPropertyFlags preferred = 0;
    switch (usage) {
    case BufferUsage::DeviceLocal: required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT; break;
    case BufferUsage::Upload:
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        break;
    case BufferUsage::Readback:
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    }
    Result<uint32_t> type = context.findMemoryType(requirements.memoryTypeBits, required, preferred);
    if (!type)
        return type.status();
    VkMemoryAllocateInfo allocate{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    allocate.allocationSize = requirements.size;
    allocate.memoryTypeIndex = *type;
    const VkResult allocated = vkAllocateMemory(context.device(), &allocate, nullptr, &buffer.m_memory);
    if (allocated != VK_SUCCESS)
        return Status::failure("could not allocate " + formatBytes(bytes) + " of device memory (" +
                               resultName(allocated) + "; about " + formatBytes(context.freeDeviceMemory()) +
                               " free): try a smaller context or a smaller model");
    g_allocatedBytes += bytes;  // from here on release() gives it back
    VELA_VK_TRY(vkBindBufferMemory(context.device(), buffer.m_buffer, buffer.m_memory, 0));

    VkPhysicalDeviceMemoryProperties memory;
    vkGetPhysicalDeviceMemoryProperties(context.physicalDevice(), &memory);
    if (memory.memoryTypes[*type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
        VELA_VK_TRY(vkMapMemory(context.device(), buffer.m_memory, 0, VK_WHOLE_SIZE, 0, &buffer.m_mapped));
    return buffer;
}

Buffer::~Buffer()
{
    release();
}

Buffer::Buffer(Buffer&& other) noexcept
    : m_device(std::exchange(other.m_device, VK_NULL_HANDLE)),
      m_buffer(std::exchange(other.m_buffer, VK_NULL_HANDLE)),
      m_memory(std::exchange(other.m_memory, VK_NULL_HANDLE)),
      m_size(std::exchange(other.m_size, 0)),
      m_mapped(std::exchange(other.m_mapped, nullptr))
{
}

Buffer& Buffer::operator=(Buffer&& other) noexcept
{
    if (this != &other) {
        release();
        m_device = std::exchange(other.m_device, VK_NULL_HANDLE);
        m_buffer = std::exchange(other.m_buffer, VK_NULL_HANDLE);
        m_memory = std::exchange(other.m_memory, VK_NULL_HANDLE);
        m_size = std::exchange(other.m_size, 0);
        m_mapped = std::exchange(other.m_mapped, nullptr);
    }
    return *this;
}

void Buffer::release()
{
    if (m_device == VK_NULL_HANDLE)
        return;
    if (m_buffer)
        vkDestroyBuffer(m_device, m_buffer, nullptr);
    if (m_memory) {
        vkFreeMemory(m_device, m_memory, nullptr);  // also unmaps
        g_allocatedBytes -= m_size;
    }
    m_buffer = VK_NULL_HANDLE;
    m_memory = VK_NULL_HANDLE;
    m_mapped = nullptr;
}

}  // namespace vela::vk
