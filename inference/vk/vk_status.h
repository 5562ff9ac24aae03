// Vulkan failures as vela::Status: the VkResult's name, the call that failed and where.
#pragma once

#include "vela/status.h"

#include <vulkan/vulkan.h>

#include <string>

namespace vela::vk {

const char* resultName(VkResult result);
Status vulkanFailure(VkResult result, const char* expression, const char* file, int line);

}  // namespace vela::vk

// Returns a failed Status from the enclosing function when `expr` does not give VK_SUCCESS.
#define VELA_VK_TRY(expr)                                                                  \
    do {                                                                                   \
        const VkResult velaVkResult_ = (expr);                                             \
        if (velaVkResult_ != VK_SUCCESS)                                                   \
            return ::vela::vk::vulkanFailure(velaVkResult_, #expr, __FILE__, __LINE__);    \
    } while (0)

// Returns the failed Status of `expr` (a Status) from the enclosing function.
#define VELA_TRY(expr)                                      \
    do {                                                    \
        ::vela::Status velaStatus_ = (expr);                \
        if (!velaStatus_.isOk())                            \
            return velaStatus_;                             \
    } while (0)
