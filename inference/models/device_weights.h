// Model weights on the device: each GGUF tensor in its own device-local buffer, streamed from the file's
// memory mapping through a staging buffer with a progress callback that can cancel.
#pragma once

#include "ops/weight_view.h"
#include "vk/buffer.h"

#include "vela/gguf.h"
#include "vela/status.h"

#include <functional>
#include <map>
#include <string>

namespace vela::vk {
class VulkanContext;
}

namespace vela::models {

class DeviceWeights {
public:
    // Uploads every tensor of `file`. `progress(fraction)` returning false cancels: everything allocated
    // so far is freed and the result is the failure "loading cancelled".
    static Result<DeviceWeights> upload(const vk::VulkanContext& context, const GgufFile& file,
                                        const std::function<bool(double)>& progress);

    // The tensor as a matrix (rows = product of the dims past the first, cols = dims[0]); null when absent.
    const ops::WeightView* find(const std::string& name) const;
    uint64_t totalBytes() const { return m_totalBytes; }

private:
    struct Entry {
        vk::Buffer buffer;
        ops::WeightView view;
    };
    std::map<std::string, Entry> m_tensors;
    uint64_t m_totalBytes = 0;
};

}  // namespace vela::models
