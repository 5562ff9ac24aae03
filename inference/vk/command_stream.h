// Records compute work into one command buffer, submits it and waits. Reused: after submitAndWait() the
// stream is empty again. With profiling on, every dispatch is bracketed by timestamp queries so the time
// of each kernel (by pipeline name) can be read back.
#pragma once

#include "vk/buffer.h"
#include "vk/compute_pipeline.h"

#include "vela/status.h"

#include <vulkan/vulkan.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace vela::vk {

class VulkanContext;

struct KernelTiming {
    uint64_t dispatches = 0;
    double milliseconds = 0;
    uint64_t bytes = 0;  // memory traffic the ops declared (see noteTraffic), for GB/s
};

class CommandStream {
public:
    static Result<CommandStream> create(const VulkanContext& context, bool profile = false);
    ~CommandStream();
    CommandStream(CommandStream&& other) noexcept;
    CommandStream& operator=(CommandStream&& other) noexcept;
    CommandStream(const CommandStream&) = delete;
    CommandStream& operator=(const CommandStream&) = delete;

    // Binds `buffers` to bindings 0…n-1 and dispatches `groups` workgroups. `push` must be exactly the
    // pipeline's push-constant size.
    void dispatch(const ComputePipeline& pipeline, std::initializer_list<BufferRange> buffers, const void* push,
                  uint32_t pushBytes, uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1);
    template <class Push>
    void dispatch(const ComputePipeline& pipeline, std::initializer_list<BufferRange> buffers, const Push& push,
                  uint32_t groupsX, uint32_t groupsY = 1, uint32_t groupsZ = 1)
    {
        dispatch(pipeline, buffers, &push, sizeof(Push), groupsX, groupsY, groupsZ);
    }
    // Declares the bytes the last dispatch reads and writes (weights, mainly), so profiles can show GB/s.
    void noteTraffic(uint64_t bytes)
    {
        if (!m_queryBytes.empty())
            m_queryBytes.back() += bytes;
    }
    // Makes every earlier shader or transfer write visible to every later shader or transfer access.
    void barrier();
    void copy(const Buffer& src, VkDeviceSize srcOffset, const Buffer& dst, VkDeviceSize dstOffset, VkDeviceSize bytes);
    void fill(const Buffer& dst, VkDeviceSize offset, VkDeviceSize bytes, uint32_t value);

    bool isEmpty() const { return !m_recording; }
    Status submitAndWait();

    // Accumulated per-kernel times since the last resetTimings() (profiling streams only).
    const std::map<std::string, KernelTiming>& timings() const { return m_timings; }
    void resetTimings() { m_timings.clear(); }

private:
    CommandStream() = default;
    Status ensureRecording();
    void release();
    Status collectTimings();

    const VulkanContext* m_context = nullptr;
    VkCommandBuffer m_commands = VK_NULL_HANDLE;
    VkFence m_fence = VK_NULL_HANDLE;
    bool m_recording = false;
    Status m_recordError;

    VkQueryPool m_queries = VK_NULL_HANDLE;
    uint32_t m_queryCapacity = 0;
    std::vector<std::string> m_queryNames;  // one per timestamp pair
    std::vector<uint64_t> m_queryBytes;     // declared traffic, one per timestamp pair
    std::map<std::string, KernelTiming> m_timings;
};

}  // namespace vela::vk
