// LoRA adapters on the device, found by the model matrix they adapt, and the step that applies them after
// that matrix's projection: y += s·B·(A·x) for each adapter on it. The model's own weights are never changed,
// so an adapter at scale 0 (not uploaded, no term) leaves the base model's logits bit for bit.
#pragma once

#include "models/device_weights.h"
#include "models/lora_adapter.h"
#include "ops/kernel_library.h"
#include "ops/weight_view.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <functional>
#include <unordered_map>
#include <vector>

namespace vela::models {

// One adapter's term on one matrix: A (rank, n_in), B (n_out, rank), s.
struct LoraTerm {
    const ops::WeightView* a = nullptr;
    const ops::WeightView* b = nullptr;
    float factor = 0.0f;
};

// Session buffers the terms pass through, sized by LoraWeights::maxRank()/maxRows() × the batch.
struct LoraScratch {
    const vk::Buffer* reduced = nullptr;  // (batch, max rank) A·x
    const vk::Buffer* expanded = nullptr;  // (batch, max n_out) B·(A·x)
};

class LoraWeights {
public:
    // The model matrix of a tensor name (a view that outlives these weights); null when absent.
    using MatrixLookup = std::function<const ops::WeightView*(const std::string& name)>;

    // Uploads each adapter whose scale is not 0 and files its terms under the model's matrices.
    // `progress(fraction of the adapters' bytes)` returning false cancels.
    static Result<LoraWeights> upload(const vk::VulkanContext& context, const std::vector<LoraAdapterFile>& adapters,
                                      const MatrixLookup& matrix, const std::function<bool(double)>& progress);

    // The bytes upload() puts on the device (the adapters whose scale is not 0), and a session's scratch for
    // them at `batch` tokens: the memory check's share of the adapters.
    static uint64_t uploadBytes(const std::vector<LoraAdapterFile>& adapters);
    static uint64_t scratchBytes(const std::vector<LoraAdapterFile>& adapters, uint32_t batch);

    bool empty() const { return m_terms.empty(); }
    uint64_t totalBytes() const { return m_totalBytes; }
    uint32_t maxRank() const { return m_maxRank; }
    uint32_t maxRows() const { return m_maxRows; }

    // After `base`'s projection of n rows of x into y was recorded: records y += s·B·(A·x) for every adapter on
    // `base` (nothing when it has none), with barriers between its own steps; the caller adds the barrier
    // before y is read.
    Status apply(ops::KernelLibrary& kernels, vk::CommandStream& stream, const ops::WeightView& base,
                 const vk::Buffer& x, const vk::Buffer& y, uint32_t n, const LoraScratch& scratch) const;

private:
    std::vector<DeviceWeights> m_files;  // their views stay put when the vector grows (map nodes)
    std::unordered_map<const ops::WeightView*, std::vector<LoraTerm>> m_terms;
    uint64_t m_totalBytes = 0;
    uint32_t m_maxRank = 0;
    uint32_t m_maxRows = 0;
};

}  // namespace vela::models
