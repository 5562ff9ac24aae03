// Matrix × vector for decode: y = W·x for one to a few activation columns, W in any ggml weight type
// (shaders/matvec.comp). Memory-bandwidth bound: every weight byte is read once per call.
#pragma once

#include "ops/kernel_library.h"
#include "ops/weight_view.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// y[c][r] = Σ_k W[r][k]·x[c][k] for c < nColumns. x: (nColumns, w.cols) f32; y: (nColumns, w.rows) f32.
// Types: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K … Q6_K. Weights larger than maxStorageBufferRange
// are bound in row chunks; w.data.offset must honour minStorageBufferOffsetAlignment.
Status matVec(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
              vk::BufferRange y, uint32_t nColumns = 1);

namespace detail {
// What matVec chooses from the device, made explicit so tests can reach every path on one device: the row-chunk
// split on small weights, both reductions, several subgroups per workgroup.
struct MatVecTuning {
    uint64_t maxBindingBytes = 0;  // 0: maxStorageBufferRange
    bool useSubgroups = true;      // subgroupAdd reduction when the device has subgroup arithmetic
    uint32_t workgroup = 0;        // threads, a power of two; 0: chosen for the device
    uint32_t rowsPerGroup = 0;     // 0: chosen for the device
};
Status matVecTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
                   vk::BufferRange y, uint32_t nColumns, const MatVecTuning& tuning);

// The workgroup shape of the matvec kernels on `context` with `tuning`'s overrides (shared with matVecExperts).
struct MatVecShape {
    uint32_t workgroup;     // threads, a power of two (the shared-memory tree halves it)
    uint32_t rowsPerGroup;  // rows each workgroup computes, sharing its x loads
};
Result<MatVecShape> chooseMatVecShape(const vk::VulkanContext& context, const MatVecTuning& tuning);
}  // namespace detail

}  // namespace vela::ops
