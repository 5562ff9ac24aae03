#include "vk/vk_status.h"

#include <cstring>

namespace vela::vk {

const char* resultName(VkResult result)
{
    switch (result) {
#define VELA_RESULT_NAME(r) \
    case r: return #r;
        VELA_RESULT_NAME(VK_SUCCESS)
        VELA_RESULT_NAME(VK_NOT_READY)
        VELA_RESULT_NAME(VK_TIMEOUT)
        VELA_RESULT_NAME(VK_EVENT_SET)
        VELA_RESULT_NAME(VK_EVENT_RESET)
        VELA_RESULT_NAME(VK_INCOMPLETE)
        VELA_RESULT_NAME(VK_ERROR_OUT_OF_HOST_MEMORY)
        VELA_RESULT_NAME(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        VELA_RESULT_NAME(VK_ERROR_INITIALIZATION_FAILED)
        VELA_RESULT_NAME(VK_ERROR_DEVICE_LOST)
        VELA_RESULT_NAME(VK_ERROR_MEMORY_MAP_FAILED)
        VELA_RESULT_NAME(VK_ERROR_LAYER_NOT_PRESENT)
        VELA_RESULT_NAME(VK_ERROR_EXTENSION_NOT_PRESENT)
        VELA_RESULT_NAME(VK_ERROR_FEATURE_NOT_PRESENT)
        VELA_RESULT_NAME(VK_ERROR_INCOMPATIBLE_DRIVER)
        VELA_RESULT_NAME(VK_ERROR_TOO_MANY_OBJECTS)
        VELA_RESULT_NAME(VK_ERROR_FORMAT_NOT_SUPPORTED)
        VELA_RESULT_NAME(VK_ERROR_FRAGMENTED_POOL)
        VELA_RESULT_NAME(VK_ERROR_UNKNOWN)
        VELA_RESULT_NAME(VK_ERROR_OUT_OF_POOL_MEMORY)
        VELA_RESULT_NAME(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        VELA_RESULT_NAME(VK_ERROR_FRAGMENTATION)
        VELA_RESULT_NAME(VK_PIPELINE_COMPILE_REQUIRED)
#undef VELA_RESULT_NAME
    default: return "VK_ERROR_(unnamed)";
    }
}

Status vulkanFailure(VkResult result, const char* expression, const char* file, int line)
{
    const char* base = std::strrchr(file, '/');
    std::string message = std::string("Vulkan error ") + resultName(result) + " in " + expression + " (" +
                          (base ? base + 1 : file) + ":" + std::to_string(line) + ")";
    if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY)
        message += "; the device ran out of memory: try a smaller context or a smaller model";
    if (result == VK_ERROR_DEVICE_LOST)
        message += "; the GPU driver reset the device";
    return Status::failure(std::move(message));
}

}  // namespace vela::vk
