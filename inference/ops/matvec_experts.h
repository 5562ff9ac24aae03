// Expert-indexed matrix × vector for Mixture-of-Experts layers (shaders/matvec.comp, VELA_EXPERTS variants):
// each (token, expert) pair multiplies by the matrix of the expert the router chose, read from a device buffer,
// so only the selected experts' weights are read and the ids need no host round trip.
// Reference: ggml's GGML_OP_MUL_MAT_ID (llama.cpp ggml/src/ggml-vulkan/vulkan-shaders/mul_mat_vec*.comp with
// MUL_MAT_ID; the expert FFN in src/llama-graph.cpp build_moe_ffn).
#pragma once

#include "ops/kernel_library.h"
#include "ops/matvec.h"
#include "ops/weight_view.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

#include <vector>

namespace vela::ops {

// y[p][r] = Σ_k W[ids[p]][r][k]·x[p / pairsPerX][k] for p < nPairs, r < w.rows / nExperts.
// w: the ggml 3-D expert tensor [cols, rowsPerExpert, nExperts] seen as (nExperts·rowsPerExpert, cols), expert e's
//    matrix being rows e·rowsPerExpert … e·rowsPerExpert + rowsPerExpert − 1; any matVec weight type.
// ids: (nPairs) u32 expert ids; an id ≥ nExperts gives a zero row of y (nothing is read for it).
// x: (nPairs / pairsPerX rounded up, w.cols) f32 — the gate/up projections pass the tokens' rows with
//    pairsPerX = experts per token, the down projection the per-pair hidden rows with pairsPerX = 1.
// y: (nPairs, rowsPerExpert) f32. One dispatch per chunk of experts that fits one storage-buffer binding
// (maxStorageBufferRange; one chunk unless the stack is larger), more only past maxWorkGroupCount[2] pairs.
// Fails when one expert's matrix alone exceeds a binding.
Status matVecExperts(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, uint32_t nExperts,
                     vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX, vk::BufferRange x,
                     vk::BufferRange y);

namespace detail {
// matVecExperts with matVec's tuning knobs (maxBindingBytes, reduction, workgroup shape), for tests.
Status matVecExpertsTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w,
                          uint32_t nExperts, vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX,
                          vk::BufferRange x, vk::BufferRange y, const MatVecTuning& tuning);

// One binding of the expert stack: experts firstExpert … firstExpert + experts − 1, whose matrices start
// blockOffset blocks into `binding`. A binding starts at a multiple of offsetAlignment (from w's own aligned
// offset) that is also a whole number of blocks (of 8 elements for float types, which the kernel reads 16 bytes
// at a time), so it may begin up to lcm(alignment, those bytes) − 1 bytes (at most 26879 for Q6_K at 256)
// before its first expert.
struct ExpertChunk {
    uint32_t firstExpert = 0;
    uint32_t experts = 0;
    vk::BufferRange binding;
    uint32_t blockOffset = 0;
};
// As many whole experts per chunk as fit maxBindingBytes; fails when one expert (with its lead) does not.
Result<std::vector<ExpertChunk>> planExpertChunks(const WeightView& w, uint32_t nExperts, uint64_t maxBindingBytes,
                                                  uint64_t offsetAlignment);
}  // namespace detail

}  // namespace vela::ops
