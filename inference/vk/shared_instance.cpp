#include "vk/shared_instance.h"

#include "vk/vk_status.h"

#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace vela::vk {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool hasInstanceLayer(const char* name)
{
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const VkLayerProperties& l : layers) {
        if (std::strcmp(l.layerName, name) == 0)
            return true;
    }
    return false;
}

Result<VkInstance> createInstance(bool validation)
{
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "vela";
    app.pEngineName = "vela";
    app.apiVersion = VK_API_VERSION_1_2;

    std::vector<const char*> layers;
    std::vector<const char*> extensions;
    if (validation) {
        layers.push_back(kValidationLayer);
        extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    }
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    VkInstance instance = VK_NULL_HANDLE;
    const VkResult created = vkCreateInstance(&info, nullptr, &instance);
    if (created != VK_SUCCESS)
        return Status::failure(std::string("no Vulkan driver could be started (") + resultName(created) +
                               "); install your GPU's Vulkan driver, or mesa-vulkan-drivers for the CPU");
    return instance;
}

}  // namespace

Result<SharedInstance> sharedInstance(bool validation)
{
    static std::mutex mutex;
    // Deliberately never destroyed: at exit the driver may already be unloading, and the OS reclaims it all.
    static VkInstance instances[2] = {VK_NULL_HANDLE, VK_NULL_HANDLE};
    static int validationAvailable = -1;  // unknown until first asked

    std::lock_guard lock(mutex);
    if (validation && validationAvailable < 0)
        validationAvailable = hasInstanceLayer(kValidationLayer) ? 1 : 0;
    const bool useValidation = validation && validationAvailable == 1;
    VkInstance& slot = instances[useValidation ? 1 : 0];
    if (slot == VK_NULL_HANDLE) {
        Result<VkInstance> created = createInstance(useValidation);
        if (!created)
            return created.status();
        slot = *created;
    }
    return SharedInstance{slot, useValidation};
}

}  // namespace vela::vk
