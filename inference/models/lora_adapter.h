// Reading a LoRA adapter in llama.cpp's adapter GGUF and checking it against the model it is loaded on, before
// anything touches the device. Reference: llama.cpp src/llama-adapter.cpp (llama_adapter_lora_init_impl) and
// convert_lora_to_gguf.py, which write
//   general.type = "adapter", adapter.type = "lora", adapter.lora.alpha (f32, 0 = none), general.architecture;
//   for each adapted model tensor T (ggml shape [n_in, n_out]): T.lora_a [n_in, rank] and T.lora_b [rank, n_out],
// i.e. in the kernels' (rows, cols) terms A = (rank, n_in) and B = (n_out, rank), and W·x becomes
// W·x + s·B·(A·x).
#pragma once

#include "vela/gguf.h"
#include "vela/language_model.h"
#include "vela/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vela::models {

// One adapted matrix: the model tensor's name and the adapter's two tensors for it.
struct LoraPair {
    std::string base;  // "blk.3.attn_q.weight"
    std::string a;     // base + ".lora_a", (rank, n_in)
    std::string b;     // base + ".lora_b", (n_out, rank)
    uint32_t rank = 0;
    uint32_t rows = 0;  // n_out
};

// An adapter file that passed every check, still mapped (its tensors are uploaded from it).
struct LoraAdapterFile {
    GgufFile file;
    std::string path;
    float scale = 1.0f;  // the user's (LoraAdapter::scale); 0: not applied
    float alpha = 0.0f;  // adapter.lora.alpha; 0 = no alpha scaling
    std::vector<LoraPair> pairs;
    uint64_t tensorBytes = 0;  // what uploading it takes on the device

    // s of W·x + s·B·(A·x) for a pair of `rank` (llama.cpp llama_adapter_lora_weight::get_scale).
    float factor(uint32_t rank) const { return alpha != 0.0f ? scale * alpha / float(rank) : scale; }
};

// Opens `path` and checks it against `model`: the adapter format, the architecture, and for every tensor its
// name (a .lora_a/.lora_b pair for a matrix of the model Vela can adapt), shape and type. Fails with
// "<path>: <reason>".
Result<LoraAdapterFile> openLoraAdapter(const std::string& path, const GgufFile& model);
// Each of `adapters` through openLoraAdapter, with its scale (which must be finite); the first refusal fails all.
Result<std::vector<LoraAdapterFile>> openLoraAdapters(const std::vector<LoraAdapter>& adapters, const GgufFile& model);

// Whether Vela applies adapters to the model tensor `name`: the 2-D projections every architecture computes
// through LlamaSession::matrix() (attention, feed-forward, shared expert, router, output head). Not the token
// embedding (a lookup), norms and biases (vectors) or the experts' 3-D stacks.
bool isLoraAdaptable(const std::string& name);

}  // namespace vela::models
