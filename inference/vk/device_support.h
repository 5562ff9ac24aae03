// What Vela needs from a Vulkan device, and the description of one.
#pragma once

#include "vela/device.h"

#include <vulkan/vulkan.h>

namespace vela::vk {

// Extensions a device must offer.
inline constexpr const char* kRequiredDeviceExtensions[] = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};

DeviceDescription describeDevice(VkPhysicalDevice device, uint32_t index);
// Fills deviceLocalBytes, freeBytes and memoryBudget: the largest device-local heap, and what is free of it.
void readDeviceMemory(VkPhysicalDevice device, uint32_t apiVersion, DeviceDescription& d);
bool hasDeviceExtension(VkPhysicalDevice device, const char* name);

}  // namespace vela::vk
