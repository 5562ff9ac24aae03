// Matrix × matrix for prompt processing: Y = X·Wᵀ for a batch of tokens, W in any ggml weight type
// (shaders/matmul.comp). Compute bound: each workgroup dequantizes a tile of W into shared memory once and
// uses it for a whole tile of tokens.
#pragma once

#include "ops/kernel_library.h"
#include "ops/weight_view.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// y[t][r] = Σ_k W[r][k]·x[t][k] for t < nTokens. x: (nTokens, w.cols) f32 row-major; y: (nTokens, w.rows) f32.
// Types: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K … Q6_K. Weights larger than maxStorageBufferRange
// are bound in row chunks; w.data.offset must honour minStorageBufferOffsetAlignment; x and y must each fit
// one binding. Records dispatches only: the caller puts barriers between dependent ops.
Status matMul(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
              vk::BufferRange y, uint32_t nTokens);

namespace detail {
// A workgroup's output tile: bm rows of W × bn tokens, bk along k per step (a multiple of 8), tm × tn outputs
// per thread; threads = (bm / tm)·(bn / tn).
struct MatMulTile {
    uint32_t bm = 0, bn = 0, bk = 0, tm = 0, tn = 0;
    uint32_t threads() const { return tm && tn ? (bm / tm) * (bn / tn) : 0; }
};
// What matMul chooses from the device and the shape, made explicit so tests reach every path on one device
// (the row-chunk split on small weights, each tile shape) and benchmarks can compare tiles.
struct MatMulTuning {
    uint64_t maxBindingBytes = 0;  // 0: maxStorageBufferRange
    MatMulTile tile;               // all zero: chosen from nTokens
};
Status matMulTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, vk::BufferRange x,
                   vk::BufferRange y, uint32_t nTokens, const MatMulTuning& tuning);
}  // namespace detail

}  // namespace vela::ops
