// Argmax and top-k in two passes: per-workgroup candidates into a scratch buffer, then one workgroup
// reduces them. References: Harris 2007, "Optimizing Parallel Reduction in CUDA"; Batcher 1968 (bitonic
// sort); the sampler's candidate order (inference/sampling/sampler.cpp).
#include "ops/select.h"

#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>

namespace vela::ops {

static_assert(kMaxTopK == VELA_TOPK_MAX_K);

namespace {

constexpr uint32_t kSelectWorkgroup = 256;
constexpr uint32_t kArgmaxChunk = 4096;  // logits per workgroup: 152k logits → 38 candidates
constexpr uint32_t kTopKChunk = 2048;    // sort size in shared memory (16 KiB of keys and indices)

uint32_t chunksOf(uint32_t n, uint32_t chunk)
{
    return (n + chunk - 1) / chunk;
}

uint64_t scratchBytesNeeded(vk::BufferRange scratch)
{
    return scratch.size != VK_WHOLE_SIZE ? scratch.size : scratch.buffer->size() - scratch.offset;
}

Status checkScratch(const char* op, vk::BufferRange scratch, uint64_t needed)
{
    if (scratch.buffer == nullptr || scratchBytesNeeded(scratch) < needed)
        return Status::failure(std::string(op) + ": scratch buffer smaller than the " + std::to_string(needed) +
                               " bytes needed");
    return {};
}

}  // namespace

uint64_t selectScratchBytes(uint32_t n, uint32_t k)
{
    const uint64_t argmaxCandidates = chunksOf(n, kArgmaxChunk);
    const uint64_t topKCandidates = uint64_t(chunksOf(n, kTopKChunk)) * std::max<uint32_t>(k, 1);
    return 8 * std::max(argmaxCandidates, topKCandidates);  // (key, index) per candidate
}

Status argmax(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange logits, uint32_t n,
              vk::BufferRange out, vk::BufferRange scratch)
{
    if (n == 0)
        return Status::failure("argmax: no logits");
    const uint32_t groups = chunksOf(n, kArgmaxChunk);
    if (groups > kernels.context().limits().maxWorkGroupCount[0])
        return Status::failure("argmax: too many logits (" + std::to_string(n) + ")");
    if (Status s = checkScratch("argmax", scratch, selectScratchBytes(n, 1)); !s)
        return s;
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get("argmax", 3, sizeof(abi::SelectPush), {kSelectWorkgroup, kArgmaxChunk});
    if (!pipeline)
        return pipeline.status();
    stream.dispatch(**pipeline, {logits, scratch, out}, abi::SelectPush{n, 1, 0, 0}, groups);
    // Pass 1 reads every workgroup's candidate.
    stream.barrier();
    stream.dispatch(**pipeline, {logits, scratch, out}, abi::SelectPush{n, 1, groups, 1}, 1);
    return {};
}

Status topK(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange logits, uint32_t n, uint32_t k,
            vk::BufferRange outIds, vk::BufferRange outValues, vk::BufferRange scratch)
{
    if (k == 0 || k > n || k > kMaxTopK)
        return Status::failure("topK: k = " + std::to_string(k) + " must be 1 … min(n = " + std::to_string(n) +
                               ", " + std::to_string(kMaxTopK) + ")");
    const uint32_t groups = chunksOf(n, kTopKChunk);
    if (groups > kernels.context().limits().maxWorkGroupCount[0])
        return Status::failure("topK: too many logits (" + std::to_string(n) + ")");
    if (Status s = checkScratch("topK", scratch, selectScratchBytes(n, k)); !s)
        return s;
    Result<const vk::ComputePipeline*> pipeline =
        kernels.get("topk", 4, sizeof(abi::SelectPush), {kSelectWorkgroup, kTopKChunk});
    if (!pipeline)
        return pipeline.status();
    stream.dispatch(**pipeline, {logits, scratch, outIds, outValues}, abi::SelectPush{n, k, 0, 0}, groups);
    // Pass 1 reads every workgroup's top k.
    stream.barrier();
    stream.dispatch(**pipeline, {logits, scratch, outIds, outValues}, abi::SelectPush{n, k, groups * k, 1}, 1);
    return {};
}

}  // namespace vela::ops
