// Host side of the tiled matrix × matrix kernel: tile choice, argument checks, row chunks of large weights.
// Reference: llama.cpp ggml/src/ggml-vulkan/ggml-vulkan.cpp (`ggml_vk_guess_matmul_pipeline`, tile tables).
#include "ops/matmul.h"

#include "ops/weight_chunks.h"
#include "vk/vulkan_context.h"

#include "vela_abi.h"

#include <algorithm>

namespace vela::ops {
namespace {

constexpr uint64_t kFloatBytes = sizeof(float);

// Bytes a range really covers (VK_WHOLE_SIZE: the rest of the buffer).
uint64_t rangeBytes(const vk::BufferRange& range)
{
    if (range.size != VK_WHOLE_SIZE)
        return range.size;
    return range.buffer && range.buffer->size() > range.offset ? range.buffer->size() - range.offset : 0;
}

Status checkTile(const detail::MatMulTile& tile, const vk::DeviceLimits& limits)
{
    if (tile.tm == 0 || tile.tn == 0 || tile.bm % tile.tm || tile.bn % tile.tn || tile.bk == 0 || tile.bk % 8)
        return Status::failure("matMul: tile sizes must divide (bm by tm, bn by tn) and bk be a multiple of 8");
    if (tile.threads() == 0 || tile.threads() > limits.maxWorkGroupInvocations)
        return Status::failure("matMul: tile needs more threads than a workgroup allows");
    // Matches the shared arrays of matmul.comp: (bm + bn) rows of bk / 4 + 1 vec4s.
    const uint64_t sharedBytes = uint64_t(tile.bm + tile.bn) * (tile.bk / 4 + 1) * 16;
    if (sharedBytes > limits.maxComputeSharedMemorySize)
        return Status::failure("matMul: tile needs more shared memory than the device has");
    return {};
}

// x and y are bound whole: check they hold the shape and fit one binding.
Status checkActivation(const char* what, const vk::BufferRange& range, uint64_t bytes, uint64_t maxBindingBytes)
{
    if (!range.buffer)
        return Status::failure(std::string("matMul: no ") + what + " buffer");
    if (rangeBytes(range) < bytes)
        return Status::failure(std::string("matMul: ") + what + " buffer is smaller than tokens × length");
    if (bytes > maxBindingBytes)
        return Status::failure(std::string("matMul: ") + what + " exceeds maxStorageBufferRange; split the tokens");
    return {};
}

// ggml-vulkan picks small/medium/large tiles by the smaller output side; here the token count decides alone,
// because W always has many rows. Small batches get narrow token tiles so no work is wasted on padding.
// lavapipe (one SIMD loop per workgroup, shared-memory loads per lane) gains from more outputs per thread:
// 8×8 ran ~2.0 GFLOP/s against ~1.1 for 4×4 (512 × 1024×1024 F16, noisy shared 2-core host). GPUs get a classic
// 256-thread 4×4-per-thread tile; not tuned on a GPU yet.
detail::MatMulTile chooseTile(const vk::VulkanContext& context, uint32_t nTokens)
{
    const bool cpu = context.description().kind == DeviceKind::Cpu;
    if (nTokens <= 8)
        return cpu ? detail::MatMulTile{64, 8, 32, 8, 1} : detail::MatMulTile{64, 8, 32, 4, 1};
    if (nTokens <= 32)
        return cpu ? detail::MatMulTile{64, 32, 32, 8, 4} : detail::MatMulTile{64, 32, 32, 4, 2};
    return cpu ? detail::MatMulTile{64, 64, 32, 8, 8} : detail::MatMulTile{64, 64, 32, 4, 4};
}

}  // namespace

Status matMul(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
              vk::BufferRange y, uint32_t nTokens)
{
    return detail::matMulTuned(kernels, stream, w, x, y, nTokens, {});
}

namespace detail {

Status matMulTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
                   vk::BufferRange y, uint32_t nTokens, const MatMulTuning& tuning)
{
    const vk::VulkanContext& context = kernels.context();
    const vk::DeviceLimits& limits = context.limits();
    const std::optional<std::string> suffix = weightShaderSuffix(w.type);
    if (!suffix)
        return Status::failure("matMul: no kernel for weight type " + std::string(ggmlTypeName(w.type)));
    if (nTokens == 0 || w.cols == 0)
        return Status::failure("matMul: no tokens, or empty weight rows");
    const MatMulTile tile = tuning.tile.threads() ? tuning.tile : chooseTile(context, nTokens);
    if (Status s = checkTile(tile, limits); !s)
        return s;
    const uint64_t xBytes = uint64_t(nTokens) * w.cols * kFloatBytes, yBytes = uint64_t(nTokens) * w.rows * kFloatBytes;
    if (Status s = checkActivation("x", x, xBytes, limits.maxStorageBufferRange); !s)
        return s;
    if (Status s = checkActivation("y", y, yBytes, limits.maxStorageBufferRange); !s)
        return s;
    const uint32_t tokenGroups = (nTokens + tile.bn - 1) / tile.bn;
    if (tokenGroups > limits.maxWorkGroupCount[1])
        return Status::failure("matMul: too many tokens for one dispatch");

    // Chunks bound the weight to maxStorageBufferRange and the row tiles to maxWorkGroupCount[0].
    const uint64_t alignment = storageOffsetAlignment(context);
    const uint64_t maxBindingBytes = tuning.maxBindingBytes ? tuning.maxBindingBytes : limits.maxStorageBufferRange;
    const uint64_t maxGridRows = uint64_t(limits.maxWorkGroupCount[0]) * tile.bm;
    const uint64_t rowBytes = w.rowBytes();
    Result<RowChunking> chunking =
        planRowChunks(w, std::min(maxBindingBytes, rowBytes ? maxGridRows * rowBytes : maxBindingBytes), alignment);
    if (!chunking)
        return Status::failure("matMul: " + chunking.message());

    Result<const vk::ComputePipeline*> pipeline = kernels.get(
        "matmul_" + *suffix, 3, sizeof(abi::MatMulPush), {tile.threads(), tile.bm, tile.bn, tile.bk, tile.tm, tile.tn});
    if (!pipeline)
        return pipeline.status();

    const GgmlTypeInfo info = ggmlTypeInfo(w.type);
    const bool plainFloats = info.blockSize == 1;
    const uint32_t xFlags = (w.cols % 4 == 0 && x.offset % 16 == 0) ? VELA_MATMUL_VECTOR_X : 0u;
    const vk::BufferRange xBound{x.buffer, x.offset, xBytes}, yBound{y.buffer, y.offset, yBytes};
    for (uint32_t firstRow = 0; firstRow < w.rows; firstRow += chunking->rowsPerChunk) {
        const uint32_t rows = std::min(chunking->rowsPerChunk, w.rows - firstRow);
        const vk::BufferRange weights = rowRange(w, *chunking, firstRow, rows);
        // 8-float reads of plain-float rows need every row to start on a 16-byte boundary.
        const bool vectorW = plainFloats && w.cols % 8 == 0 && weights.offset % 16 == 0;
        const abi::MatMulPush push{rows,   w.cols,   w.cols / info.blockSize, nTokens, w.rows,
                                   firstRow, xFlags | (vectorW ? VELA_MATMUL_VECTOR_W : 0u)};
        stream.dispatch(**pipeline, {weights, xBound, yBound}, push, (rows + tile.bm - 1) / tile.bm, tokenGroups);
        stream.noteTraffic(uint64_t(rows) * w.rowBytes() + 4ull * nTokens * (w.cols + rows));
    }
    return {};
}

}  // namespace detail
}  // namespace vela::ops
