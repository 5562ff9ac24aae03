#include "models/lora_weights.h"

#include "ops/elementwise.h"
#include "ops/matmul.h"
#include "ops/matvec.h"
#include "vk/vk_status.h"

#include <algorithm>

namespace vela::models {
namespace {

// y = W·x for n rows of x, as LlamaSession::matrix() projects: matvec for one token, matmul for a batch.
Status project(ops::KernelLibrary& kernels, vk::CommandStream& stream, const ops::WeightView& w, const vk::Buffer& x,
               const vk::Buffer& y, uint32_t n)
{
    if (n == 1)
        return ops::matVec(kernels, stream, w, vk::wholeBuffer(x), vk::wholeBuffer(y), 1);
    return ops::matMul(kernels, stream, w, vk::wholeBuffer(x), vk::wholeBuffer(y), n);
}

}  // namespace

uint64_t LoraWeights::uploadBytes(const std::vector<LoraAdapterFile>& adapters)
{
    uint64_t total = 0;
    for (const LoraAdapterFile& adapter : adapters)
        total += adapter.scale != 0.0f ? adapter.tensorBytes : 0;
    return total;
}

uint64_t LoraWeights::scratchBytes(const std::vector<LoraAdapterFile>& adapters, uint32_t batch)
{
    uint64_t rank = 0, rows = 0;
    for (const LoraAdapterFile& adapter : adapters) {
        for (const LoraPair& pair : adapter.pairs) {
            rank = std::max<uint64_t>(rank, adapter.scale != 0.0f ? pair.rank : 0);
            rows = std::max<uint64_t>(rows, adapter.scale != 0.0f ? pair.rows : 0);
        }
    }
    return uint64_t(batch) * (rank + rows) * sizeof(float);
}

Result<LoraWeights> LoraWeights::upload(const vk::VulkanContext& context, const std::vector<LoraAdapterFile>& adapters,
                                        const MatrixLookup& matrix, const std::function<bool(double)>& progress)
{
    const uint64_t total = uploadBytes(adapters);
    uint64_t done = 0;
    LoraWeights weights;
    for (const LoraAdapterFile& adapter : adapters) {
        if (adapter.scale == 0.0f)  // no term at all: the base model's logits, bit for bit
            continue;
        const auto fileProgress = [&](double fraction) {
            const double bytes = static_cast<double>(done) + fraction * static_cast<double>(adapter.tensorBytes);
            return !progress || progress(total ? bytes / static_cast<double>(total) : 1.0);
        };
        Result<DeviceWeights> uploaded = DeviceWeights::upload(context, adapter.file, fileProgress);
        if (!uploaded)
            return uploaded.message() == "loading cancelled" ? uploaded.status()
                                                              : Status::failure(adapter.path + ": " + uploaded.message());
        done += adapter.tensorBytes;
        weights.m_totalBytes += uploaded->totalBytes();
        weights.m_files.push_back(std::move(uploaded).value());
        const DeviceWeights& files = weights.m_files.back();
        for (const LoraPair& pair : adapter.pairs) {
            const ops::WeightView* base = matrix(pair.base);
            if (!base)  // openLoraAdapter checked the file has it; the model must have kept it
                return Status::failure(adapter.path + ": the model has no matrix '" + pair.base + "'");
            weights.m_terms[base].push_back({files.find(pair.a), files.find(pair.b), adapter.factor(pair.rank)});
            weights.m_maxRank = std::max(weights.m_maxRank, pair.rank);
            weights.m_maxRows = std::max(weights.m_maxRows, pair.rows);
        }
    }
    return weights;
}

Status LoraWeights::apply(ops::KernelLibrary& kernels, vk::CommandStream& stream, const ops::WeightView& base,
                          const vk::Buffer& x, const vk::Buffer& y, uint32_t n, const LoraScratch& scratch) const
{
    const auto it = m_terms.find(&base);
    if (it == m_terms.end())
        return {};
    for (const LoraTerm& term : it->second) {
        // A·x reads only x, like the base projection recorded before it: no barrier in between. The previous
        // term's B·(A·x) read `reduced` before the barrier that preceded its sum.
        VELA_TRY(project(kernels, stream, *term.a, x, *scratch.reduced, n));
        stream.barrier();  // B reads A·x
        VELA_TRY(project(kernels, stream, *term.b, *scratch.reduced, *scratch.expanded, n));
        stream.barrier();  // the sum reads B·(A·x) and the base projection's (or the previous term's) y
        VELA_TRY(ops::addScaled(kernels, stream, vk::wholeBuffer(y), vk::wholeBuffer(*scratch.expanded),
                                vk::wholeBuffer(y), n * base.rows, term.factor));
    }
    return {};
}

}  // namespace vela::models
