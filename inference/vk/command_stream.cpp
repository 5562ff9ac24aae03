#include "vk/command_stream.h"

#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

#include <cstring>
#include <utility>

namespace vela::vk {

namespace {
constexpr uint32_t kMaxProfiledDispatches = 4096;
}

Result<CommandStream> CommandStream::create(const VulkanContext& context, bool profile)
{
    CommandStream stream;
    stream.m_context = &context;
    VkCommandBufferAllocateInfo allocate{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    allocate.commandPool = context.commandPool();
    allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocate.commandBufferCount = 1;
    VELA_VK_TRY(vkAllocateCommandBuffers(context.device(), &allocate, &stream.m_commands));
    VkFenceCreateInfo fence{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VELA_VK_TRY(vkCreateFence(context.device(), &fence, nullptr, &stream.m_fence));
    if (profile) {
        if (context.limits().timestampPeriodNs == 0)
            return Status::failure("this device has no timestamps on its compute queue: --profile is unavailable");
        VkQueryPoolCreateInfo pool{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
        pool.queryType = VK_QUERY_TYPE_TIMESTAMP;
        pool.queryCount = 2 * kMaxProfiledDispatches;
        VELA_VK_TRY(vkCreateQueryPool(context.device(), &pool, nullptr, &stream.m_queries));
        stream.m_queryCapacity = kMaxProfiledDispatches;
    }
    return stream;
}

CommandStream::~CommandStream()
{
    release();
}

CommandStream::CommandStream(CommandStream&& other) noexcept
{
    *this = std::move(other);
}

CommandStream& CommandStream::operator=(CommandStream&& other) noexcept
{
    if (this != &other) {
        release();
        m_context = std::exchange(other.m_context, nullptr);
        m_commands = std::exchange(other.m_commands, VK_NULL_HANDLE);
        m_fence = std::exchange(other.m_fence, VK_NULL_HANDLE);
        m_recording = std::exchange(other.m_recording, false);
        m_recordError = std::move(other.m_recordError);
        m_queries = std::exchange(other.m_queries, VK_NULL_HANDLE);
        m_queryCapacity = other.m_queryCapacity;
        m_queryNames = std::move(other.m_queryNames);
        m_queryBytes = std::move(other.m_queryBytes);
        m_timings = std::move(other.m_timings);
    }
    return *this;
}

void CommandStream::release()
{
    if (!m_context)
        return;
    VkDevice device = m_context->device();
    if (m_recording)
        vkEndCommandBuffer(m_commands);
    if (m_queries)
        vkDestroyQueryPool(device, m_queries, nullptr);
    if (m_fence)
        vkDestroyFence(device, m_fence, nullptr);
    if (m_commands)
        vkFreeCommandBuffers(device, m_context->commandPool(), 1, &m_commands);
    m_context = nullptr;
}

Status CommandStream::ensureRecording()
{
    if (m_recording)
        return {};
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VELA_VK_TRY(vkBeginCommandBuffer(m_commands, &begin));
    if (m_queries)
        vkCmdResetQueryPool(m_commands, m_queries, 0, 2 * m_queryCapacity);
    m_recording = true;
    return {};
}

void CommandStream::dispatch(const ComputePipeline& pipeline, std::initializer_list<BufferRange> buffers,
                             const void* push, uint32_t pushBytes, uint32_t groupsX, uint32_t groupsY,
                             uint32_t groupsZ)
{
    if (Status s = ensureRecording(); !s) {
        m_recordError = s;
        return;
    }
    if (buffers.size() != pipeline.bufferCount() || pushBytes != pipeline.pushConstantBytes()) {
        m_recordError = Status::failure("kernel '" + pipeline.name() + "' was given " + std::to_string(buffers.size()) +
                                        " buffers and " + std::to_string(pushBytes) + " push bytes; it takes " +
                                        std::to_string(pipeline.bufferCount()) + " and " +
                                        std::to_string(pipeline.pushConstantBytes()));
        return;
    }
    std::vector<VkDescriptorBufferInfo> infos;
    infos.reserve(buffers.size());
    for (const BufferRange& b : buffers)
        infos.push_back({b.buffer->handle(), b.offset, b.size});
    std::vector<VkWriteDescriptorSet> writes(infos.size());
    for (uint32_t i = 0; i < writes.size(); ++i) {
        writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
    }
    const bool timed = m_queries && m_queryNames.size() < m_queryCapacity;
    if (timed)
        vkCmdWriteTimestamp(m_commands, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, m_queries,
                            2 * static_cast<uint32_t>(m_queryNames.size()));
    vkCmdBindPipeline(m_commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    m_context->pushDescriptorSet()(m_commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0,
                                   static_cast<uint32_t>(writes.size()), writes.data());
    if (pushBytes)
        vkCmdPushConstants(m_commands, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes, push);
    vkCmdDispatch(m_commands, groupsX, groupsY, groupsZ);
    if (timed) {
        vkCmdWriteTimestamp(m_commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_queries,
                            2 * static_cast<uint32_t>(m_queryNames.size()) + 1);
        m_queryNames.push_back(pipeline.name());
        m_queryBytes.push_back(0);
    }
}

void CommandStream::barrier()
{
    if (!m_recording)
        return;  // nothing recorded yet: nothing to order
    VkMemoryBarrier memory{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    memory.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    memory.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                           VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    vkCmdPipelineBarrier(m_commands, stages, stages, 0, 1, &memory, 0, nullptr, 0, nullptr);
}

void CommandStream::copy(const Buffer& src, VkDeviceSize srcOffset, const Buffer& dst, VkDeviceSize dstOffset,
                         VkDeviceSize bytes)
{
    if (Status s = ensureRecording(); !s) {
        m_recordError = s;
        return;
    }
    const VkBufferCopy region{srcOffset, dstOffset, bytes};
    vkCmdCopyBuffer(m_commands, src.handle(), dst.handle(), 1, &region);
}

void CommandStream::fill(const Buffer& dst, VkDeviceSize offset, VkDeviceSize bytes, uint32_t value)
{
    if (Status s = ensureRecording(); !s) {
        m_recordError = s;
        return;
    }
    vkCmdFillBuffer(m_commands, dst.handle(), offset, bytes, value);
}

Status CommandStream::submitAndWait()
{
    if (!m_recordError.isOk()) {
        Status error = std::exchange(m_recordError, Status{});
        if (m_recording) {
            vkEndCommandBuffer(m_commands);
            vkResetCommandBuffer(m_commands, 0);
            m_recording = false;
            m_queryNames.clear();
            m_queryBytes.clear();
        }
        return error;
    }
    if (!m_recording)
        return {};
    m_recording = false;
    VELA_VK_TRY(vkEndCommandBuffer(m_commands));
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &m_commands;
    VELA_VK_TRY(vkQueueSubmit(m_context->queue(), 1, &submit, m_fence));
    VELA_VK_TRY(vkWaitForFences(m_context->device(), 1, &m_fence, VK_TRUE, UINT64_MAX));
    VELA_VK_TRY(vkResetFences(m_context->device(), 1, &m_fence));
    VELA_TRY(collectTimings());
    VELA_VK_TRY(vkResetCommandBuffer(m_commands, 0));
    return {};
}

Status CommandStream::collectTimings()
{
    if (!m_queries || m_queryNames.empty())
        return {};
    std::vector<uint64_t> stamps(2 * m_queryNames.size());
    VELA_VK_TRY(vkGetQueryPoolResults(m_context->device(), m_queries, 0, static_cast<uint32_t>(stamps.size()),
                                      stamps.size() * sizeof(uint64_t), stamps.data(), sizeof(uint64_t),
                                      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
    const double period = m_context->limits().timestampPeriodNs;
    for (size_t i = 0; i < m_queryNames.size(); ++i) {
        KernelTiming& t = m_timings[m_queryNames[i]];
        t.dispatches += 1;
        t.milliseconds += static_cast<double>(stamps[2 * i + 1] - stamps[2 * i]) * period * 1e-6;
        t.bytes += m_queryBytes[i];
    }
    m_queryNames.clear();
    m_queryBytes.clear();
    return {};
}

}  // namespace vela::vk
