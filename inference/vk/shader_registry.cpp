#include "vk/shader_registry.h"

namespace vela::vk {

std::span<const uint32_t> findShader(std::string_view name)
{
    for (const EmbeddedShader& shader : embeddedShaders()) {
        if (shader.name == name)
            return shader.spirv;
    }
    return {};
}

}  // namespace vela::vk
