#include "vk/device_support.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace vela::vk {

bool hasDeviceExtension(VkPhysicalDevice device, const char* name)
{
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data());
    for (const VkExtensionProperties& e : extensions) {
        if (std::strcmp(e.extensionName, name) == 0)
            return true;
    }
    return false;
}

namespace {

DeviceKind kindOf(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceKind::Discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceKind::Integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceKind::Virtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceKind::Cpu;
    default: return DeviceKind::Other;
    }
}

// Empty when the device has everything; else what is missing, in words.
std::string missingRequirements(VkPhysicalDevice device, const VkPhysicalDeviceProperties& properties)
{
    if (properties.apiVersion < VK_API_VERSION_1_2)
        return "it supports only Vulkan " + std::to_string(VK_API_VERSION_MAJOR(properties.apiVersion)) + "." +
               std::to_string(VK_API_VERSION_MINOR(properties.apiVersion)) + " (1.2 needed)";
    for (const char* extension : kRequiredDeviceExtensions) {
        if (!hasDeviceExtension(device, extension))
            return std::string("it lacks ") + extension;
    }
    VkPhysicalDeviceVulkan11Features v11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features v12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    v11.pNext = &v12;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &v11;
    vkGetPhysicalDeviceFeatures2(device, &features);
    if (!v11.storageBuffer16BitAccess)
        return "it lacks 16-bit storage buffers";
    if (!v12.storageBuffer8BitAccess)
        return "it lacks 8-bit storage buffers";
    uint32_t families = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(device, &families, nullptr);
    std::vector<VkQueueFamilyProperties> queues(families);
    vkGetPhysicalDeviceQueueFamilyProperties(device, &families, queues.data());
    for (const VkQueueFamilyProperties& q : queues) {
        if (q.queueFlags & VK_QUEUE_COMPUTE_BIT)
            return {};
    }
    return "it has no compute queue";
}

}  // namespace

void readDeviceMemory(VkPhysicalDevice device, uint32_t apiVersion, DeviceDescription& d)
{
    // The budget structure may only be chained when the device has the extension (and Vulkan 1.1).
    d.memoryBudget = apiVersion >= VK_API_VERSION_1_1 && hasDeviceExtension(device, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
    VkPhysicalDeviceMemoryProperties2 memory{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
    if (d.memoryBudget)
        memory.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(device, &memory);
    d.deviceLocalBytes = 0;
    d.freeBytes = 0;
    const VkPhysicalDeviceMemoryProperties& heaps = memory.memoryProperties;
    for (uint32_t h = 0; h < heaps.memoryHeapCount; ++h) {
        if (!(heaps.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT))
            continue;
        const uint64_t size = heaps.memoryHeaps[h].size;
        const uint64_t free = !d.memoryBudget                             ? size
                              : budget.heapBudget[h] > budget.heapUsage[h] ? budget.heapBudget[h] - budget.heapUsage[h]
                                                                          : 0;
        d.deviceLocalBytes = std::max(d.deviceLocalBytes, size);
        d.freeBytes = std::max(d.freeBytes, free);
    }
}

DeviceDescription describeDevice(VkPhysicalDevice device, uint32_t index)
{
    VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    properties.pNext = &driver;
    vkGetPhysicalDeviceProperties2(device, &properties);
    const VkPhysicalDeviceProperties& p = properties.properties;

    DeviceDescription d;
    d.index = index;
    d.name = p.deviceName;
    d.kind = kindOf(p.deviceType);
    d.apiVersion = std::to_string(VK_API_VERSION_MAJOR(p.apiVersion)) + "." +
                   std::to_string(VK_API_VERSION_MINOR(p.apiVersion)) + "." +
                   std::to_string(VK_API_VERSION_PATCH(p.apiVersion));
    if (p.apiVersion >= VK_API_VERSION_1_2)
        d.driver = std::string(driver.driverName) + (driver.driverInfo[0] ? std::string(" ") + driver.driverInfo : "");
    readDeviceMemory(device, p.apiVersion, d);
    d.unusableReason = missingRequirements(device, p);
    d.usable = d.unusableReason.empty();
    return d;
}

}  // namespace vela::vk
