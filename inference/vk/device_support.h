// What Vela needs from a Vulkan device, and the description of one.
#pragma once

#include "vela/device.h"

#include <vulkan/vulkan.h>

namespace vela::vk {

// Extensions a device must offer.
inline constexpr const char* kRequiredDeviceExtensions[] = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};

DeviceDescription describeDevice(VkPhysicalDevice device, uint32_t index);
bool hasDeviceExtension(VkPhysicalDevice device, const char* name);

}  // namespace vela::vk
