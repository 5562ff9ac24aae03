#include "vk/vulkan_context.h"

#include "vk/device_support.h"
#include "vk/shared_instance.h"
#include "vk/vk_status.h"

#include <cstdlib>
#include <cstring>

namespace vela::vk {
namespace {

bool envFlag(const char* name)
{
    const char* value = std::getenv(name);
    return value && std::strcmp(value, "1") == 0;
}

}  // namespace

Result<std::unique_ptr<VulkanContext>> VulkanContext::create(const ContextOptions& options)
{
    Result<std::vector<DeviceDescription>> devices = listDevices();
    if (!devices)
        return devices.status();
    const char* fromEnv = std::getenv("VELA_DEVICE");
    const std::string request = !options.device.empty() ? options.device : (fromEnv ? fromEnv : "");
    Result<DeviceDescription> chosen = chooseDevice(*devices, request);
    if (!chosen)
        return chosen.status();

    std::unique_ptr<VulkanContext> context(new VulkanContext());
    if (Status s = context->createInstance(options.validation || envFlag("VELA_VALIDATION")); !s)
        return s;
    if (Status s = context->createDevice(*chosen); !s)
        return s;
    return context;
}

Status VulkanContext::createInstance(bool validation)
{
    Result<SharedInstance> shared = sharedInstance(validation);
    if (!shared)
        return shared.status();
    m_instance = shared->instance;
    if (!shared->validation)
        return {};

    // The messenger is this context's, on the shared instance: it also hears about other contexts alive at
    // the same time, which only tests run, one at a time.
    VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                            VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                            VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messenger.pfnUserCallback = &VulkanContext::onValidationMessage;
    messenger.pUserData = this;
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(m_instance, "vkCreateDebugUtilsMessengerEXT"));
    if (!create)
        return Status::failure("the validation layer has no debug messenger");
    VELA_VK_TRY(create(m_instance, &messenger, nullptr, &m_messenger));
    return {};
}

Status VulkanContext::createDevice(const DeviceDescription& chosen)
{
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(m_instance, &count, nullptr);
    std::vector<VkPhysicalDevice> physical(count);
    vkEnumeratePhysicalDevices(m_instance, &count, physical.data());
    if (chosen.index >= count)
        return Status::failure("the Vulkan device list changed while starting");
    m_physicalDevice = physical[chosen.index];
    m_description = chosen;

    uint32_t families = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(m_physicalDevice, &families, nullptr);
    std::vector<VkQueueFamilyProperties> queues(families);
    vkGetPhysicalDeviceQueueFamilyProperties(m_physicalDevice, &families, queues.data());
    // Prefer a compute-only family (async compute on GPUs); any family with compute otherwise.
    m_queueFamily = UINT32_MAX;
    for (uint32_t f = 0; f < families; ++f) {
        if (!(queues[f].queueFlags & VK_QUEUE_COMPUTE_BIT))
            continue;
        if (m_queueFamily == UINT32_MAX || !(queues[f].queueFlags & VK_QUEUE_GRAPHICS_BIT))
            m_queueFamily = f;
    }
    m_limits.timestampValidBits = queues[m_queueFamily].timestampValidBits;

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queueInfo.queueFamilyIndex = m_queueFamily;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;

    VkPhysicalDeviceVulkan11Features v11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features v12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    v11.pNext = &v12;
    VkPhysicalDeviceFeatures2 supported{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    supported.pNext = &v11;
    vkGetPhysicalDeviceFeatures2(m_physicalDevice, &supported);

    VkPhysicalDeviceVulkan11Features enable11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features enable12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    enable11.pNext = &enable12;
    enable11.storageBuffer16BitAccess = VK_TRUE;
    enable12.storageBuffer8BitAccess = VK_TRUE;
    enable12.shaderFloat16 = v12.shaderFloat16;
    enable12.shaderInt8 = v12.shaderInt8;
    VkPhysicalDeviceFeatures2 enable{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    enable.pNext = &enable11;
    enable.features.shaderInt64 = supported.features.shaderInt64;
    enable.features.shaderInt16 = supported.features.shaderInt16;

    std::vector<const char*> extensions(std::begin(kRequiredDeviceExtensions), std::end(kRequiredDeviceExtensions));
    m_memoryBudget = hasDeviceExtension(m_physicalDevice, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
    if (m_memoryBudget)
        extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);

    VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    info.pNext = &enable;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queueInfo;
    info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    VELA_VK_TRY(vkCreateDevice(m_physicalDevice, &info, nullptr, &m_device));
    vkGetDeviceQueue(m_device, m_queueFamily, 0, &m_queue);

    m_pushDescriptorSet =
        reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(vkGetDeviceProcAddr(m_device, "vkCmdPushDescriptorSetKHR"));
    if (!m_pushDescriptorSet)
        return Status::failure("the driver did not provide vkCmdPushDescriptorSetKHR");

    VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = m_queueFamily;
    VELA_VK_TRY(vkCreateCommandPool(m_device, &pool, nullptr, &m_commandPool));
    m_limits.shaderFloat16 = v12.shaderFloat16;
    readLimits();
    return {};
}

void VulkanContext::readLimits()
{
    VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceMaintenance3Properties maintenance3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    subgroup.pNext = &maintenance3;
    VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    properties.pNext = &subgroup;
    vkGetPhysicalDeviceProperties2(m_physicalDevice, &properties);
    const VkPhysicalDeviceLimits& l = properties.properties.limits;
    m_limits.maxStorageBufferRange = l.maxStorageBufferRange;
    m_limits.maxMemoryAllocationSize = maintenance3.maxMemoryAllocationSize;
    m_limits.maxPushConstantsSize = l.maxPushConstantsSize;
    m_limits.maxComputeSharedMemorySize = l.maxComputeSharedMemorySize;
    m_limits.maxWorkGroupInvocations = l.maxComputeWorkGroupInvocations;
    for (int i = 0; i < 3; ++i)
        m_limits.maxWorkGroupCount[i] = l.maxComputeWorkGroupCount[i];
    m_limits.subgroupSize = subgroup.subgroupSize;
    m_limits.subgroupArithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                                  (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    m_limits.timestampPeriodNs = (l.timestampComputeAndGraphics && m_limits.timestampValidBits) ? l.timestampPeriod : 0;
}

VulkanContext::~VulkanContext()
{
    if (m_device) {
        vkDeviceWaitIdle(m_device);
        if (m_commandPool)
            vkDestroyCommandPool(m_device, m_commandPool, nullptr);
        vkDestroyDevice(m_device, nullptr);
    }
    if (m_messenger) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(m_instance, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy)
            destroy(m_instance, m_messenger, nullptr);
    }
    // m_instance is the process's shared one (shared_instance.h): not ours to destroy.
}

Result<uint32_t> VulkanContext::findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                                               VkMemoryPropertyFlags preferred) const
{
    VkPhysicalDeviceMemoryProperties memory;
    vkGetPhysicalDeviceMemoryProperties(m_physicalDevice, &memory);
    uint32_t fallback = UINT32_MAX;
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags flags = memory.memoryTypes[i].propertyFlags;
        if (!(typeBits & (1u << i)) || (flags & required) != required)
            continue;
        if ((flags & preferred) == preferred)
            return i;
        if (fallback == UINT32_MAX)
            fallback = i;
    }
    if (fallback == UINT32_MAX)
        return Status::failure("the device has no memory type with the needed properties");
    return fallback;
}

uint64_t VulkanContext::freeDeviceMemory() const
{
    // Read afresh: the budget changes as this and other processes allocate. A usable device has Vulkan 1.2.
    DeviceDescription now;
    readDeviceMemory(m_physicalDevice, VK_API_VERSION_1_2, now);
    return now.freeBytes;
}

VKAPI_ATTR VkBool32 VKAPI_CALL VulkanContext::onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                                  VkDebugUtilsMessageTypeFlagsEXT,
                                                                  const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                                  void* self)
{
    auto* context = static_cast<VulkanContext*>(self);
    const char* level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
    std::lock_guard lock(context->m_messagesMutex);
    context->m_messages.push_back(std::string(level) + ": " + (data && data->pMessage ? data->pMessage : "?"));
    return VK_FALSE;
}

std::vector<std::string> VulkanContext::validationMessages() const
{
    std::lock_guard lock(m_messagesMutex);
    return m_messages;
}

std::vector<std::string> VulkanContext::validationErrors() const
{
    std::vector<std::string> errors;
    for (const std::string& m : validationMessages()) {
        if (m.rfind("error:", 0) == 0)
            errors.push_back(m);
    }
    return errors;
}

void VulkanContext::clearValidationMessages()
{
    std::lock_guard lock(m_messagesMutex);
    m_messages.clear();
}

}  // namespace vela::vk
