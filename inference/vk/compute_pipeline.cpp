#include "vk/compute_pipeline.h"

#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

#include <utility>

namespace vela::vk {

Result<ComputePipeline> ComputePipeline::create(const VulkanContext& context, const PipelineDesc& desc,
                                                VkPipelineCache cache)
{
    if (desc.spirv.empty())
        return Status::failure("shader '" + desc.name + "' is not embedded in this build");
    ComputePipeline p;
    p.m_device = context.device();
    p.m_name = desc.name;
    p.m_bufferCount = desc.bufferCount;
    p.m_pushConstantBytes = desc.pushConstantBytes;

    VkShaderModuleCreateInfo module{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    module.codeSize = desc.spirv.size() * sizeof(uint32_t);
    module.pCode = desc.spirv.data();
    VELA_VK_TRY(vkCreateShaderModule(p.m_device, &module, nullptr, &p.m_module));

    std::vector<VkDescriptorSetLayoutBinding> bindings(desc.bufferCount);
    for (uint32_t i = 0; i < desc.bufferCount; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo setLayout{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    setLayout.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
    setLayout.bindingCount = desc.bufferCount;
    setLayout.pBindings = bindings.data();
    VELA_VK_TRY(vkCreateDescriptorSetLayout(p.m_device, &setLayout, nullptr, &p.m_setLayout));

    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.pushConstantBytes};
    VkPipelineLayoutCreateInfo layout{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layout.setLayoutCount = 1;
    layout.pSetLayouts = &p.m_setLayout;
    layout.pushConstantRangeCount = desc.pushConstantBytes ? 1 : 0;
    layout.pPushConstantRanges = &range;
    VELA_VK_TRY(vkCreatePipelineLayout(p.m_device, &layout, nullptr, &p.m_layout));

    std::vector<VkSpecializationMapEntry> entries(desc.specialization.size());
    for (uint32_t i = 0; i < entries.size(); ++i)
        entries[i] = {i, i * static_cast<uint32_t>(sizeof(uint32_t)), sizeof(uint32_t)};
    VkSpecializationInfo specialization{static_cast<uint32_t>(entries.size()), entries.data(),
                                        desc.specialization.size() * sizeof(uint32_t), desc.specialization.data()};
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = p.m_module;
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = entries.empty() ? nullptr : &specialization;
    info.layout = p.m_layout;
    VELA_VK_TRY(vkCreateComputePipelines(p.m_device, cache, 1, &info, nullptr, &p.m_pipeline));
    return p;
}

ComputePipeline::~ComputePipeline()
{
    release();
}

ComputePipeline::ComputePipeline(ComputePipeline&& other) noexcept
{
    *this = std::move(other);
}

ComputePipeline& ComputePipeline::operator=(ComputePipeline&& other) noexcept
{
    if (this != &other) {
        release();
        m_device = std::exchange(other.m_device, VK_NULL_HANDLE);
        m_module = std::exchange(other.m_module, VK_NULL_HANDLE);
        m_setLayout = std::exchange(other.m_setLayout, VK_NULL_HANDLE);
        m_layout = std::exchange(other.m_layout, VK_NULL_HANDLE);
        m_pipeline = std::exchange(other.m_pipeline, VK_NULL_HANDLE);
        m_bufferCount = other.m_bufferCount;
        m_pushConstantBytes = other.m_pushConstantBytes;
        m_name = std::move(other.m_name);
    }
    return *this;
}

void ComputePipeline::release()
{
    if (m_device == VK_NULL_HANDLE)
        return;
    if (m_pipeline)
        vkDestroyPipeline(m_device, m_pipeline, nullptr);
    if (m_layout)
        vkDestroyPipelineLayout(m_device, m_layout, nullptr);
    if (m_setLayout)
        vkDestroyDescriptorSetLayout(m_device, m_setLayout, nullptr);
    if (m_module)
        vkDestroyShaderModule(m_device, m_module, nullptr);
    m_device = VK_NULL_HANDLE;
}

}  // namespace vela::vk
