// Every compute pipeline the engine uses, created on first use and kept for the context's lifetime, with a
// pipeline cache on disk (in the user's cache folder) so later starts skip shader compilation.
#pragma once

#include "vk/compute_pipeline.h"

#include "vela/status.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vela::vk {
class VulkanContext;
}

namespace vela::ops {

class KernelLibrary {
public:
    // `cacheDir` empty: $XDG_CACHE_HOME/vela or ~/.cache/vela; "-": no disk cache.
    explicit KernelLibrary(const vk::VulkanContext& context, std::string cacheDir = {});
    ~KernelLibrary();  // writes the pipeline cache back
    KernelLibrary(const KernelLibrary&) = delete;
    KernelLibrary& operator=(const KernelLibrary&) = delete;

    // The pipeline of shader `name` (see shaders/shader_list.cmake) with these specialization constants.
    Result<const vk::ComputePipeline*> get(const std::string& name, uint32_t bufferCount, uint32_t pushConstantBytes,
                                           const std::vector<uint32_t>& specialization = {});

    const vk::VulkanContext& context() const { return m_context; }

private:
    std::string cacheFile() const;
    const vk::VulkanContext& m_context;
    std::string m_cacheDir;
    VkPipelineCache m_cache = VK_NULL_HANDLE;
    std::map<std::string, std::unique_ptr<vk::ComputePipeline>> m_pipelines;
};

}  // namespace vela::ops
