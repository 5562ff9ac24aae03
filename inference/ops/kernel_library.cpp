#include "ops/kernel_library.h"

#include "vk/shader_registry.h"
#include "vk/vulkan_context.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace vela::ops {
namespace {

std::string defaultCacheDir()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::string(xdg) + "/vela";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.cache/vela";
    return {};
}

}  // namespace

KernelLibrary::KernelLibrary(const vk::VulkanContext& context, std::string cacheDir)
    : m_context(context), m_cacheDir(cacheDir.empty() ? defaultCacheDir() : cacheDir == "-" ? "" : cacheDir)
{
    // A cache written by another driver or device is rejected by the driver itself (its header carries the
    // vendor, device and cache UUID), so a stale file costs nothing but the read.
    std::vector<char> initial;
    if (!m_cacheDir.empty()) {
        std::ifstream in(cacheFile(), std::ios::binary);
        initial.assign(std::istreambuf_iterator<char>(in), {});
    }
    VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    info.initialDataSize = initial.size();
    info.pInitialData = initial.empty() ? nullptr : initial.data();
    if (vkCreatePipelineCache(context.device(), &info, nullptr, &m_cache) != VK_SUCCESS) {
        info.initialDataSize = 0;  // a corrupt cache file: start empty
        info.pInitialData = nullptr;
        vkCreatePipelineCache(context.device(), &info, nullptr, &m_cache);
    }
}

KernelLibrary::~KernelLibrary()
{
    m_pipelines.clear();
    if (!m_cache)
        return;
    size_t size = 0;
    if (!m_cacheDir.empty() && vkGetPipelineCacheData(m_context.device(), m_cache, &size, nullptr) == VK_SUCCESS &&
        size > 0) {
        std::vector<char> data(size);
        if (vkGetPipelineCacheData(m_context.device(), m_cache, &size, data.data()) == VK_SUCCESS) {
            std::error_code ignored;  // no cache folder is not worth an error
            std::filesystem::create_directories(m_cacheDir, ignored);
            const std::string tmp = cacheFile() + ".tmp";
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(data.data(), static_cast<std::streamsize>(size));
            if (out.flush())
                std::filesystem::rename(tmp, cacheFile(), ignored);
        }
    }
    vkDestroyPipelineCache(m_context.device(), m_cache, nullptr);
}

std::string KernelLibrary::cacheFile() const
{
    const DeviceDescription& d = m_context.description();
    std::string name;
    for (char c : d.name + "-" + d.apiVersion)
        name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
    return m_cacheDir + "/pipelines-" + name + ".bin";
}

Result<const vk::ComputePipeline*> KernelLibrary::get(const std::string& name, uint32_t bufferCount,
                                                      uint32_t pushConstantBytes,
                                                      const std::vector<uint32_t>& specialization)
{
    std::string key = name;
    for (uint32_t s : specialization)
        key += "/" + std::to_string(s);
    if (auto it = m_pipelines.find(key); it != m_pipelines.end())
        return it->second.get();
    vk::PipelineDesc desc{name, vk::findShader(name), bufferCount, pushConstantBytes, specialization};
    Result<vk::ComputePipeline> pipeline = vk::ComputePipeline::create(m_context, desc, m_cache);
    if (!pipeline)
        return pipeline.status();
    auto owned = std::make_unique<vk::ComputePipeline>(std::move(pipeline).value());
    const vk::ComputePipeline* raw = owned.get();
    m_pipelines.emplace(std::move(key), std::move(owned));
    return raw;
}

}  // namespace vela::ops
