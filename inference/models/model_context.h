// The Vulkan context a model (or a vision encoder) is loaded into, as LoadOptions ask for it, and the per-kernel
// times of its command stream in the engine's public form.
#pragma once

#include "vk/command_stream.h"
#include "vk/vulkan_context.h"

#include "vela/language_model.h"

#include <map>
#include <memory>
#include <string>

namespace vela::models {

inline Result<std::unique_ptr<vk::VulkanContext>> createModelContext(const LoadOptions& options)
{
    vk::ContextOptions contextOptions;
    contextOptions.device = options.device;
    contextOptions.validation = options.validation;
    return vk::VulkanContext::create(contextOptions);
}

inline std::map<std::string, KernelTime> kernelTimesOf(const vk::CommandStream& stream)
{
    std::map<std::string, KernelTime> out;
    for (const auto& [name, t] : stream.timings())
        out[name] = {t.dispatches, t.milliseconds, t.bytes};
    return out;
}

}  // namespace vela::models
