// Embedding lookup (ggml get_rows): rows of a token-embedding table of any ggml weight type, dequantized to
// f32 (shaders/embedding.comp).
#pragma once

#include "ops/kernel_library.h"
#include "ops/weight_view.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"

namespace vela::ops {

// out[t] = table row ids[t] as f32. ids: (nTokens) uint32, each < table.rows (checked by the caller; rows past
// the table are left unwritten); out: (nTokens, table.cols) f32. Tables larger than maxStorageBufferRange are
// bound in row chunks; table.data.offset must honour minStorageBufferOffsetAlignment.
Status embed(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& table, vk::BufferRange ids,
             vk::BufferRange out, uint32_t nTokens);

namespace detail {
// embed with the binding limit given explicitly, so tests can force the row-chunk path on small tables.
Status embedChunked(KernelLibrary& kernels, vk::CommandStream& stream, const WeightView& table,
                    vk::BufferRange ids, vk::BufferRange out, uint32_t nTokens, uint64_t maxBindingBytes);
}  // namespace detail

}  // namespace vela::ops
