// The Vulkan context a model (or a vision encoder) is loaded into, as LoadOptions ask for it.
#pragma once

#include "vk/vulkan_context.h"

#include "vela/language_model.h"

#include <memory>

namespace vela::models {

inline Result<std::unique_ptr<vk::VulkanContext>> createModelContext(const LoadOptions& options)
{
    vk::ContextOptions contextOptions;
    contextOptions.device = options.device;
    contextOptions.validation = options.validation;
    return vk::VulkanContext::create(contextOptions);
}

}  // namespace vela::models
