// The process's Vulkan instances: one plain, one with the Khronos validation layer, each created on first
// use and kept until the process exits. Device lists and contexts borrow them; nobody destroys them.
//
// Why not one instance per context: NVIDIA's driver (580.x, seen on an H200) refuses vkCreateInstance with
// VK_ERROR_INCOMPATIBLE_DRIVER after about thirty instances have been created and destroyed in one process,
// even with every one destroyed properly; a user who loads model after model would lose the GPU. One
// instance for the application's lifetime is also what the Vulkan loader expects.
#pragma once

#include "vela/status.h"

#include <vulkan/vulkan.h>

namespace vela::vk {

struct SharedInstance {
    VkInstance instance = VK_NULL_HANDLE;
    bool validation = false;  // the validation layer is on (false when asked for but not installed)
};

// Thread-safe. A failure (no Vulkan driver) is not remembered: the next call tries again.
Result<SharedInstance> sharedInstance(bool validation);

}  // namespace vela::vk
