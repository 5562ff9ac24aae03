#include "vela/device.h"

#include "vk/buffer.h"
#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

namespace vela {

Result<double> measureCopyBandwidth(const std::string& device, uint32_t megabytes)
{
    vk::ContextOptions options;
    options.device = device;
    Result<std::unique_ptr<vk::VulkanContext>> context = vk::VulkanContext::create(options);
    if (!context)
        return context.status();
    const vk::VulkanContext& c = **context;
    if (c.limits().timestampPeriodNs == 0)
        return Status::failure("the device has no compute timestamps");
    const VkDeviceSize bytes = VkDeviceSize(megabytes) << 20;
    Result<vk::Buffer> src = vk::Buffer::create(c, bytes, vk::BufferUsage::DeviceLocal);
    Result<vk::Buffer> dst = vk::Buffer::create(c, bytes, vk::BufferUsage::DeviceLocal);
    if (!src || !dst)
        return src ? dst.status() : src.status();

    VkQueryPool pool = VK_NULL_HANDLE;
    VkQueryPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    poolInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
    poolInfo.queryCount = 2;
    VELA_VK_TRY(vkCreateQueryPool(c.device(), &poolInfo, nullptr, &pool));
    VkCommandBuffer commands = VK_NULL_HANDLE;
    VkCommandBufferAllocateInfo allocate{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    allocate.commandPool = c.commandPool();
    allocate.commandBufferCount = 1;
    double best = 0;
    VkResult r = vkAllocateCommandBuffers(c.device(), &allocate, &commands);
    for (int run = 0; r == VK_SUCCESS && run < 3; ++run) {
        VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        vkBeginCommandBuffer(commands, &begin);
        vkCmdResetQueryPool(commands, pool, 0, 2);
        vkCmdWriteTimestamp(commands, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0);
        const VkBufferCopy region{0, 0, bytes};
        vkCmdCopyBuffer(commands, src->handle(), dst->handle(), 1, &region);
        vkCmdWriteTimestamp(commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1);
        vkEndCommandBuffer(commands);
        VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
        submit.commandBufferCount = 1;
        submit.pCommandBuffers = &commands;
        r = vkQueueSubmit(c.queue(), 1, &submit, VK_NULL_HANDLE);
        if (r == VK_SUCCESS)
            r = vkQueueWaitIdle(c.queue());
        uint64_t stamps[2] = {};
        if (r == VK_SUCCESS)
            r = vkGetQueryPoolResults(c.device(), pool, 0, 2, sizeof stamps, stamps, sizeof(uint64_t),
                                      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
        const double seconds = double(stamps[1] - stamps[0]) * c.limits().timestampPeriodNs * 1e-9;
        if (r == VK_SUCCESS && seconds > 0)
            best = std::max(best, 2.0 * double(bytes) / seconds / 1e9);
        vkResetCommandBuffer(commands, 0);
    }
    if (commands)
        vkFreeCommandBuffers(c.device(), c.commandPool(), 1, &commands);
    vkDestroyQueryPool(c.device(), pool, nullptr);
    if (r != VK_SUCCESS)
        return vk::vulkanFailure(r, "copy bandwidth measurement", __FILE__, __LINE__);
    return best;
}

}  // namespace vela
