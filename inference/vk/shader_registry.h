// The SPIR-V of every shader in shaders/, compiled at build time and embedded in the binary: nothing is
// loaded from disk at run time.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vela::vk {

struct EmbeddedShader {
    std::string_view name;  // the vela_shader() name in shaders/shader_list.cmake
    std::span<const uint32_t> spirv;
};

const std::vector<EmbeddedShader>& embeddedShaders();  // generated: embedded_shaders.cpp

// Empty when no shader has that name.
std::span<const uint32_t> findShader(std::string_view name);

}  // namespace vela::vk
