// Hyper-parameters of the Llama family of decoders — `llama` (Llama 1/2/3, Mistral, TinyLlama …), `qwen2`,
// `qwen3`, `gemma`, `gemma2`, `gemma3` (text), `phi2`, `phi3`, and the MoE ones: llama with experts
// (Mixtral), `qwen2moe` (with a shared expert), `qwen3moe`, `grok` (Grok-1) and `deepseek2` (DeepSeek-V2/V3:
// latent attention, shared experts): pre-norm blocks of attention and a gated FFN, which differ only in the
// traits below (rope layout, biases, QK-norm, the FFN's activation, an embedding scale, post-norms,
// soft-capping, sliding-window layers, the attention's form, the router). Read from the GGUF metadata the
// way llama.cpp reads them, with the RoPE settings resolved to the values llama.cpp finally hands to its rope
// kernel. Shared by the CPU reference (llama only) and the Vulkan model.
// Reference: llama.cpp src/llama-model.cpp (`load_hparams`), src/models/{llama,qwen2,qwen3,gemma}.cpp,
// src/llama-context.cpp (rope / YaRN set-up in the constructor), llama_model_rope_type.
#pragma once

#include "vela/gguf.h"
#include "vela/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vela {

enum class RopeScalingType { None, Linear, Yarn, Longrope };
enum class FfnActivation { Silu, Gelu };  // SwiGLU (llama, qwen) or GeGLU with tanh GELU (gemma)
// How the router turns logits into expert probabilities (llama.cpp expert_gating_func: 1 softmax, 2 sigmoid).
enum class ExpertGating { Softmax, Sigmoid };

struct LlamaParams {
    std::string architecture = "llama";  // general.architecture: its keys are `<architecture>.…`
    uint32_t vocabSize = 0;          // rows of token_embd (must agree with llama.vocab_size when present)
    uint32_t contextLength = 0;      // llama.context_length: the training context
    uint32_t embeddingLength = 0;    // n_embd
    uint32_t blockCount = 0;         // n_layer
    uint32_t feedForwardLength = 0;  // n_ff (per expert for MoE)
    uint32_t headCount = 0;          // n_head
    uint32_t headCountKv = 0;        // n_head_kv (GQA when < n_head)
    uint32_t headDim = 0;            // attention.key_length = value_length, default n_embd / n_head
    uint32_t expertCount = 0;        // 0 = dense FFN
    uint32_t expertUsedCount = 0;
    uint32_t expertFeedForwardLength = 0;  // n_ff of one routed expert (expert_feed_forward_length, else n_ff)
    uint32_t sharedExpertFeedForwardLength = 0;  // the shared expert's n_ff (qwen2moe, deepseek2); 0 = none
    ExpertGating expertGating = ExpertGating::Softmax;
    float expertWeightsScale = 0.0f;  // expert_weights_scale (DeepSeek's routed_scaling_factor); 0 = not scaled
    uint32_t expertGroupCount = 0;      // expert_group_count: > 1 = group-limited routing (DeepSeek-V3)
    uint32_t expertGroupUsedCount = 0;  // expert_group_used_count: groups kept per token
    uint32_t leadingDenseBlocks = 0;  // leading_dense_block_count: the first layers have a dense FFN (deepseek2)
    // Router (llama.cpp build_moe_ffn): softmax over the experts, top-k, and the k weights renormalised to sum
    // to 1 (Mixtral, Qwen3-MoE) or used as they are (Qwen2-MoE).
    bool expertWeightsNorm = false;
    float rmsEpsilon = 1e-5f;        // attention.layer_norm_rms_epsilon (required; phi2: layer_norm_epsilon)
    float attentionScale = 0.0f;     // attention.scale; 0 = 1/sqrt(headDim)

    // RoPE (normal / adjacent-pair mode for llama). These are the values of llama.cpp's rope call:
    uint32_t ropeDimensionCount = 0;        // n_rot; llama requires n_rot == headDim
    float ropeFreqBase = 10000.0f;
    RopeScalingType ropeScalingType = RopeScalingType::Linear;  // llama.cpp's default when the key is absent
    float ropeScalingFactor = 1.0f;         // as stored (absent or 0 → 1)
    float ropeFreqScale = 1.0f;             // 1 / factor; forced to 1 for type None
    uint32_t ropeOriginalContext = 0;       // rope.scaling.original_context_length, default contextLength
    float ropeExtFactor = 0.0f;             // YaRN ramp mix: 1 for type Yarn, else 0
    float ropeAttnFactor = 1.0f;            // cos/sin multiplier before the kernel's own YaRN magnitude
    float ropeBetaFast = 32.0f;
    float ropeBetaSlow = 1.0f;
    float ropeYarnLogMultiplier = 0.0f;     // deepseek2: rope.scaling.yarn_log_multiplier / 0.1 (mscale_all_dim)

    bool hasRopeFreqs = false;  // rope_freqs.weight (n_rot/2 frequency divisors, Llama 3.1+) is present
    bool tiedOutput = false;    // no output.weight: the logits reuse token_embd

    // Traits of the architecture (fixed per architecture, as llama.cpp's graph for it).
    bool ropeNeox = false;       // rotate (x[i], x[i + n_rot/2]) — qwen, gemma — instead of adjacent pairs
    bool qkNorm = false;         // per-head RMSNorm of q and k before RoPE (attn_q_norm / attn_k_norm, qwen3)
    FfnActivation ffnActivation = FfnActivation::Silu;
    float embeddingScale = 0.0f;  // the embeddings are multiplied by it (gemma: sqrt(n_embd)); 0 = not scaled
    bool postNorms = false;       // gemma2/3: post_attention_norm and post_ffw_norm before each residual add
    float attnSoftCap = 0.0f;     // attention scores → c·tanh(s/c) (gemma2 attn_logit_softcapping); 0 = off
    float finalSoftCap = 0.0f;    // logits → c·tanh(logits/c) (final_logit_softcapping); 0 = off
    float logitScale = 0.0f;      // logits × this before the final cap (grok.logit_scale); 0 = not scaled
    // Sliding-window layers (gemma2: every other one, gemma3: five of six): a query sees the last
    // `slidingWindow` positions only, with their own RoPE base and no RoPE scaling. 0 = every layer global.
    uint32_t slidingWindow = 0;
    uint32_t slidingWindowPattern = 0;  // layer l is local iff l % pattern < pattern − 1
    float ropeFreqBaseSwa = 10000.0f;
    // Phi-3: one attn_qkv matrix (rows q | k | v) and one ffn_up holding gate | up (2·n_ff rows).
    bool fusedQkv = false;
    bool fusedGateUp = false;
    // Longrope (Phi-3): rope_factors_short / _long divide the frequencies; the long ones when the session's
    // context exceeds ropeOriginalContext (llama.cpp get_rope_factors).
    bool hasLongropeFactors = false;
    // Phi-2: LayerNorm with bias instead of RMSNorm, attention and FFN side by side on the same normed input
    // (x + attn(n) + ffn(n), no ffn_norm), and a plain FFN: down(gelu(up·n + b) ) + b, no gate.
    bool layerNorm = false;
    bool parallelBlock = false;
    bool gatedFfn = true;
    // DeepSeek-V2/V3 multi-head latent attention, absorbed form (llama.cpp src/models/deepseek2.cpp, is_mla):
    // q = q_b(norm(q_a(x))) per head [nope | rope]; the cache holds one latent row per token,
    // [norm(kv_a(x)[:kvLoraRank]) | rope(kv_a(x)[kvLoraRank:])] (headDim = kvLoraRank + n_rot, one KV head);
    // each query head's nope part goes through attn_k_b into the latent space, attention runs over the latent
    // rows with the latent part as V, and attn_v_b turns each head's result into its value.
    bool latentAttention = false;
    uint32_t queryLoraRank = 0;   // attention.q_lora_rank; 0 = one attn_q projection (V2-Lite)
    uint32_t kvLoraRank = 0;      // attention.kv_lora_rank
    uint32_t mlaKeyLength = 0;    // attention.key_length_mla: a query head's nope + rope width
    uint32_t mlaValueLength = 0;  // attention.value_length_mla: a head's value width
    uint32_t mlaNopeLength() const { return mlaKeyLength - ropeDimensionCount; }

    bool isSlidingWindowLayer(uint32_t layer) const
    {
        return slidingWindow > 0 && slidingWindowPattern > 1 && layer % slidingWindowPattern < slidingWindowPattern - 1;
    }

    uint32_t kvDim() const { return headCountKv * headDim; }  // width of one token's K (or V) row
    uint32_t qDim() const { return headCount * headDim; }
};

// The architectures this family covers, in the order messages list them.
const std::vector<std::string>& llamaFamilyArchitectures();
bool isLlamaFamily(const std::string& architecture);

// Reads the `<architecture>.*` keys and checks the shape of every tensor the architecture uses (required and
// the optional ones that are present: biases, QK-norm weights); a failure names the key or the tensor and what
// was expected. MoE files (expert_count > 0) are accepted here: their expert tensors are checked instead of
// the dense FFN.
Result<LlamaParams> readLlamaParams(const GgufFile& file);

}  // namespace vela
