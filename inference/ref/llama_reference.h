// A plain CPU forward pass of the `llama` architecture, straight from a GGUF file: the whole-model oracle
// the Vulkan model is compared with, itself checked against llama.cpp's golden logits.
// Reference: llama.cpp src/models/llama.cpp (graph), src/llama-graph.cpp (`build_attn`, `build_ffn`);
// Touvron et al. 2023, "LLaMA" (arXiv:2302.13971).
#pragma once

#include "vela/gguf.h"
#include "vela/llama_params.h"
#include "vela/status.h"

#include <cstdint>
#include <span>
#include <vector>

namespace vela::ref {

// Dense llama models with weights of any type isSupportedWeightType() accepts; float32 KV cache that grows
// with the sequence (no context limit besides memory). Not thread-safe. The GgufFile (or the object it is
// moved into) must outlive this object: weights are read in place from its mapping, dequantized row by row on
// every use. Differs from llama.cpp's CPU backend only in rounding: see ref/matmul.h.
class LlamaReference {
public:
    // Fails (naming the key or tensor) on a non-llama file, bad shapes, unsupported weight types, MoE or
    // longrope scaling.
    static Result<LlamaReference> load(const GgufFile& file);

    const LlamaParams& params() const { return m_params; }
    // Tokens already in the KV cache: the position the next evaluated token gets.
    int32_t position() const { return m_position; }
    // Empties the KV cache: the next evaluate() starts at position 0.
    void reset();

    // Runs `tokens` at positions position() … position() + n − 1, appending them to the KV cache.
    // Returns the logits of the last token (n_vocab floats) or, with allLogits, of every token
    // (n, n_vocab). Fails without touching the cache on an empty batch or a token id outside the vocabulary.
    Result<std::vector<float>> evaluate(std::span<const int32_t> tokens, bool allLogits = false);

private:
    struct Matrix {  // (rows, cols) in ggml layout: cols contiguous
        GgmlType type = GgmlType::F32;
        const uint8_t* data = nullptr;
        int64_t rows = 0;
        int64_t cols = 0;
    };
    struct Layer {
        std::vector<float> attnNorm, ffnNorm;                  // (n_embd)
        Matrix wq, wk, wv, wo, ffnGate, ffnUp, ffnDown;
        std::vector<float> bq, bk, bv, bo, bGate, bUp, bDown;  // optional biases, empty when absent
        std::vector<float> kCache, vCache;                     // (position, n_head_kv, head_dim)
    };

    LlamaReference() = default;
    void multiply(const Matrix& w, const std::vector<float>& bias, const float* x, int64_t nTokens, float* y) const;
    void runAttention(Layer& layer, const float* normed, std::span<const int32_t> positions, float* out) const;
    void runFeedForward(const Layer& layer, const float* normed, int64_t nTokens, float* out) const;

    LlamaParams m_params;
    Matrix m_tokenEmbedding;  // (n_vocab, n_embd)
    Matrix m_output;          // (n_vocab, n_embd); token_embd when tied
    std::vector<float> m_outputNorm;   // (n_embd)
    std::vector<float> m_ropeFreqs;    // (head_dim/2), empty when absent
    std::vector<Layer> m_layers;
    int32_t m_position = 0;
};

}  // namespace vela::ref
