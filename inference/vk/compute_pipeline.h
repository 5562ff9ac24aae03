// A compute pipeline built from embedded SPIR-V: its shader module, a push-descriptor set layout of
// storage buffers (binding i = the i-th buffer a dispatch passes), a push-constant range and the pipeline.
#pragma once

#include "vela/status.h"

#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vela::vk {

class VulkanContext;

struct PipelineDesc {
    std::string name;                       // for messages and profiling
    std::span<const uint32_t> spirv;        // embedded shader code
    uint32_t bufferCount = 0;               // storage buffers at bindings 0 … bufferCount-1
    uint32_t pushConstantBytes = 0;
    std::vector<uint32_t> specialization;   // constant_id i = specialization[i]
};

class ComputePipeline {
public:
    ComputePipeline() = default;
    static Result<ComputePipeline> create(const VulkanContext& context, const PipelineDesc& desc,
                                          VkPipelineCache cache = VK_NULL_HANDLE);
    ~ComputePipeline();
    ComputePipeline(ComputePipeline&& other) noexcept;
    ComputePipeline& operator=(ComputePipeline&& other) noexcept;
    ComputePipeline(const ComputePipeline&) = delete;
    ComputePipeline& operator=(const ComputePipeline&) = delete;

    VkPipeline handle() const { return m_pipeline; }
    VkPipelineLayout layout() const { return m_layout; }
    uint32_t bufferCount() const { return m_bufferCount; }
    uint32_t pushConstantBytes() const { return m_pushConstantBytes; }
    const std::string& name() const { return m_name; }

private:
    void release();
    VkDevice m_device = VK_NULL_HANDLE;
    VkShaderModule m_module = VK_NULL_HANDLE;
    VkDescriptorSetLayout m_setLayout = VK_NULL_HANDLE;
    VkPipelineLayout m_layout = VK_NULL_HANDLE;
    VkPipeline m_pipeline = VK_NULL_HANDLE;
    uint32_t m_bufferCount = 0;
    uint32_t m_pushConstantBytes = 0;
    std::string m_name;
};

}  // namespace vela::vk
