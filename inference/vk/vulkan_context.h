// The one object that owns the chosen Vulkan device and its compute queue (on the process's shared instance,
// shared_instance.h). Everything else Vulkan (buffers, pipelines, command streams) borrows it and must be
// destroyed before it.
//
// Destruction order (reverse of creation): command pool → device → debug messenger.
#pragma once

#include "vela/device.h"
#include "vela/status.h"

#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vela::vk {

struct ContextOptions {
    std::string device;  // as chooseDevice(); "" = VELA_DEVICE or the best device
    // Khronos validation layer: on when true, or when VELA_VALIDATION=1. Its errors are collected, see
    // validationMessages(); tests fail on any.
    bool validation = false;
};

struct DeviceLimits {
    VkDeviceSize maxStorageBufferRange = 0;
    VkDeviceSize maxMemoryAllocationSize = 0;
    uint32_t maxPushConstantsSize = 0;
    uint32_t maxComputeSharedMemorySize = 0;
    uint32_t maxWorkGroupInvocations = 0;
    uint32_t maxWorkGroupCount[3] = {};
    uint32_t subgroupSize = 0;
    bool subgroupArithmetic = false;
    bool shaderFloat16 = false;
    float timestampPeriodNs = 0;  // 0: no timestamps on the compute queue
    uint32_t timestampValidBits = 0;
};

class VulkanContext {
public:
    static Result<std::unique_ptr<VulkanContext>> create(const ContextOptions& options = {});
    ~VulkanContext();
    VulkanContext(const VulkanContext&) = delete;
    VulkanContext& operator=(const VulkanContext&) = delete;

    VkInstance instance() const { return m_instance; }
    VkPhysicalDevice physicalDevice() const { return m_physicalDevice; }
    VkDevice device() const { return m_device; }
    VkQueue queue() const { return m_queue; }
    uint32_t queueFamily() const { return m_queueFamily; }
    VkCommandPool commandPool() const { return m_commandPool; }
    const DeviceDescription& description() const { return m_description; }
    const DeviceLimits& limits() const { return m_limits; }
    bool validationEnabled() const { return m_messenger != VK_NULL_HANDLE; }

    // VK_KHR_push_descriptor's entry point (required: one descriptor write per dispatch, no pools to manage).
    PFN_vkCmdPushDescriptorSetKHR pushDescriptorSet() const { return m_pushDescriptorSet; }

    // The index of a memory type with `required` flags (and `preferred` ones when possible).
    Result<uint32_t> findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                                    VkMemoryPropertyFlags preferred = 0) const;
    // Device-local memory the driver says is still free (VK_EXT_memory_budget), else the heap size.
    uint64_t freeDeviceMemory() const;

    // Validation-layer errors and warnings seen so far (thread-safe); empty without validation.
    std::vector<std::string> validationMessages() const;
    // Only the errors of those ("error: …"): what a model's validationErrors() reports.
    std::vector<std::string> validationErrors() const;
    void clearValidationMessages();

private:
    VulkanContext() = default;
    Status createInstance(bool validation);
    Status createDevice(const DeviceDescription& chosen);
    void readLimits();
    static VKAPI_ATTR VkBool32 VKAPI_CALL onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                              VkDebugUtilsMessageTypeFlagsEXT types,
                                                              const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                              void* self);

    VkInstance m_instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT m_messenger = VK_NULL_HANDLE;
    VkPhysicalDevice m_physicalDevice = VK_NULL_HANDLE;
    VkDevice m_device = VK_NULL_HANDLE;
    VkQueue m_queue = VK_NULL_HANDLE;
    uint32_t m_queueFamily = 0;
    VkCommandPool m_commandPool = VK_NULL_HANDLE;
    DeviceDescription m_description;
    DeviceLimits m_limits;
    bool m_memoryBudget = false;
    PFN_vkCmdPushDescriptorSetKHR m_pushDescriptorSet = nullptr;

    mutable std::mutex m_messagesMutex;
    std::vector<std::string> m_messages;
};

}  // namespace vela::vk
