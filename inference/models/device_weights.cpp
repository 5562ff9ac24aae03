#include "models/device_weights.h"

#include "vk/command_stream.h"
#include "vk/vulkan_context.h"

#include <algorithm>
#include <cstring>

namespace vela::models {
namespace {

constexpr VkDeviceSize kStagingBytes = 64ull << 20;

// Copies `bytes` into `target`: straight through the mapping when the device memory is host-visible
// (lavapipe, unified-memory GPUs), else chunk by chunk through `staging`. Checks `keepGoing` per chunk.
Status copyToDevice(vk::CommandStream& stream, vk::Buffer& staging, vk::Buffer& target, std::span<const uint8_t> bytes,
                    const std::function<bool(uint64_t)>& keepGoing)
{
    for (uint64_t done = 0; done < bytes.size();) {
        const uint64_t chunk = std::min<uint64_t>(kStagingBytes, bytes.size() - done);
        if (target.mapped()) {
            std::memcpy(static_cast<uint8_t*>(target.mapped()) + done, bytes.data() + done, chunk);
        } else {
            std::memcpy(staging.mapped(), bytes.data() + done, chunk);
            stream.copy(staging, 0, target, done, chunk);
            if (Status s = stream.submitAndWait(); !s)
                return s;
        }
        done += chunk;
        if (!keepGoing(chunk))
            return Status::failure("loading cancelled");
    }
    return {};
}

}  // namespace

Result<DeviceWeights> DeviceWeights::upload(const vk::VulkanContext& context, const GgufFile& file,
                                            const std::function<bool(double)>& progress)
{
    uint64_t total = 0;
    for (const GgufTensorInfo& t : file.tensors())
        total += t.byteSize;
    Result<vk::CommandStream> stream = vk::CommandStream::create(context);
    if (!stream)
        return stream.status();
    Result<vk::Buffer> staging = vk::Buffer::create(context, kStagingBytes, vk::BufferUsage::Upload);
    if (!staging)
        return staging.status();

    DeviceWeights weights;
    uint64_t loaded = 0;
    const auto keepGoing = [&](uint64_t bytes) {
        loaded += bytes;
        return !progress || progress(total ? static_cast<double>(loaded) / static_cast<double>(total) : 1.0);
    };
    if (!keepGoing(0))
        return Status::failure("loading cancelled");
    for (const GgufTensorInfo& t : file.tensors()) {
        // Rounded up so that kernels reading whole 16-byte words at a row end stay inside the buffer.
        Result<vk::Buffer> buffer = vk::Buffer::create(context, (t.byteSize + 15) / 16 * 16, vk::BufferUsage::DeviceLocal);
        if (!buffer)
            return Status::failure("tensor '" + t.name + "': " + buffer.message());
        if (Status s = copyToDevice(*stream, *staging, *buffer, file.tensorData(t), keepGoing); !s)
            return s;
        Entry entry{std::move(buffer).value(), {}};
        const uint64_t rows = t.dims[1] * t.dims[2] * t.dims[3];
        entry.view = ops::WeightView{vk::wholeBuffer(entry.buffer), t.type, static_cast<uint32_t>(rows),
                                     static_cast<uint32_t>(t.dims[0])};
        weights.m_totalBytes += t.byteSize;
        weights.m_tensors.emplace(t.name, std::move(entry));
    }
    // The buffers moved into the map: point each view at its buffer's final address.
    for (auto& [name, entry] : weights.m_tensors)
        entry.view.data = vk::wholeBuffer(entry.buffer);
    return weights;
}

const ops::WeightView* DeviceWeights::find(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    return it == m_tensors.end() ? nullptr : &it->second.view;
}

}  // namespace vela::models
