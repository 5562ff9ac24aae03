// Reads and checks the hyper-parameters and tensor shapes of a Llama-family GGUF file (llama, qwen2, qwen3,
// gemma). Reference: llama.cpp src/llama-model.cpp `load_hparams` (keys, defaults) and
// `llama_model_rope_type`, src/models/{llama,qwen2,qwen3,gemma}.cpp (tensor shapes, graph traits),
// src/llama-context.cpp (rope scaling resolved into kernel arguments).
#include "vela/llama_params.h"

#include "gguf/tensor_shape.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace vela {

namespace {

constexpr uint32_t kMaxDimension = 1u << 24;  // far above any real model; keeps products inside 64 bits

// The architecture whose keys are read; set by readLlamaParams for the duration of one read (one thread
// reads one file: the functions below are only called from there).
thread_local std::string t_arch = "llama";

std::string key(std::string_view suffix)
{
    return t_arch + "." + std::string(suffix);
}

// An integer key that may also be stored as a per-layer array (llama.cpp `get_key_or_arr`); the array form
// is accepted only when all layers agree, since the reference has one shape for all layers.
Result<std::optional<uint32_t>> readDimension(const GgufFile& file, std::string_view suffix)
{
    const std::string name = key(suffix);
    const GgufValue* value = file.find(name);
    if (!value)
        return std::optional<uint32_t>{};
    std::optional<int64_t> v;
    if (value->isArray()) {
        for (const GgufValue& item : value->items()) {
            const auto itemValue = item.asInt();
            if (!itemValue || (v && *v != *itemValue))
                return Status::failure(name + ": per-layer values that differ are not supported");
            v = itemValue;
        }
    } else {
        v = value->asInt();
    }
    if (!v || *v < 0 || *v > kMaxDimension)
        return Status::failure(name + ": expected an integer in 0.." + std::to_string(kMaxDimension) + ", found " +
                               value->toDisplayString());
    return std::optional<uint32_t>(static_cast<uint32_t>(*v));
}

Result<uint32_t> requireDimension(const GgufFile& file, std::string_view suffix)
{
    auto v = readDimension(file, suffix);
    if (!v)
        return v.status();
    if (!v.value() || *v.value() == 0)
        return Status::failure("missing or zero key " + key(suffix));
    return *v.value();
}

Result<float> readFloat(const GgufFile& file, std::string_view suffix, std::optional<float> fallback)
{
    const std::string name = key(suffix);
    const GgufValue* value = file.find(name);
    if (!value) {
        if (!fallback)
            return Status::failure("missing key " + name);
        return *fallback;
    }
    const auto v = value->asFloat();
    if (!v || !std::isfinite(*v))
        return Status::failure(name + ": expected a number, found " + value->toDisplayString());
    return static_cast<float>(*v);
}

Result<RopeScalingType> readRopeScalingType(const GgufFile& file)
{
    const std::string name = key("rope.scaling.type");
    if (!file.find(name))
        return RopeScalingType::Linear;
    const auto text = file.getString(name);
    if (text == "none")
        return RopeScalingType::None;
    if (text == "linear")
        return RopeScalingType::Linear;
    if (text == "yarn")
        return RopeScalingType::Yarn;
    if (text == "longrope")
        return RopeScalingType::Longrope;
    return Status::failure(name + ": unknown rope scaling type " + file.find(name)->toDisplayString());
}

// Fills the shape fields; tensors come later.
Status readShapes(const GgufFile& file, LlamaParams& p)
{
    for (auto [suffix, field] : {std::pair{"embedding_length", &p.embeddingLength},
                                 std::pair{"block_count", &p.blockCount},
                                 std::pair{"attention.head_count", &p.headCount}}) {
        auto v = requireDimension(file, suffix);
        if (!v)
            return v.status();
        *field = v.value();
    }
    auto contextLength = readDimension(file, "context_length");
    auto headCountKv = readDimension(file, "attention.head_count_kv");
    auto keyLength = readDimension(file, "attention.key_length");
    auto valueLength = readDimension(file, "attention.value_length");
    auto ropeDims = readDimension(file, "rope.dimension_count");
    auto ffn = readDimension(file, "feed_forward_length");
    auto experts = readDimension(file, "expert_count");
    auto expertsUsed = readDimension(file, "expert_used_count");
    auto expertFf = readDimension(file, "expert_feed_forward_length");
    auto sharedFf = readDimension(file, "expert_shared_feed_forward_length");
    for (const auto* r : {&contextLength, &headCountKv, &keyLength, &valueLength, &ropeDims, &ffn, &experts,
                          &expertsUsed, &expertFf, &sharedFf}) {
        if (!*r)
            return r->status();
    }
    p.contextLength = contextLength.value().value_or(0);
    p.headCountKv = headCountKv.value().value_or(p.headCount);
    if (p.embeddingLength % p.headCount != 0 && !keyLength.value())
        return Status::failure(key("embedding_length") + " is not a multiple of " + key("attention.head_count"));
    p.headDim = keyLength.value().value_or(p.embeddingLength / p.headCount);
    // Latent attention's K row (latent | rope) is wider than its V (latent): readLatentAttention checks both.
    const bool latent = t_arch == "deepseek2";
    if (valueLength.value().value_or(p.headDim) != p.headDim && !latent)
        return Status::failure(t_arch + " needs attention.key_length == attention.value_length");
    p.ropeDimensionCount = ropeDims.value().value_or(p.headDim);
    // Phi-2 rotates the first n_rot dimensions of each head only (partial rotary).
    const bool partialRotary = t_arch == "phi2" && p.ropeDimensionCount <= p.headDim && p.ropeDimensionCount % 2 == 0;
    if (p.ropeDimensionCount != p.headDim && !partialRotary && !latent)
        return Status::failure(t_arch + " needs rope.dimension_count (" + std::to_string(p.ropeDimensionCount) +
                               ") == head dimension (" + std::to_string(p.headDim) + ")");
    if (p.headDim % 2 != 0)
        return Status::failure("head dimension " + std::to_string(p.headDim) + " is odd");
    if (p.headCountKv == 0 || p.headCount % p.headCountKv != 0)
        return Status::failure("attention.head_count (" + std::to_string(p.headCount) +
                               ") is not a multiple of attention.head_count_kv (" + std::to_string(p.headCountKv) + ")");
    p.expertCount = experts.value().value_or(0);
    p.expertUsedCount = expertsUsed.value().value_or(0);
    if (p.expertCount > 0 && (p.expertUsedCount == 0 || p.expertUsedCount > p.expertCount))
        return Status::failure(key("expert_used_count") + " must be in 1.." + std::to_string(p.expertCount));
    if (!ffn.value() || *ffn.value() == 0)
        return Status::failure("missing or zero key " + key("feed_forward_length"));
    p.feedForwardLength = *ffn.value();
    p.expertFeedForwardLength = expertFf.value().value_or(p.feedForwardLength);
    p.sharedExpertFeedForwardLength = sharedFf.value().value_or(0);
    if (p.expertCount > 512 || p.expertUsedCount > 8)
        return Status::failure(t_arch + ": " + std::to_string(p.expertCount) + " experts with " +
                               std::to_string(p.expertUsedCount) + " per token; at most 512 and 8 are supported");
    return {};
}

// The rope settings as llama.cpp's context resolves them (llama-context.cpp): ext_factor 1 for YaRN, and the
// host-side attn_factor that, together with the kernel's own 1 + 0.1·ln(1/freq_scale), gives YaRN's magnitude.
Status readRope(const GgufFile& file, LlamaParams& p)
{
    auto base = readFloat(file, "rope.freq_base", 10000.0f);
    auto type = readRopeScalingType(file);
    auto factor = readFloat(file, "rope.scaling.factor", 0.0f);
    if (factor && factor.value() == 0.0f)
        factor = readFloat(file, "rope.scale_linear", 0.0f);
    auto attnFactor = readFloat(file, "rope.scaling.attn_factor", 1.0f);
    auto originalContext = readDimension(file, "rope.scaling.original_context_length");
    // Only deepseek2 reads the YaRN log multiplier; its converter stores 0.1·mscale_all_dim (llama.cpp
    // src/models/deepseek2.cpp load_arch_hparams divides by 0.1).
    auto logMul = readFloat(file, "rope.scaling.yarn_log_multiplier", 0.0f);
    if (!logMul)
        return logMul.status();
    p.ropeYarnLogMultiplier = t_arch == "deepseek2" ? logMul.value() / 0.1f : 0.0f;
    if (!base)
        return base.status();
    if (!type)
        return type.status();
    if (!factor)
        return factor.status();
    if (!attnFactor)
        return attnFactor.status();
    if (!originalContext)
        return originalContext.status();
    if (base.value() <= 0.0f || factor.value() < 0.0f)
        return Status::failure("rope.freq_base must be > 0 and rope.scaling.factor ≥ 0");
    p.ropeFreqBase = base.value();
    p.ropeScalingType = type.value();
    p.ropeScalingFactor = factor.value() == 0.0f ? 1.0f : factor.value();
    p.ropeFreqScale = p.ropeScalingType == RopeScalingType::None ? 1.0f : 1.0f / p.ropeScalingFactor;
    p.ropeOriginalContext = originalContext.value().value_or(0);
    if (p.ropeOriginalContext == 0)
        p.ropeOriginalContext = p.contextLength;
    p.ropeExtFactor = p.ropeScalingType == RopeScalingType::Yarn ? 1.0f : 0.0f;
    float hostAttnFactor = 1.0f;
    if (p.ropeExtFactor != 0.0f) {
        const float scale = 1.0f / p.ropeFreqScale;
        const auto magnitude = [scale](float m) { return scale <= 1.0f ? 1.0f : 0.1f * m * std::log(scale) + 1.0f; };
        if (p.ropeYarnLogMultiplier != 0.0f) {
            // HF's mscale / mscale_all_dim; DeepSeek-V2 files carry mscale_all_dim only, and mscale equals it.
            const float all = p.ropeYarnLogMultiplier;
            const float mscale = p.architecture == "deepseek2" && all != 1.0f ? all : 1.0f;
            hostAttnFactor = magnitude(mscale) / magnitude(all);
        } else {
            hostAttnFactor = magnitude(1.0f);
        }
        hostAttnFactor /= 1.0f + 0.1f * std::log(scale);  // cancels the kernel's own factor
    }
    p.ropeAttnFactor = hostAttnFactor * attnFactor.value();
    if (p.ropeScalingType == RopeScalingType::Yarn && p.ropeOriginalContext == 0)
        return Status::failure("YaRN scaling needs rope.scaling.original_context_length or context_length");
    return {};
}

struct ExpectedTensor {
    std::string name;
    std::vector<uint64_t> dims;  // ne0 first
    bool required;
};

// DeepSeek-V2's latent attention tensors (llama.cpp src/models/deepseek2.cpp load_arch_tensors, MLA files).
std::vector<ExpectedTensor> latentAttentionTensors(const LlamaParams& p)
{
    const uint64_t embd = p.embeddingLength, heads = p.headCount, qLora = p.queryLoraRank, kvLora = p.kvLoraRank;
    const uint64_t key = p.mlaKeyLength, value = p.mlaValueLength, nope = p.mlaNopeLength();
    const bool lite = qLora == 0;
    return {
        {"attn_norm.weight", {embd}, true},
        {"attn_q_a.weight", {embd, qLora}, !lite},
        {"attn_q_a_norm.weight", {qLora}, !lite},
        {"attn_q_b.weight", {qLora, heads * key}, !lite},
        {"attn_q.weight", {embd, heads * key}, lite},
        {"attn_kv_a_mqa.weight", {embd, kvLora + p.ropeDimensionCount}, true},
        {"attn_kv_a_norm.weight", {kvLora}, true},
        {"attn_k_b.weight", {nope, kvLora, heads}, true},
        {"attn_v_b.weight", {kvLora, value, heads}, true},
        {"attn_output.weight", {heads * value, embd}, true},
        {"ffn_norm.weight", {embd}, true},
    };
}

std::vector<ExpectedTensor> attentionTensors(const LlamaParams& p)
{
    const uint64_t embd = p.embeddingLength, qDim = p.qDim(), kvDim = p.kvDim();
    const bool separate = !p.fusedQkv;
    return {
        {"attn_norm.weight", {embd}, true},     {"attn_q.weight", {embd, qDim}, separate},
        {"attn_k.weight", {embd, kvDim}, separate}, {"attn_v.weight", {embd, kvDim}, separate},
        {"attn_qkv.weight", {embd, qDim + 2 * kvDim}, p.fusedQkv},
        {"attn_q.bias", {qDim}, false},         {"attn_k.bias", {kvDim}, false},
        {"attn_v.bias", {kvDim}, false},        {"attn_output.weight", {qDim, embd}, true},
        {"attn_output.bias", {embd}, false},    {"ffn_norm.weight", {embd}, !p.parallelBlock},
        {"attn_norm.bias", {embd}, false},
        {"attn_q_norm.weight", {p.headDim}, p.qkNorm}, {"attn_k_norm.weight", {p.headDim}, p.qkNorm},
        {"post_attention_norm.weight", {embd}, p.postNorms}, {"post_ffw_norm.weight", {embd}, p.postNorms},
        {"attn_output_norm.weight", {embd}, t_arch == "grok"}, {"layer_output_norm.weight", {embd}, false},
    };
}

// The routed experts, the router and its optional selection bias, and the shared expert: Qwen2-MoE gates it
// with its own sigmoid (ffn_gate_inp_shexp), DeepSeek adds it as it is.
std::vector<ExpectedTensor> expertTensors(const LlamaParams& p)
{
    const uint64_t embd = p.embeddingLength, ne = p.expertCount, eff = p.expertFeedForwardLength;
    const uint64_t sff = p.sharedExpertFeedForwardLength;
    return {{"ffn_gate_inp.weight", {embd, ne}, true},
            {"exp_probs_b.bias", {ne}, false},
            {"ffn_gate_exps.weight", {embd, eff, ne}, true},
            {"ffn_up_exps.weight", {embd, eff, ne}, true},
            {"ffn_down_exps.weight", {eff, embd, ne}, true},
            {"ffn_gate_inp_shexp.weight", {embd}, sff > 0 && t_arch == "qwen2moe"},
            {"ffn_gate_shexp.weight", {embd, sff}, sff > 0},
            {"ffn_up_shexp.weight", {embd, sff}, sff > 0},
            {"ffn_down_shexp.weight", {sff, embd}, sff > 0}};
}

Status checkLayerTensors(const GgufFile& file, const LlamaParams& p, uint32_t layer)
{
    const std::string blk = "blk." + std::to_string(layer) + ".";
    const uint64_t embd = p.embeddingLength, ff = p.feedForwardLength;
    if (file.findTensor(blk + "attn_qkv.weight") && !p.fusedQkv)
        return Status::failure("tensor " + blk + "attn_qkv.weight: fused q/k/v is not supported for " + t_arch +
                               " yet");
    std::vector<ExpectedTensor> expected = p.latentAttention ? latentAttentionTensors(p) : attentionTensors(p);
    if (!p.qkNorm && (file.findTensor(blk + "attn_q_norm.weight") || file.findTensor(blk + "attn_k_norm.weight")))
        return Status::failure("tensor " + blk + "attn_q_norm.weight: " + t_arch + " has no QK-norm");
    if (p.fusedGateUp) {
        expected.insert(expected.end(),
                        {{"ffn_up.weight", {embd, 2 * ff}, true}, {"ffn_down.weight", {ff, embd}, true}});
        if (file.findTensor(blk + "ffn_gate.weight") || file.findTensor(blk + "ffn_up.bias"))
            return Status::failure("tensor " + blk +
                                   "ffn_gate.weight or ffn_up.bias: unexpected beside a fused gate|up");
    } else if (p.expertCount == 0 || layer < p.leadingDenseBlocks) {
        expected.insert(expected.end(), {{"ffn_gate.weight", {embd, ff}, p.gatedFfn}, {"ffn_up.weight", {embd, ff}, true},
                                         {"ffn_down.weight", {ff, embd}, true}, {"ffn_gate.bias", {ff}, false},
                                         {"ffn_up.bias", {ff}, false},          {"ffn_down.bias", {embd}, false}});
    } else {
        const std::vector<ExpectedTensor> experts = expertTensors(p);
        expected.insert(expected.end(), experts.begin(), experts.end());
        // Grok may run a dense GELU FFN beside its experts (llama.cpp src/models/grok.cpp); all three or none.
        const bool dense = t_arch == "grok" && file.findTensor(blk + "ffn_up.weight");
        expected.insert(expected.end(), {{"ffn_gate.weight", {embd, ff}, dense}, {"ffn_up.weight", {embd, ff}, dense},
                                         {"ffn_down.weight", {ff, embd}, dense}});
        if (t_arch != "grok" && file.findTensor(blk + "ffn_up.weight"))
            return Status::failure("tensor " + blk + "ffn_up.weight: a dense FFN beside the experts is not expected "
                                   "in " + t_arch);
    }
    for (const ExpectedTensor& e : expected) {
        if (Status s = checkTensorShape(file, blk + e.name, e.dims, e.required); !s)
            return s;
    }
    return {};
}

Status checkTensors(const GgufFile& file, LlamaParams& p)
{
    const GgufTensorInfo* embd = file.findTensor("token_embd.weight");
    if (!embd)
        return Status::failure("missing tensor token_embd.weight");
    if (embd->nDims != 2 || embd->dims[1] == 0 || embd->dims[1] > (1u << 31))
        return Status::failure("tensor token_embd.weight must be 2-D [n_embd, n_vocab]");
    p.vocabSize = static_cast<uint32_t>(embd->dims[1]);
    if (const auto declared = file.getInt(key("vocab_size")); declared && *declared != p.vocabSize)
        return Status::failure(key("vocab_size") + " = " + std::to_string(*declared) + " but token_embd.weight has " +
                               std::to_string(p.vocabSize) + " rows");
    const uint64_t n = p.embeddingLength, vocab = p.vocabSize;
    const std::vector<ExpectedTensor> globals = {
        {"token_embd.weight", {n, vocab}, true},
        {"output_norm.weight", {n}, true},
        {"output_norm.bias", {n}, false},
        {"output.weight", {n, vocab}, false},
        {"output.bias", {vocab}, false},
        {"rope_freqs.weight", {p.ropeDimensionCount / 2}, false},
        {"rope_factors_long.weight", {p.ropeDimensionCount / 2}, false},
        {"rope_factors_short.weight", {p.ropeDimensionCount / 2}, false},
    };
    for (const ExpectedTensor& e : globals) {
        if (Status s = checkTensorShape(file, e.name, e.dims, e.required); !s)
            return s;
    }
    p.tiedOutput = file.findTensor("output.weight") == nullptr;
    p.hasRopeFreqs = file.findTensor("rope_freqs.weight") != nullptr;
    const bool longFactors = file.findTensor("rope_factors_long.weight") != nullptr;
    const bool shortFactors = file.findTensor("rope_factors_short.weight") != nullptr;
    if (longFactors != shortFactors)
        return Status::failure("rope_factors_long.weight and rope_factors_short.weight come together");
    p.hasLongropeFactors = longFactors && (p.architecture == "phi3" || p.ropeScalingType == RopeScalingType::Longrope);
    if (p.hasLongropeFactors && p.hasRopeFreqs)
        return Status::failure("rope_freqs.weight and rope_factors_long/short.weight together are not supported");
    for (uint32_t layer = 0; layer < p.blockCount; ++layer) {
        if (Status s = checkLayerTensors(file, p, layer); !s)
            return s;
    }
    return {};
}

// Gemma 2/3: soft-caps, sliding-window layers and their RoPE base, the query scale (llama.cpp
// src/models/gemma2.cpp, gemma3.cpp load_arch_hparams; llama-hparams.cpp set_swa_pattern).
Status readGemmaTraits(const GgufFile& file, LlamaParams& p)
{
    if (p.architecture != "gemma2" && p.architecture != "gemma3")
        return {};
    const bool two = p.architecture == "gemma2";
    auto attnCap = readFloat(file, "attn_logit_softcapping", two ? 50.0f : 0.0f);
    auto finalCap = readFloat(file, "final_logit_softcapping", two ? 30.0f : 0.0f);
    auto window = readDimension(file, "attention.sliding_window");
    auto pattern = readDimension(file, "attention.sliding_window_pattern");
    auto baseSwa = readFloat(file, "rope.freq_base_swa", two ? p.ropeFreqBase : 10000.0f);
    if (!attnCap)
        return attnCap.status();
    if (!finalCap)
        return finalCap.status();
    if (!window)
        return window.status();
    if (!pattern)
        return pattern.status();
    if (!baseSwa)
        return baseSwa.status();
    if (attnCap.value() < 0.0f || finalCap.value() < 0.0f || baseSwa.value() <= 0.0f)
        return Status::failure(t_arch + ": soft-caps must be ≥ 0 and rope.freq_base_swa > 0");
    p.attnSoftCap = attnCap.value();
    p.finalSoftCap = finalCap.value();
    p.slidingWindow = window.value().value_or(two ? 4096 : 0);
    p.slidingWindowPattern = pattern.value().value_or(two ? 2 : 6);
    p.ropeFreqBaseSwa = baseSwa.value();
    // The query scale: 1/sqrt(head_dim), except the 27B models (46 and 62 layers), trained with
    // query_pre_attn_scalar = n_embd / n_head.
    const bool large = (two && p.blockCount == 46) || (!two && p.blockCount == 62);
    if (p.attentionScale == 0.0f)
        p.attentionScale = 1.0f / std::sqrt(static_cast<float>(large ? p.embeddingLength / p.headCount : p.headDim));
    return {};
}

// Grok-1's multipliers and caps, with llama.cpp's defaults for files that lack the keys (src/models/grok.cpp):
// embeddings × embedding_scale, attention scores × attention.output_scale then capped, logits × logit_scale.
Status readGrokTraits(const GgufFile& file, LlamaParams& p)
{
    if (p.architecture != "grok")
        return {};
    auto embedding = readFloat(file, "embedding_scale", 78.38367176906169f);
    auto attnScale = readFloat(file, "attention.output_scale", 0.08838834764831845f);
    auto attnCap = readFloat(file, "attn_logit_softcapping", 30.0f);
    auto finalCap = readFloat(file, "final_logit_softcapping", 0.0f);
    auto logitScale = readFloat(file, "logit_scale", 0.5773502691896257f);
    for (const auto* r : {&embedding, &attnScale, &attnCap, &finalCap, &logitScale}) {
        if (!*r)
            return r->status();
    }
    if (attnCap.value() < 0.0f || finalCap.value() < 0.0f || attnScale.value() <= 0.0f)
        return Status::failure("grok: soft-caps must be ≥ 0 and attention.output_scale > 0");
    if (p.expertCount == 0)
        return Status::failure("grok: a Grok model needs experts (expert_count)");
    p.embeddingScale = embedding.value();
    p.attentionScale = attnScale.value();
    p.attnSoftCap = attnCap.value();
    p.finalSoftCap = finalCap.value();
    p.logitScale = logitScale.value();
    return {};
}

// DeepSeek-V2/V3 (llama.cpp src/models/deepseek2.cpp load_arch_hparams, and the graph's kq_scale): latent
// attention shapes, leading dense layers, shared experts, the router's gating, normalisation and scale.
Status readDeepseekTraits(const GgufFile& file, LlamaParams& p)
{
    if (p.architecture != "deepseek2")
        return {};
    auto qLora = readDimension(file, "attention.q_lora_rank");
    auto kvLora = requireDimension(file, "attention.kv_lora_rank");
    auto keyMla = readDimension(file, "attention.key_length_mla");
    auto valueMla = readDimension(file, "attention.value_length_mla");
    auto valueLength = readDimension(file, "attention.value_length");
    auto dense = readDimension(file, "leading_dense_block_count");
    auto shared = readDimension(file, "expert_shared_count");
    auto gating = readDimension(file, "expert_gating_func");
    auto groups = readDimension(file, "expert_group_count");
    auto groupsUsed = readDimension(file, "expert_group_used_count");
    auto nextn = readDimension(file, "nextn_predict_layers");
    auto weightsScale = readFloat(file, "expert_weights_scale", 0.0f);
    for (const auto* r : {&qLora, &keyMla, &valueMla, &valueLength, &dense, &shared, &gating, &groups, &groupsUsed, &nextn}) {
        if (!*r)
            return r->status();
    }
    if (!kvLora)
        return kvLora.status();
    if (!weightsScale)
        return weightsScale.status();
    if (!keyMla.value() || !valueMla.value() || file.findTensor("blk.0.attn_kv_b.weight"))
        return Status::failure("deepseek2: this file predates llama.cpp's latent-attention conversion (no " +
                               key("attention.key_length_mla") +
                               ", attn_kv_b instead of attn_k_b/attn_v_b); convert the model again with a current "
                               "llama.cpp convert_hf_to_gguf.py");
    p.latentAttention = true;
    p.queryLoraRank = qLora.value().value_or(0);
    p.kvLoraRank = kvLora.value();
    p.mlaKeyLength = *keyMla.value();
    p.mlaValueLength = *valueMla.value();
    const uint32_t rope = p.ropeDimensionCount;
    if (p.headCountKv != 1 || p.headDim != p.kvLoraRank + rope || valueLength.value().value_or(0) != p.kvLoraRank)
        return Status::failure("deepseek2: latent attention needs attention.head_count_kv = 1, key_length = "
                               "kv_lora_rank + rope.dimension_count (" + std::to_string(p.kvLoraRank + rope) +
                               ") and value_length = kv_lora_rank (" + std::to_string(p.kvLoraRank) + ")");
    if (rope % 2 != 0 || p.mlaKeyLength <= rope || p.mlaValueLength == 0 || p.headDim > 576)
        return Status::failure("deepseek2: unsupported head shape (key_length_mla " + std::to_string(p.mlaKeyLength) +
                               ", rope " + std::to_string(rope) + ", latent row " + std::to_string(p.headDim) +
                               "; at most 576)");
    // Multi-token-prediction layers sit after the model's own and are only used for speculative decoding.
    const uint32_t extra = nextn.value().value_or(0);
    if (extra >= p.blockCount)
        return Status::failure(key("nextn_predict_layers") + " leaves no layers");
    p.blockCount -= extra;
    p.leadingDenseBlocks = std::min(dense.value().value_or(0), p.blockCount);
    if (p.expertCount == 0 && p.leadingDenseBlocks < p.blockCount)
        return Status::failure("deepseek2: layers past leading_dense_block_count need experts (expert_count)");
    p.sharedExpertFeedForwardLength = shared.value().value_or(0) * p.expertFeedForwardLength;
    // 1 softmax, 2 sigmoid; V2/V2.5 files have no key and use softmax.
    const uint32_t gatingFunc = gating.value().value_or(1);
    if (gatingFunc != 1 && gatingFunc != 2)
        return Status::failure(key("expert_gating_func") + " = " + std::to_string(gatingFunc) +
                               " is not supported (1 softmax, 2 sigmoid)");
    p.expertGating = gatingFunc == 2 ? ExpertGating::Sigmoid : ExpertGating::Softmax;
    p.expertWeightsNorm = file.getBool(key("expert_weights_norm")).value_or(false);
    p.expertWeightsScale = weightsScale.value();
    // Group-limited routing (V3): keep the groups whose two best experts score highest, choose among those.
    p.expertGroupCount = groups.value().value_or(0);
    p.expertGroupUsedCount = groupsUsed.value().value_or(0);
    if (p.expertGroupCount > 1) {
        const uint32_t perGroup = p.expertCount / p.expertGroupCount;
        if (p.expertGroupCount > 32 || p.expertCount % p.expertGroupCount != 0 || perGroup < 2 ||
            p.expertGroupUsedCount == 0 || p.expertGroupUsedCount > p.expertGroupCount ||
            p.expertUsedCount > p.expertGroupUsedCount * perGroup)
            return Status::failure("deepseek2: unsupported expert groups (" + std::to_string(p.expertCount) +
                                   " experts in " + std::to_string(p.expertGroupCount) + " groups, " +
                                   std::to_string(p.expertGroupUsedCount) + " used, " +
                                   std::to_string(p.expertUsedCount) + " experts per token)");
    }
    // kq_scale: the YaRN magnitude the host removed from attn_factor comes back squared, with the log
    // multiplier's own part: mscale²/sqrt(key_length_mla).
    const float logScale = std::log(1.0f / p.ropeFreqScale);
    const float original = p.ropeAttnFactor * (1.0f + 0.1f * logScale);
    const float mscale = original * (1.0f + 0.1f * p.ropeYarnLogMultiplier * logScale);
    p.attentionScale = mscale * mscale / std::sqrt(static_cast<float>(p.mlaKeyLength));
    return {};
}

}  // namespace

const std::vector<std::string>& llamaFamilyArchitectures()
{
    static const std::vector<std::string> names = {"llama", "qwen2",    "qwen3",    "gemma", "gemma2",   "gemma3",
                                                   "phi2",  "phi3",     "qwen2moe", "qwen3moe", "grok", "deepseek2"};
    return names;
}

bool isLlamaFamily(const std::string& architecture)
{
    const std::vector<std::string>& names = llamaFamilyArchitectures();
    return std::find(names.begin(), names.end(), architecture) != names.end();
}

Result<LlamaParams> readLlamaParams(const GgufFile& file)
{
    if (!isLlamaFamily(file.architecture()))
        return Status::failure("general.architecture is \"" + file.architecture() +
                               "\", expected a Llama-family architecture");
    LlamaParams p;
    p.architecture = file.architecture();
    t_arch = p.architecture;
    // The graph's traits (llama.cpp src/models/<arch>.cpp and llama_model_rope_type).
    p.ropeNeox = p.architecture != "llama" && p.architecture != "deepseek2";
    const bool gemma = p.architecture.rfind("gemma", 0) == 0;
    p.qkNorm = p.architecture == "qwen3" || p.architecture == "qwen3moe" || p.architecture == "gemma3";
    p.expertWeightsNorm = p.architecture == "llama" || p.architecture == "qwen3moe" || p.architecture == "grok";
    if (p.architecture == "grok")
        p.ffnActivation = FfnActivation::Gelu;
    p.postNorms = p.architecture == "gemma2" || p.architecture == "gemma3";
    // Phi-3 files fuse the projections; converted files without fusion are read the usual way.
    p.fusedQkv = p.architecture == "phi3" && file.findTensor("blk.0.attn_qkv.weight") != nullptr;
    p.fusedGateUp = p.architecture == "phi3" && file.findTensor("blk.0.ffn_gate.weight") == nullptr;
    if (p.architecture == "phi2") {
        p.layerNorm = true;
        p.parallelBlock = true;
        p.gatedFfn = false;
        p.ffnActivation = FfnActivation::Gelu;
    }
    if (gemma)
        p.ffnActivation = FfnActivation::Gelu;
    if (Status s = readShapes(file, p); !s)
        return s;
    const std::string epsKey = p.layerNorm ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon";
    auto eps = readFloat(file, epsKey, std::nullopt);
    auto scale = readFloat(file, "attention.scale", 0.0f);
    if (!eps)
        return eps.status();
    if (!scale)
        return scale.status();
    if (eps.value() <= 0.0f)
        return Status::failure(key(epsKey) + " must be > 0");
    p.rmsEpsilon = eps.value();
    p.attentionScale = scale.value();
    if (Status s = readRope(file, p); !s)
        return s;
    if (Status s = readGemmaTraits(file, p); !s)
        return s;
    if (Status s = readGrokTraits(file, p); !s)
        return s;
    if (Status s = readDeepseekTraits(file, p); !s)
        return s;
    if (Status s = checkTensors(file, p); !s)
        return s;
    // Gemma scales the embeddings by sqrt(n_embd), rounded as ggml rounds it (a float).
    if (gemma)
        p.embeddingScale = std::sqrt(static_cast<float>(p.embeddingLength));
    return p;
}

}  // namespace vela
