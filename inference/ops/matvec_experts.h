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

namespace vela::ops {

// y[p][r] = Σ_k W[ids[p]][r][k]·x[p / pairsPerX][k] for p < nPairs, r < w.rows / nExperts.
// w: the ggml 3-D expert tensor [cols, rowsPerExpert, nExperts] seen as (nExperts·rowsPerExpert, cols), expert e's
//    matrix being rows e·rowsPerExpert … e·rowsPerExpert + rowsPerExpert − 1; any matVec weight type.
// ids: (nPairs) u32 expert ids; an id ≥ nExperts gives a zero row of y (nothing is read for it).
// x: (nPairs / pairsPerX rounded up, w.cols) f32 — the gate/up projections pass the tokens' rows with
//    pairsPerX = experts per token, the down projection the per-pair hidden rows with pairsPerX = 1.
// y: (nPairs, rowsPerExpert) f32. One dispatch (more only past maxWorkGroupCount[2] pairs). The whole weight must
// fit one storage-buffer binding (maxStorageBufferRange); larger ones fail (no split across experts yet).
Status matVecExperts(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w, uint32_t nExperts,
                     vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX, vk::BufferRange x,
                     vk::BufferRange y);

namespace detail {
// matVecExperts with matVec's tuning knobs (maxBindingBytes, reduction, workgroup shape), for tests.
Status matVecExpertsTuned(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& w,
                          uint32_t nExperts, vk::BufferRange ids, uint32_t nPairs, uint32_t pairsPerX,
                          vk::BufferRange x, vk::BufferRange y, const MatVecTuning& tuning);
}  // namespace detail

}  // namespace vela::ops
