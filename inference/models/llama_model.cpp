#include "models/llama_model.h"

#include "models/device_weights.h"
#include "models/model_context.h"
#include "models/lora_weights.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/elementwise.h"
#include "ops/embedding.h"
#include "ops/kernel_library.h"
#include "ops/kv_cache.h"
#include "ops/matmul.h"
#include "ops/matvec.h"
#include "ops/matvec_experts.h"
#include "ops/moe.h"
#include "ops/norm.h"
#include "ops/rope.h"
#include "ops/select.h"
#include "ops/split.h"
#include "vk/command_stream.h"
#include "vk/vk_status.h"
#include "vk/vulkan_context.h"

#include "vela/gguf.h"
#include "vela/model_info.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace vela::models {
namespace {

// One block's tensors; the optional ones (biases, QK-norm) are null where the file has none.
struct LayerWeights {
    const ops::WeightView* attnNorm;
    const ops::WeightView* q;
    const ops::WeightView* k;
    const ops::WeightView* v;
    const ops::WeightView* o;
    const ops::WeightView* ffnNorm;
    const ops::WeightView* gate;
    const ops::WeightView* up;
    const ops::WeightView* down;
    const ops::WeightView* qBias;
    const ops::WeightView* kBias;
    const ops::WeightView* vBias;
    const ops::WeightView* oBias;
    const ops::WeightView* qNorm;
    const ops::WeightView* kNorm;
    const ops::WeightView* gateBias;
    const ops::WeightView* upBias;
    const ops::WeightView* downBias;
    const ops::WeightView* postAttnNorm;
    const ops::WeightView* postFfwNorm;
    const ops::WeightView* qkv;  // Phi-3's fused projection (q, k, v null then); `up` then holds gate | up
    const ops::WeightView* attnNormBias;  // Phi-2's LayerNorm
    // Mixture-of-Experts: the router, the experts' 3-D weights [cols, rows, n_expert], Qwen2-MoE's shared expert.
    const ops::WeightView* router;
    const ops::WeightView* gateExperts;
    const ops::WeightView* upExperts;
    const ops::WeightView* downExperts;
    const ops::WeightView* sharedGateInput;
    const ops::WeightView* sharedGate;
    const ops::WeightView* sharedUp;
    const ops::WeightView* sharedDown;
    const ops::WeightView* expertBias;  // DeepSeek-V3's exp_probs_b: steers the choice, not the weights
    // DeepSeek-V2 latent attention (q_a/q_a_norm/q_b, or attn_q alone in `q`, for the queries).
    const ops::WeightView* queryDown;
    const ops::WeightView* queryDownNorm;
    const ops::WeightView* queryUp;
    const ops::WeightView* kvDown;
    const ops::WeightView* kvDownNorm;
    const ops::WeightView* keyAbsorb;    // attn_k_b [nope, kv_lora, n_head]: a query head's nope part → latent
    const ops::WeightView* valueExpand;  // attn_v_b [kv_lora, v, n_head]: a head's latent result → its value
};

class LlamaModel;

// Device buffers of one session: the KV cache and the activations of one batch. Sized at creation.
struct SessionBuffers {
    std::vector<vk::Buffer> keys;    // per layer: (nCtx, kvDim) f16
    std::vector<vk::Buffer> values;  // per layer: (nCtx, kvDim) f16
    vk::Buffer tokens;               // (batch) u32, host-visible
    vk::Buffer positions;            // (batch) i32, host-visible
    vk::Buffer x;                    // (batch, n_embd) residual stream
    vk::Buffer normed;               // (batch, n_embd)
    vk::Buffer q;                    // (batch, n_head · head_dim)
    vk::Buffer k;                    // (batch, kvDim)
    vk::Buffer v;                    // (batch, kvDim)
    vk::Buffer attention;            // (batch, n_head · head_dim)
    vk::Buffer projected;            // (batch, n_embd)
    vk::Buffer gate;                 // (batch, n_ff)
    vk::Buffer up;                   // (batch, n_ff)
    vk::Buffer fused;                // (batch, max(q + 2·kv, 2·n_ff)) fused projections' output, when used
    // Mixture-of-Experts, when the model has experts (k = experts per token, ff = an expert's n_ff):
    vk::Buffer router;               // (batch, n_expert) router logits
    vk::Buffer expertIds;            // (batch, k) u32
    vk::Buffer expertWeights;        // (batch, k) f32
    vk::Buffer expertGate;           // (batch·k, ff)
    vk::Buffer expertUp;             // (batch·k, ff)
    vk::Buffer expertOut;            // (batch·k, n_embd)
    // DeepSeek-V2 latent attention (pairs = batch · n_head, one per query head of a token):
    struct Latent {
        vk::Buffer headIds;     // (pairs) u32: pair p belongs to head p % n_head, host-visible
        vk::Buffer queryDown;   // (batch, q_lora_rank)
        vk::Buffer query;       // (batch, n_head · key_length_mla): per head nope | rope
        vk::Buffer kvDown;      // (batch, kv_lora_rank + rope)
        vk::Buffer queryNope;   // (pairs, nope)
        vk::Buffer queryRope;   // (pairs, rope)
        vk::Buffer keyRope;     // (batch, rope)
        vk::Buffer latentKv;    // (batch, kv_lora_rank)
        vk::Buffer latent;      // (pairs, kv_lora_rank): the absorbed query, then the attention's latent result
        vk::Buffer value;       // (pairs, value_length_mla) = (batch, n_head · value_length_mla)
    } latent;
    vk::Buffer lastRow;              // (n_embd) the last token's residual, for Logits::Last
    vk::Buffer logits;               // (n_vocab) or (batch, n_vocab) once Logits::All was asked for
    vk::Buffer selection;            // top-k ids and values, (2 · 64) u32/f32
    vk::Buffer selectionScratch;     // the first pass of top-k: per-workgroup candidates
    vk::Buffer readback;             // host-visible copy target for logits / selection
    vk::Buffer embeddingRows;        // (batch, n_embd) host-visible: caller-computed rows, made on first use
    vk::Buffer loraReduced;          // (batch, max rank) A·x of a LoRA term, when the model has adapters
    vk::Buffer loraExpanded;         // (batch, max adapted n_out) B·(A·x)
};

class LlamaSession final : public Session {
public:
    LlamaSession(LlamaModel& model, uint32_t contextLength, uint32_t batchSize)
        : m_model(model), m_contextLength(contextLength), m_batchSize(batchSize)
    {
    }
    Status allocate();

    Status evaluate(std::span<const TokenId> tokens, Logits which, std::vector<float>& logits) override;
    Status evaluateBlock(std::span<const TokenId> ids, std::span<const float> embeddings, bool bidirectional,
                         Logits which, std::vector<float>& logits) override;
    Result<TokenId> evaluateGreedy(TokenId token) override;
    Status topCandidates(uint32_t k, std::vector<std::pair<TokenId, float>>& out) override;
    uint32_t position() const override { return m_position; }
    uint32_t contextLength() const override { return m_contextLength; }
    void truncate(uint32_t length) override
    {
        m_position = std::min(m_position, length);
        m_cached.resize(m_position);
    }
    const std::vector<TokenId>& cachedTokens() const override { return m_cached; }
    uint64_t deviceBytes() const override { return m_deviceBytes; }
    std::map<std::string, KernelTime> kernelTimings() const override;
    void resetKernelTimings() override { m_stream->resetTimings(); }

private:
    Status runBatch(std::span<const TokenId> tokens, Logits which, std::span<const float> embeddings = {});
    Status placeEmbeddingRows(std::span<const TokenId> ids, std::span<const float> embeddings);
    Status recordLayer(uint32_t layer, uint32_t n);
    Status recordAttention(const LayerWeights& w, uint32_t layer, uint32_t n);
    Status recordLatentAttention(const LayerWeights& w, uint32_t layer, uint32_t n);
    Status allocateLatent();
    ops::RopeParams ropeParams(uint32_t layer, uint32_t n) const;
    Status recordLogits(uint32_t n, Logits which);
    Status matrix(const ops::WeightView& w, const vk::Buffer& x, const vk::Buffer& y, uint32_t n);
    Status addBias(const ops::WeightView* bias, const vk::Buffer& y, uint32_t n);
    Status capLogits(uint32_t rows);
    Status recordExperts(const LayerWeights& w, uint32_t n);
    Status normalize(const vk::Buffer& x, const ops::WeightView& weight, const ops::WeightView* bias,
                     const vk::Buffer& out, uint32_t rows);
    Status readLogits(uint32_t rows, std::vector<float>& out, bool append);
    Result<vk::Buffer> make(VkDeviceSize bytes, vk::BufferUsage usage = vk::BufferUsage::DeviceLocal);

    LlamaModel& m_model;
    uint32_t m_contextLength;
    uint32_t m_batchSize;
    uint32_t m_position = 0;
    std::vector<TokenId> m_cached;  // (m_position) the token at each cached position
    uint32_t m_logitsRows = 0;  // rows `logits` can hold
    bool m_haveLogits = false;  // the last evaluation left logits of its last token in `logits`
    bool m_bidirectional = false;  // the batch being recorded attends both ways within itself
    uint64_t m_deviceBytes = 0;
    SessionBuffers m_buffers;
    std::optional<vk::CommandStream> m_stream;
};

class LlamaModel final : public LanguageModel {
public:
    LlamaModel(GgufFile file, LlamaParams params, ModelInfo info, Tokenizer tokenizer,
               std::unique_ptr<vk::VulkanContext> context, bool profile)
        : m_file(std::move(file)), m_params(params), m_info(std::move(info)), m_tokenizer(std::move(tokenizer)),
          m_context(std::move(context)), m_profile(profile)
    {
    }
    ~LlamaModel() override
    {
        m_kernels.reset();  // pipelines before the device they live on (the context goes last)
    }
    Status loadWeights(const std::function<bool(double)>& progress, const std::vector<LoraAdapterFile>& adapters);

    const ModelInfo& info() const override { return m_info; }
    const Tokenizer& tokenizer() const override { return m_tokenizer; }
    const DeviceDescription& device() const override { return m_context->description(); }
    uint64_t deviceBytes() const override { return m_weights.totalBytes() + m_lora.totalBytes(); }
    Result<std::unique_ptr<Session>> createSession(const SessionOptions& options) override;
    std::vector<std::string> validationErrors() const override
{ return m_context->validationErrors(); }

    const LlamaParams& params() const { return m_params; }
    const vk::VulkanContext& context() const { return *m_context; }
    ops::KernelLibrary& kernels() { return *m_kernels; }
    const LayerWeights& layer(uint32_t i) const { return m_layers[i]; }
    const ops::WeightView& tokenEmbedding() const { return *m_tokenEmbedding; }
    const ops::WeightView& outputNorm() const { return *m_outputNorm; }
    const ops::WeightView* outputNormBias() const { return m_outputNormBias; }
    const ops::WeightView& output() const { return *m_output; }
    const ops::WeightView* outputBias() const { return m_outputBias; }
    // The frequency divisors of a session with `contextLength` tokens: Llama 3's rope_freqs, or Phi-3's long
    // factors past the original context and short ones within it; null when the model has none.
    const ops::WeightView* ropeFactors(uint32_t contextLength) const
    {
        if (m_ropeLong && m_ropeShort)
            return contextLength > m_params.ropeOriginalContext ? m_ropeLong : m_ropeShort;
        return m_ropeFreqs;
    }
    bool profiling() const { return m_profile; }
    const LoraWeights& lora() const { return m_lora; }

private:
    GgufFile m_file;
    LlamaParams m_params;
    ModelInfo m_info;
    Tokenizer m_tokenizer;
    std::unique_ptr<vk::VulkanContext> m_context;  // declared first of the Vulkan members: destroyed last
    DeviceWeights m_weights;
    LoraWeights m_lora;  // adapters on top of m_weights' matrices
    std::unique_ptr<ops::KernelLibrary> m_kernels;
    std::vector<LayerWeights> m_layers;
    const ops::WeightView* m_tokenEmbedding = nullptr;
    const ops::WeightView* m_outputNorm = nullptr;
    const ops::WeightView* m_outputNormBias = nullptr;
    const ops::WeightView* m_output = nullptr;
    const ops::WeightView* m_outputBias = nullptr;  // qwen2 files may have one
    const ops::WeightView* m_ropeFreqs = nullptr;
    const ops::WeightView* m_ropeLong = nullptr;
    const ops::WeightView* m_ropeShort = nullptr;
    bool m_profile;
};

uint32_t defaultContext(const LlamaParams& params, uint32_t requested)
{
    if (requested)
        return requested;
    return std::min<uint32_t>(params.contextLength ? params.contextLength : 4096, 4096);
}

// ---- the model ----

Status LlamaModel::loadWeights(const std::function<bool(double)>& progress, const std::vector<LoraAdapterFile>& adapters)
{
    // Progress runs over the model's bytes, then the adapters'.
    const double modelBytes = static_cast<double>(m_file.fileBytes());
    const double total = modelBytes + static_cast<double>(LoraWeights::uploadBytes(adapters));
    const auto part = [&](double start, double share) {
        return [&progress, start, share, total](double f) { return !progress || progress((start + f * share) / total); };
    };
    Result<DeviceWeights> weights = DeviceWeights::upload(*m_context, m_file, part(0, modelBytes));
    if (!weights)
        return weights.status();
    m_weights = std::move(weights).value();
    const auto matrixNamed = [this](const std::string& name) { return m_weights.find(name); };
    Result<LoraWeights> lora = LoraWeights::upload(*m_context, adapters, matrixNamed, part(modelBytes, total - modelBytes));
    if (!lora)
        return lora.status();
    m_lora = std::move(lora).value();
    m_kernels = std::make_unique<ops::KernelLibrary>(*m_context);

    // readLlamaParams checked that every required tensor exists with the right shape.
    const auto get = [&](const std::string& name) { return m_weights.find(name); };
    const auto either = [&](const std::string& name, const std::string& alias) {
        const ops::WeightView* w = get(name);
        return w ? w : get(alias);
    };
    for (uint32_t i = 0; i < m_params.blockCount; ++i) {
        const std::string p = "blk." + std::to_string(i) + ".";
        m_layers.push_back({get(p + "attn_norm.weight"), get(p + "attn_q.weight"), get(p + "attn_k.weight"),
                            get(p + "attn_v.weight"), get(p + "attn_output.weight"), get(p + "ffn_norm.weight"),
                            get(p + "ffn_gate.weight"), get(p + "ffn_up.weight"), get(p + "ffn_down.weight"),
                            get(p + "attn_q.bias"), get(p + "attn_k.bias"), get(p + "attn_v.bias"),
                            get(p + "attn_output.bias"), get(p + "attn_q_norm.weight"), get(p + "attn_k_norm.weight"),
                            get(p + "ffn_gate.bias"), get(p + "ffn_up.bias"), get(p + "ffn_down.bias"),
                            // Grok names its post-norms attn_output_norm and layer_output_norm.
                            either(p + "post_attention_norm.weight", p + "attn_output_norm.weight"),
                            either(p + "post_ffw_norm.weight", p + "layer_output_norm.weight"),
                            get(p + "attn_qkv.weight"), get(p + "attn_norm.bias"), get(p + "ffn_gate_inp.weight"),
                            get(p + "ffn_gate_exps.weight"), get(p + "ffn_up_exps.weight"),
                            get(p + "ffn_down_exps.weight"), get(p + "ffn_gate_inp_shexp.weight"),
                            get(p + "ffn_gate_shexp.weight"), get(p + "ffn_up_shexp.weight"),
                            get(p + "ffn_down_shexp.weight"), get(p + "exp_probs_b.bias"), get(p + "attn_q_a.weight"),
                            get(p + "attn_q_a_norm.weight"), get(p + "attn_q_b.weight"),
                            get(p + "attn_kv_a_mqa.weight"), get(p + "attn_kv_a_norm.weight"),
                            get(p + "attn_k_b.weight"), get(p + "attn_v_b.weight")});
    }
    m_tokenEmbedding = get("token_embd.weight");
    m_outputNorm = get("output_norm.weight");
    m_outputNormBias = get("output_norm.bias");
    m_output = m_params.tiedOutput ? m_tokenEmbedding : get("output.weight");
    m_outputBias = get("output.bias");
    m_ropeFreqs = m_params.hasRopeFreqs ? get("rope_freqs.weight") : nullptr;
    if (m_params.hasLongropeFactors) {
        m_ropeLong = get("rope_factors_long.weight");
        m_ropeShort = get("rope_factors_short.weight");
    }
    return {};
}

Result<std::unique_ptr<Session>> LlamaModel::createSession(const SessionOptions& options)
{
    const uint32_t contextLength = defaultContext(m_params, options.contextLength);
    const uint32_t batchSize = std::max<uint32_t>(1, std::min(options.batchSize, contextLength));
    auto session = std::make_unique<LlamaSession>(*this, contextLength, batchSize);
    if (Status s = session->allocate(); !s)
        return s;
    return std::unique_ptr<Session>(std::move(session));
}

// ---- the session ----

Result<vk::Buffer> LlamaSession::make(VkDeviceSize bytes, vk::BufferUsage usage)
{
    Result<vk::Buffer> buffer = vk::Buffer::create(m_model.context(), bytes, usage);
    if (buffer)
        m_deviceBytes += buffer->size();
    return buffer;
}

Status LlamaSession::allocate()
{
    const LlamaParams& p = m_model.params();
    const VkDeviceSize f32 = 4, f16 = 2;
    const VkDeviceSize cacheBytes = VkDeviceSize(m_contextLength) * p.kvDim() * f16;
    const VkDeviceSize maxRange = m_model.context().limits().maxStorageBufferRange;
    if (cacheBytes > maxRange)
        return Status::failure("a context of " + std::to_string(m_contextLength) + " tokens needs " +
                               formatBytes(cacheBytes) + " of KV cache per layer, more than this device binds at once (" +
                               formatBytes(maxRange) + "); choose a context of at most " +
                               std::to_string(maxRange / (p.kvDim() * f16)) + " tokens");
    const auto add = [&](vk::Buffer& target, VkDeviceSize bytes, vk::BufferUsage usage) -> Status {
        Result<vk::Buffer> b = make(bytes, usage);
        if (!b)
            return b.status();
        target = std::move(b).value();
        return {};
    };
    for (uint32_t l = 0; l < p.blockCount; ++l) {
        m_buffers.keys.emplace_back();
        m_buffers.values.emplace_back();
        VELA_TRY(add(m_buffers.keys.back(), cacheBytes, vk::BufferUsage::DeviceLocal));
        // Latent attention reads its values from the key rows (their latent part): no V cache.
        if (!p.latentAttention)
            VELA_TRY(add(m_buffers.values.back(), cacheBytes, vk::BufferUsage::DeviceLocal));
    }
    const VkDeviceSize b = m_batchSize;
    using U = vk::BufferUsage;
    VELA_TRY(add(m_buffers.tokens, b * 4, U::Upload));
    VELA_TRY(add(m_buffers.positions, b * 4, U::Upload));
    VELA_TRY(add(m_buffers.x, b * p.embeddingLength * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.normed, b * p.embeddingLength * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.q, b * p.qDim() * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.k, b * p.kvDim() * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.v, b * p.kvDim() * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.attention, b * p.qDim() * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.projected, b * p.embeddingLength * f32, U::DeviceLocal));
    const VkDeviceSize ffnWidth = std::max(p.feedForwardLength, p.sharedExpertFeedForwardLength);
    VELA_TRY(add(m_buffers.gate, b * ffnWidth * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.up, b * ffnWidth * f32, U::DeviceLocal));
    if (p.expertCount > 0) {
        const VkDeviceSize k = p.expertUsedCount, ff = p.expertFeedForwardLength;
        VELA_TRY(add(m_buffers.router, b * p.expertCount * f32, U::DeviceLocal));
        VELA_TRY(add(m_buffers.expertIds, b * k * 4, U::DeviceLocal));
        VELA_TRY(add(m_buffers.expertWeights, b * k * f32, U::DeviceLocal));
        VELA_TRY(add(m_buffers.expertGate, b * k * ff * f32, U::DeviceLocal));
        VELA_TRY(add(m_buffers.expertUp, b * k * ff * f32, U::DeviceLocal));
        VELA_TRY(add(m_buffers.expertOut, b * k * p.embeddingLength * f32, U::DeviceLocal));
    }
    if (p.fusedQkv || p.fusedGateUp) {
        const VkDeviceSize width = std::max<VkDeviceSize>(p.fusedQkv ? p.qDim() + 2 * p.kvDim() : 0,
                                                          p.fusedGateUp ? 2 * p.feedForwardLength : 0);
        VELA_TRY(add(m_buffers.fused, b * width * f32, U::DeviceLocal));
    }
    if (p.latentAttention)
        VELA_TRY(allocateLatent());
    VELA_TRY(add(m_buffers.lastRow, p.embeddingLength * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.logits, VkDeviceSize(p.vocabSize) * f32, U::DeviceLocal));
    VELA_TRY(add(m_buffers.selection, 2 * 64 * 4, U::DeviceLocal));
    VELA_TRY(add(m_buffers.selectionScratch, ops::selectScratchBytes(p.vocabSize, 64), U::DeviceLocal));
    VELA_TRY(add(m_buffers.readback, VkDeviceSize(p.vocabSize) * f32, U::Readback));
    if (!m_model.lora().empty()) {
        VELA_TRY(add(m_buffers.loraReduced, b * m_model.lora().maxRank() * f32, U::DeviceLocal));
        VELA_TRY(add(m_buffers.loraExpanded, b * m_model.lora().maxRows() * f32, U::DeviceLocal));
    }
    m_logitsRows = 1;
    Result<vk::CommandStream> stream = vk::CommandStream::create(m_model.context(), m_model.profiling());
    if (!stream)
        return stream.status();
    m_stream.emplace(std::move(stream).value());
    return {};
}

Status LlamaSession::allocateLatent()
{
    const LlamaParams& p = m_model.params();
    SessionBuffers::Latent& l = m_buffers.latent;
    const VkDeviceSize b = m_batchSize, pairs = b * p.headCount, f32 = 4;
    const uint32_t rope = p.ropeDimensionCount;
    const std::pair<vk::Buffer*, VkDeviceSize> sizes[] = {
        {&l.queryDown, b * std::max<uint32_t>(p.queryLoraRank, 1) * f32},
        {&l.query, pairs * p.mlaKeyLength * f32},
        {&l.kvDown, b * (p.kvLoraRank + rope) * f32},
        {&l.queryNope, pairs * p.mlaNopeLength() * f32},
        {&l.queryRope, pairs * rope * f32},
        {&l.keyRope, b * rope * f32},
        {&l.latentKv, b * p.kvLoraRank * f32},
        {&l.latent, pairs * p.kvLoraRank * f32},
        {&l.value, pairs * p.mlaValueLength * f32},
    };
    for (const auto& [target, bytes] : sizes) {
        Result<vk::Buffer> buffer = make(bytes);
        if (!buffer)
            return buffer.status();
        *target = std::move(buffer).value();
    }
    // The per-head matrices attn_k_b / attn_v_b go through the expert-indexed matvec, one "expert" per head.
    Result<vk::Buffer> ids = make(pairs * 4, vk::BufferUsage::Upload);
    if (!ids)
        return ids.status();
    l.headIds = std::move(ids).value();
    auto* words = static_cast<uint32_t*>(l.headIds.mapped());
    for (VkDeviceSize i = 0; i < pairs; ++i)
        words[i] = static_cast<uint32_t>(i % p.headCount);
    return {};
}

Status LlamaSession::matrix(const ops::WeightView& w, const vk::Buffer& x, const vk::Buffer& y, uint32_t n)
{
    ops::KernelLibrary& kernels = m_model.kernels();
    if (n == 1)
        VELA_TRY(ops::matVec(kernels, *m_stream, w, vk::wholeBuffer(x), vk::wholeBuffer(y), 1));
    else
        VELA_TRY(ops::matMul(kernels, *m_stream, w, vk::wholeBuffer(x), vk::wholeBuffer(y), n));
    // LoRA adapters on w, if any: y += s·B·(A·x).
    return m_model.lora().apply(kernels, *m_stream, w, x, y, n, {&m_buffers.loraReduced, &m_buffers.loraExpanded});
}

// Mixture-of-Experts FFN (llama.cpp build_moe_ffn): the router's softmax picks k experts per token on the
// device, each chosen expert's SwiGLU FFN runs on its token through expert-indexed matvecs that read only the
// chosen experts' rows, and the outputs are summed with the router's weights; Qwen2-MoE adds a shared expert
// scaled by sigmoid(its own gate). x += that sum.
Status LlamaSession::recordExperts(const LayerWeights& w, uint32_t n)
{
    const LlamaParams& p = m_model.params();
    ops::KernelLibrary& kernels = m_model.kernels();
    vk::CommandStream& s = *m_stream;
    SessionBuffers& b = m_buffers;
    const auto all = [](const vk::Buffer& buffer) { return vk::wholeBuffer(buffer); };
    const uint32_t k = p.expertUsedCount, pairs = n * k, ff = p.expertFeedForwardLength;

    VELA_TRY(matrix(*w.router, b.normed, b.router, n));  // (n, n_expert)
    s.barrier();
    ops::MoeRouteParams route;
    route.nTokens = n;
    route.nExperts = p.expertCount;
    route.k = k;
    route.gating = p.expertGating == ExpertGating::Sigmoid ? ops::MoeGating::Sigmoid : ops::MoeGating::Softmax;
    route.normalize = p.expertWeightsNorm;
    route.scale = p.expertWeightsScale != 0.0f ? p.expertWeightsScale : 1.0f;
    route.nGroups = p.expertGroupCount;
    route.nGroupsUsed = p.expertGroupUsedCount;
    const std::optional<vk::BufferRange> bias = w.expertBias ? std::optional(w.expertBias->data) : std::nullopt;
    VELA_TRY(ops::moeRoute(kernels, s, all(b.router), bias, all(b.expertIds), all(b.expertWeights), route));
    s.barrier();
    // Gate and up of each (token, expert) pair read the token's row; down reads the pair's own hidden row.
    VELA_TRY(ops::matVecExperts(kernels, s, *w.gateExperts, p.expertCount, all(b.expertIds), pairs, k, all(b.normed),
                                all(b.expertGate)));
    VELA_TRY(ops::matVecExperts(kernels, s, *w.upExperts, p.expertCount, all(b.expertIds), pairs, k, all(b.normed),
                                all(b.expertUp)));
    s.barrier();
    if (p.ffnActivation == FfnActivation::Gelu)  // Grok's experts
        VELA_TRY(ops::geglu(kernels, s, all(b.expertGate), all(b.expertUp), all(b.expertGate), pairs * ff));
    else
        VELA_TRY(ops::swiglu(kernels, s, all(b.expertGate), all(b.expertUp), all(b.expertGate), pairs * ff));
    s.barrier();
    VELA_TRY(ops::matVecExperts(kernels, s, *w.downExperts, p.expertCount, all(b.expertIds), pairs, 1,
                                all(b.expertGate), all(b.expertOut)));
    s.barrier();
    VELA_TRY(ops::moeCombine(kernels, s, all(b.expertOut), all(b.expertWeights), all(b.projected), n, k,
                             p.embeddingLength, false));
    s.barrier();
    if (w.sharedUp) {
        // The shared expert sees every token: DeepSeek adds it as it is, Qwen2-MoE scales it by
        // sigmoid(its own gate · n), computed through the router kernel (one "expert", sigmoid gating) so that
        // the same combine sums it in.
        const uint32_t sff = p.sharedExpertFeedForwardLength;
        if (w.sharedGateInput)
            VELA_TRY(matrix(*w.sharedGateInput, b.normed, b.router, n));  // (n, 1)
        VELA_TRY(matrix(*w.sharedGate, b.normed, b.gate, n));
        VELA_TRY(matrix(*w.sharedUp, b.normed, b.up, n));
        s.barrier();
        if (w.sharedGateInput) {
            ops::MoeRouteParams one;
            one.nTokens = n;
            one.nExperts = 1;
            one.k = 1;
            one.gating = ops::MoeGating::Sigmoid;
            VELA_TRY(
                ops::moeRoute(kernels, s, all(b.router), std::nullopt, all(b.expertIds), all(b.expertWeights), one));
        }
        VELA_TRY(ops::swiglu(kernels, s, all(b.gate), all(b.up), all(b.gate), n * sff));
        s.barrier();
        VELA_TRY(matrix(*w.sharedDown, b.gate, b.expertOut, n));
        s.barrier();
        if (w.sharedGateInput)
            VELA_TRY(ops::moeCombine(kernels, s, all(b.expertOut), all(b.expertWeights), all(b.projected), n, 1,
                                     p.embeddingLength, true));
        else
            VELA_TRY(ops::add(kernels, s, all(b.projected), all(b.expertOut), all(b.projected), n * p.embeddingLength));
        s.barrier();
    }
    if (w.up && w.gate && w.down) {
        // Grok's dense GELU FFN beside the experts: (dense + experts) · √2/2.
        VELA_TRY(matrix(*w.gate, b.normed, b.gate, n));
        VELA_TRY(matrix(*w.up, b.normed, b.up, n));
        s.barrier();
        VELA_TRY(ops::geglu(kernels, s, all(b.gate), all(b.up), all(b.gate), n * p.feedForwardLength));
        s.barrier();
        VELA_TRY(matrix(*w.down, b.gate, b.expertOut, n));
        s.barrier();
        VELA_TRY(ops::add(kernels, s, all(b.expertOut), all(b.projected), all(b.projected), n * p.embeddingLength));
        s.barrier();
        VELA_TRY(ops::scale(kernels, s, all(b.projected), all(b.projected), n * p.embeddingLength,
                            static_cast<float>(std::sqrt(2.0) / 2.0)));
        s.barrier();
    }
    if (w.postFfwNorm) {  // Grok: the experts' sum is normalised before the residual add
        VELA_TRY(ops::rmsNorm(kernels, s, all(b.projected), w.postFfwNorm->data, all(b.projected), n,
                              p.embeddingLength, p.rmsEpsilon));
        s.barrier();
    }
    VELA_TRY(ops::add(kernels, s, all(b.x), all(b.projected), all(b.x), n * p.embeddingLength));
    s.barrier();
    return {};
}

// out = norm(x) · weight (+ bias): RMSNorm, or LayerNorm for Phi-2; `rows` rows of n_embd.
Status LlamaSession::normalize(const vk::Buffer& x, const ops::WeightView& weight, const ops::WeightView* bias,
                               const vk::Buffer& out, uint32_t rows)
{
    const LlamaParams& p = m_model.params();
    if (!p.layerNorm)
        return ops::rmsNorm(m_model.kernels(), *m_stream, vk::wholeBuffer(x), weight.data, vk::wholeBuffer(out), rows,
                            p.embeddingLength, p.rmsEpsilon);
    const std::optional<vk::BufferRange> b = bias ? std::optional(bias->data) : std::nullopt;
    return ops::layerNorm(m_model.kernels(), *m_stream, vk::wholeBuffer(x), weight.data, b, vk::wholeBuffer(out), rows,
                          p.embeddingLength, p.rmsEpsilon);
}

// Grok's logit scale, then Gemma 2's / Grok's final soft-cap, on `rows` rows of logits (records its own
// barriers: the logits were just written).
Status LlamaSession::capLogits(uint32_t rows)
{
    const LlamaParams& p = m_model.params();
    if (p.logitScale != 0.0f) {
        m_stream->barrier();
        VELA_TRY(ops::scale(m_model.kernels(), *m_stream, vk::wholeBuffer(m_buffers.logits),
                            vk::wholeBuffer(m_buffers.logits), rows * p.vocabSize, p.logitScale));
    }
    if (p.finalSoftCap <= 0.0f)
        return {};
    m_stream->barrier();
    return ops::softCap(m_model.kernels(), *m_stream, vk::wholeBuffer(m_buffers.logits),
                        vk::wholeBuffer(m_buffers.logits), rows * p.vocabSize, p.finalSoftCap);
}

// y += bias on each of the n rows, when the layer has one (records its own barrier: y was just written).
Status LlamaSession::addBias(const ops::WeightView* bias, const vk::Buffer& y, uint32_t n)
{
    if (!bias)
        return {};
    m_stream->barrier();
    return ops::addRows(m_model.kernels(), *m_stream, vk::wholeBuffer(y), bias->data, vk::wholeBuffer(y), n,
                        bias->cols);
}

// RoPE of this layer as llama.cpp sets it up for `n` tokens (heads and width are the caller's).
ops::RopeParams LlamaSession::ropeParams(uint32_t layer, uint32_t n) const
{
    const LlamaParams& p = m_model.params();
    ops::RopeParams rope{};
    rope.nTokens = n;
    rope.headDim = p.headDim;
    rope.nRot = p.ropeDimensionCount;
    rope.neox = p.ropeNeox;
    // Sliding-window layers have their own base and are never scaled (llama.cpp get_rope_freq_base/scale).
    const bool local = p.isSlidingWindowLayer(layer);
    rope.freqBase = local ? p.ropeFreqBaseSwa : p.ropeFreqBase;
    rope.freqScale = local ? 1.0f : p.ropeFreqScale;
    rope.extFactor = p.ropeExtFactor;
    rope.attnFactor = p.ropeAttnFactor;
    rope.betaFast = p.ropeBetaFast;
    rope.betaSlow = p.ropeBetaSlow;
    rope.nCtxOrig = p.ropeOriginalContext;
    return rope;
}

// Multi-head attention with its projections for `n` tokens; the output projection lands in b.projected.
Status LlamaSession::recordAttention(const LayerWeights& w, uint32_t layer, uint32_t n)
{
    const LlamaParams& p = m_model.params();
    ops::KernelLibrary& kernels = m_model.kernels();
    vk::CommandStream& s = *m_stream;
    SessionBuffers& b = m_buffers;
    const auto all = [](const vk::Buffer& buffer) { return vk::wholeBuffer(buffer); };
    if (w.qkv) {
        // Phi-3: one projection, its rows q | k | v split into the buffers the rest of the block reads.
        const uint32_t width = p.qDim() + 2 * p.kvDim();
        VELA_TRY(matrix(*w.qkv, b.normed, b.fused, n));
        s.barrier();
        VELA_TRY(ops::copyColumns(kernels, s, all(b.fused), width, 0, all(b.q), p.qDim(), n));
        VELA_TRY(ops::copyColumns(kernels, s, all(b.fused), width, p.qDim(), all(b.k), p.kvDim(), n));
        VELA_TRY(ops::copyColumns(kernels, s, all(b.fused), width, p.qDim() + p.kvDim(), all(b.v), p.kvDim(), n));
    } else {
        VELA_TRY(matrix(*w.q, b.normed, b.q, n));
        VELA_TRY(matrix(*w.k, b.normed, b.k, n));
        VELA_TRY(matrix(*w.v, b.normed, b.v, n));
    }
    VELA_TRY(addBias(w.qBias, b.q, n));
    VELA_TRY(addBias(w.kBias, b.k, n));
    VELA_TRY(addBias(w.vBias, b.v, n));
    s.barrier();
    // Qwen3: each head of q and k RMS-normalised on its own (one row per head) before RoPE.
    if (w.qNorm && w.kNorm) {
        VELA_TRY(ops::rmsNorm(kernels, s, all(b.q), w.qNorm->data, all(b.q), n * p.headCount, p.headDim, p.rmsEpsilon));
        VELA_TRY(ops::rmsNorm(kernels, s, all(b.k), w.kNorm->data, all(b.k), n * p.headCountKv, p.headDim,
                              p.rmsEpsilon));
        s.barrier();
    }
    ops::RopeParams rope = ropeParams(layer, n);
    const ops::WeightView* freqs = m_model.ropeFactors(m_contextLength);
    const std::optional<vk::BufferRange> factors = freqs ? std::optional(freqs->data) : std::nullopt;
    rope.nHeads = p.headCount;
    VELA_TRY(ops::rope(kernels, s, all(b.q), all(b.positions), factors, rope));
    rope.nHeads = p.headCountKv;
    VELA_TRY(ops::rope(kernels, s, all(b.k), all(b.positions), factors, rope));
    s.barrier();
    // K and V of these tokens join the cache; then every query attends over the cache up to itself.
    VELA_TRY(ops::storeKv(kernels, s, all(b.k), all(b.keys[layer]), m_position, n, p.kvDim()));
    VELA_TRY(ops::storeKv(kernels, s, all(b.v), all(b.values[layer]), m_position, n, p.kvDim()));
    s.barrier();
    ops::AttentionParams attention{};
    attention.nTokens = n;
    attention.nKv = m_position + n;
    attention.firstPosition = m_position;
    attention.nHead = p.headCount;
    attention.nKvHead = p.headCountKv;
    attention.headDim = p.headDim;
    attention.scale = p.attentionScale > 0 ? p.attentionScale : 1.0f / std::sqrt(static_cast<float>(p.headDim));
    attention.causal = !m_bidirectional;
    attention.softCap = p.attnSoftCap;
    attention.window = p.isSlidingWindowLayer(layer) ? p.slidingWindow : 0;
    VELA_TRY(ops::attention(kernels, s, all(b.q), all(b.keys[layer]), all(b.values[layer]), all(b.attention),
                            attention));
    s.barrier();
    VELA_TRY(matrix(*w.o, b.attention, b.projected, n));
    VELA_TRY(addBias(w.oBias, b.projected, n));
    s.barrier();
    return {};
}

// DeepSeek-V2/V3 multi-head latent attention in its absorbed form (llama.cpp src/models/deepseek2.cpp, is_mla):
// the cache holds one row per token, [rmsnorm(kv_a(x)[:kv_lora]) | rope(kv_a(x)[kv_lora:])], shared by all
// heads. Each query head, [nope | rope] out of q_b(rmsnorm(q_a(x))), becomes [attn_k_b · nope | rope(rope)] so
// that it scores directly against those rows; the weighted sum of the rows' latent parts goes through the
// head's attn_v_b, and attn_output mixes the heads. The output projection lands in b.projected.
Status LlamaSession::recordLatentAttention(const LayerWeights& w, uint32_t layer, uint32_t n)
{
    const LlamaParams& p = m_model.params();
    ops::KernelLibrary& kernels = m_model.kernels();
    vk::CommandStream& s = *m_stream;
    SessionBuffers& b = m_buffers;
    SessionBuffers::Latent& l = b.latent;
    const auto all = [](const vk::Buffer& buffer) { return vk::wholeBuffer(buffer); };
    const uint32_t heads = p.headCount, pairs = n * heads, rope = p.ropeDimensionCount, nope = p.mlaNopeLength();
    const uint32_t latent = p.kvLoraRank, row = p.headDim;  // row = latent + rope

    if (w.queryDown) {
        VELA_TRY(matrix(*w.queryDown, b.normed, l.queryDown, n));
        s.barrier();
        VELA_TRY(ops::rmsNorm(kernels, s, all(l.queryDown), w.queryDownNorm->data, all(l.queryDown), n,
                              p.queryLoraRank, p.rmsEpsilon));
        s.barrier();
        VELA_TRY(matrix(*w.queryUp, l.queryDown, l.query, n));
    } else {
        VELA_TRY(matrix(*w.q, b.normed, l.query, n));  // V2-Lite: one projection
    }
    VELA_TRY(matrix(*w.kvDown, b.normed, l.kvDown, n));
    s.barrier();
    VELA_TRY(ops::copyColumns(kernels, s, all(l.query), p.mlaKeyLength, 0, all(l.queryNope), nope, pairs));
    VELA_TRY(ops::copyColumns(kernels, s, all(l.query), p.mlaKeyLength, nope, all(l.queryRope), rope, pairs));
    VELA_TRY(ops::copyColumns(kernels, s, all(l.kvDown), row, 0, all(l.latentKv), latent, n));
    VELA_TRY(ops::copyColumns(kernels, s, all(l.kvDown), row, latent, all(l.keyRope), rope, n));
    s.barrier();
    ops::RopeParams ropeSetup = ropeParams(layer, n);
    ropeSetup.headDim = rope;
    ropeSetup.nHeads = heads;
    VELA_TRY(ops::rope(kernels, s, all(l.queryRope), all(b.positions), std::nullopt, ropeSetup));
    ropeSetup.nHeads = 1;
    VELA_TRY(ops::rope(kernels, s, all(l.keyRope), all(b.positions), std::nullopt, ropeSetup));
    VELA_TRY(ops::rmsNorm(kernels, s, all(l.latentKv), w.kvDownNorm->data, all(l.latentKv), n, latent, p.rmsEpsilon));
    VELA_TRY(ops::matVecExperts(kernels, s, *w.keyAbsorb, heads, all(l.headIds), pairs, 1, all(l.queryNope),
                                all(l.latent)));
    s.barrier();
    // The attention's query rows (b.q) and the new cache rows (b.k): latent part first, rotary part last.
    VELA_TRY(ops::copyColumnsInto(kernels, s, all(l.latent), latent, 0, {all(b.q), row, 0}, latent, pairs));
    VELA_TRY(ops::copyColumnsInto(kernels, s, all(l.queryRope), rope, 0, {all(b.q), row, latent}, rope, pairs));
    VELA_TRY(ops::copyColumnsInto(kernels, s, all(l.latentKv), latent, 0, {all(b.k), row, 0}, latent, n));
    VELA_TRY(ops::copyColumnsInto(kernels, s, all(l.keyRope), rope, 0, {all(b.k), row, latent}, rope, n));
    s.barrier();
    VELA_TRY(ops::storeKv(kernels, s, all(b.k), all(b.keys[layer]), m_position, n, row));
    s.barrier();
    ops::AttentionParams attention{};
    attention.nTokens = n;
    attention.nKv = m_position + n;
    attention.firstPosition = m_position;
    attention.nHead = heads;
    attention.nKvHead = 1;
    attention.headDim = row;
    attention.scale = p.attentionScale;
    attention.causal = !m_bidirectional;
    // V = the key rows: the first `latent` output columns are the latent result, the rotary ones are unused.
    VELA_TRY(ops::attention(kernels, s, all(b.q), all(b.keys[layer]), all(b.keys[layer]), all(b.attention),
                            attention));
    s.barrier();
    VELA_TRY(ops::copyColumns(kernels, s, all(b.attention), row, 0, all(l.latent), latent, pairs));
    s.barrier();
    VELA_TRY(ops::matVecExperts(kernels, s, *w.valueExpand, heads, all(l.headIds), pairs, 1, all(l.latent),
                                all(l.value)));
    s.barrier();
    VELA_TRY(matrix(*w.o, l.value, b.projected, n));
    s.barrier();
    return {};
}

// One transformer block for `n` tokens at positions m_position … m_position+n-1. Every op reads what the
// previous one wrote, hence a barrier after each.
Status LlamaSession::recordLayer(uint32_t layer, uint32_t n)
{
    const LlamaParams& p = m_model.params();
    const LayerWeights& w = m_model.layer(layer);
    ops::KernelLibrary& kernels = m_model.kernels();
    vk::CommandStream& s = *m_stream;
    SessionBuffers& b = m_buffers;
    const auto all = [](const vk::Buffer& buffer) { return vk::wholeBuffer(buffer); };

    // Attention: normed = rmsnorm(x) · w_attn_norm; q, k, v projections; RoPE on q and k.
    VELA_TRY(normalize(b.x, *w.attnNorm, w.attnNormBias, b.normed, n));
    s.barrier();
    VELA_TRY(p.latentAttention ? recordLatentAttention(w, layer, n) : recordAttention(w, layer, n));
    if (w.postAttnNorm) {  // Gemma 2/3 normalise the block's output before the residual add
        VELA_TRY(ops::rmsNorm(kernels, s, all(b.projected), w.postAttnNorm->data, all(b.projected), n,
                              p.embeddingLength, p.rmsEpsilon));
        s.barrier();
    }
    VELA_TRY(ops::add(kernels, s, all(b.x), all(b.projected), all(b.x), n * p.embeddingLength));
    s.barrier();

    // Feed-forward: x += W_down · (act(W_gate · n) ⊙ (W_up · n)), n = rmsnorm(x) · w_ffn_norm, act = silu
    // (SwiGLU) or tanh-GELU (GeGLU, gemma). Phi-2 runs it beside the attention: on the attention's own
    // normed input (still in b.normed), with no gate: x += W_down · gelu(W_up · n + b) + b.
    if (!p.parallelBlock) {
        VELA_TRY(normalize(b.x, *w.ffnNorm, nullptr, b.normed, n));
        s.barrier();
    }
    if (w.router)
        return recordExperts(w, n);
    if (!p.gatedFfn) {
        VELA_TRY(matrix(*w.up, b.normed, b.up, n));
        VELA_TRY(addBias(w.upBias, b.up, n));
        s.barrier();
        VELA_TRY(ops::gelu(kernels, s, all(b.up), all(b.up), n * p.feedForwardLength));
        s.barrier();
        VELA_TRY(matrix(*w.down, b.up, b.projected, n));
        VELA_TRY(addBias(w.downBias, b.projected, n));
        s.barrier();
        VELA_TRY(ops::add(kernels, s, all(b.x), all(b.projected), all(b.x), n * p.embeddingLength));
        s.barrier();
        return {};
    }
    if (p.fusedGateUp) {
        // Phi-3: ffn_up holds gate | up (ggml_swiglu gates the first half).
        VELA_TRY(matrix(*w.up, b.normed, b.fused, n));
        s.barrier();
        const uint32_t ff = p.feedForwardLength;
        VELA_TRY(ops::copyColumns(kernels, s, all(b.fused), 2 * ff, 0, all(b.gate), ff, n));
        VELA_TRY(ops::copyColumns(kernels, s, all(b.fused), 2 * ff, ff, all(b.up), ff, n));
    } else {
        VELA_TRY(matrix(*w.gate, b.normed, b.gate, n));
        VELA_TRY(matrix(*w.up, b.normed, b.up, n));
    }
    VELA_TRY(addBias(w.gateBias, b.gate, n));
    VELA_TRY(addBias(w.upBias, b.up, n));
    s.barrier();
    if (p.ffnActivation == FfnActivation::Gelu)
        VELA_TRY(ops::geglu(kernels, s, all(b.gate), all(b.up), all(b.gate), n * p.feedForwardLength));
    else
        VELA_TRY(ops::swiglu(kernels, s, all(b.gate), all(b.up), all(b.gate), n * p.feedForwardLength));
    s.barrier();
    VELA_TRY(matrix(*w.down, b.gate, b.projected, n));
    VELA_TRY(addBias(w.downBias, b.projected, n));
    s.barrier();
    if (w.postFfwNorm) {
        VELA_TRY(ops::rmsNorm(kernels, s, all(b.projected), w.postFfwNorm->data, all(b.projected), n,
                              p.embeddingLength, p.rmsEpsilon));
        s.barrier();
    }
    VELA_TRY(ops::add(kernels, s, all(b.x), all(b.projected), all(b.x), n * p.embeddingLength));
    s.barrier();
    return {};
}

// The final norm and the output projection: of the last token only, or of every token.
Status LlamaSession::recordLogits(uint32_t n, Logits which)
{
    const LlamaParams& p = m_model.params();
    vk::CommandStream& s = *m_stream;
    SessionBuffers& b = m_buffers;
    if (which == Logits::All) {
        if (m_logitsRows < m_batchSize) {
            m_deviceBytes -= b.logits.size() + b.readback.size();
            Result<vk::Buffer> logits = make(VkDeviceSize(m_batchSize) * p.vocabSize * 4);
            Result<vk::Buffer> readback = make(VkDeviceSize(m_batchSize) * p.vocabSize * 4, vk::BufferUsage::Readback);
            if (!logits || !readback)
                return logits ? readback.status() : logits.status();
            b.logits = std::move(logits).value();
            b.readback = std::move(readback).value();
            m_logitsRows = m_batchSize;
        }
        VELA_TRY(normalize(b.x, m_model.outputNorm(), m_model.outputNormBias(), b.normed, n));
        s.barrier();
        VELA_TRY(matrix(m_model.output(), b.normed, b.logits, n));
        VELA_TRY(addBias(m_model.outputBias(), b.logits, n));
        return capLogits(n);
    }
    // Logits::Last: copy the last row out (a copy has no offset-alignment rules, a binding has).
    s.copy(b.x, VkDeviceSize(n - 1) * p.embeddingLength * 4, b.lastRow, 0, VkDeviceSize(p.embeddingLength) * 4);
    s.barrier();
    VELA_TRY(normalize(b.lastRow, m_model.outputNorm(), m_model.outputNormBias(), b.lastRow, 1));
    s.barrier();
    VELA_TRY(matrix(m_model.output(), b.lastRow, b.logits, 1));
    VELA_TRY(addBias(m_model.outputBias(), b.logits, 1));
    VELA_TRY(capLogits(1));
    s.barrier();
    return {};
}

Status LlamaSession::runBatch(std::span<const TokenId> tokens, Logits which, std::span<const float> embeddings)
{
    const LlamaParams& p = m_model.params();
    const auto n = static_cast<uint32_t>(tokens.size());
    auto* ids = static_cast<uint32_t*>(m_buffers.tokens.mapped());
    auto* positions = static_cast<int32_t*>(m_buffers.positions.mapped());
    for (uint32_t i = 0; i < n; ++i) {
        const bool suppliedRow = tokens[i] < 0 && !embeddings.empty();
        if (!suppliedRow && (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= p.vocabSize))
            return Status::failure("token id " + std::to_string(tokens[i]) + " is outside the vocabulary (" +
                                   std::to_string(p.vocabSize) + " tokens)");
        ids[i] = suppliedRow ? 0u : static_cast<uint32_t>(tokens[i]);  // row 0 is looked up, then replaced
        positions[i] = static_cast<int32_t>(m_position + i);
    }
    ops::KernelLibrary& kernels = m_model.kernels();
    VELA_TRY(ops::embed(kernels, *m_stream, m_model.tokenEmbedding(), vk::wholeBuffer(m_buffers.tokens),
                        vk::wholeBuffer(m_buffers.x), n));
    m_stream->barrier();
    if (p.embeddingScale != 0.0f) {
        VELA_TRY(ops::scale(kernels, *m_stream, vk::wholeBuffer(m_buffers.x), vk::wholeBuffer(m_buffers.x),
                            n * p.embeddingLength, p.embeddingScale));
        m_stream->barrier();
    }
    if (!embeddings.empty()) {
        VELA_TRY(placeEmbeddingRows(tokens, embeddings));
        m_stream->barrier();
    }
    for (uint32_t layer = 0; layer < p.blockCount; ++layer) {
        if (m_cancel.load())
            break;
        VELA_TRY(recordLayer(layer, n));
        // A prompt batch can take seconds on a slow device: submitting layer by layer lets cancel() act
        // within one layer's time. One token is quick enough to go in one submission.
        if (n > 1)
            VELA_TRY(m_stream->submitAndWait());
    }
    if (which != Logits::None)
        VELA_TRY(recordLogits(n, which));
    const Status submitted = m_stream->submitAndWait();
    if (m_cancel.exchange(false))
        return Status::failure("cancelled");
    VELA_TRY(submitted);
    m_position += n;
    m_cached.insert(m_cached.end(), tokens.begin(), tokens.end());
    m_haveLogits = which != Logits::None;
    return {};
}

// Copies the caller's rows over the looked-up ones (after the embedding scale, which they must not get):
// one copy per run of consecutive supplied rows.
Status LlamaSession::placeEmbeddingRows(std::span<const TokenId> ids, std::span<const float> embeddings)
{
    const VkDeviceSize rowBytes = VkDeviceSize(m_model.params().embeddingLength) * 4;
    if (!m_buffers.embeddingRows.isValid()) {
        Result<vk::Buffer> rows = make(m_batchSize * rowBytes, vk::BufferUsage::Upload);
        if (!rows)
            return rows.status();
        m_buffers.embeddingRows = std::move(rows).value();
    }
    std::memcpy(m_buffers.embeddingRows.mapped(), embeddings.data(), embeddings.size_bytes());
    size_t next = 0;  // rows of `embeddings` used so far
    for (size_t i = 0; i < ids.size();) {
        if (ids[i] >= 0) {
            ++i;
            continue;
        }
        size_t run = 1;
        while (i + run < ids.size() && ids[i + run] < 0)
            ++run;
        m_stream->copy(m_buffers.embeddingRows, next * rowBytes, m_buffers.x, i * rowBytes, run * rowBytes);
        next += run;
        i += run;
    }
    return {};
}

Status LlamaSession::evaluateBlock(std::span<const TokenId> ids, std::span<const float> embeddings,
                                   bool bidirectional, Logits which, std::vector<float>& logits)
{
    const uint32_t width = m_model.params().embeddingLength;
    const size_t supplied = static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [](TokenId t) { return t < 0; }));
    if (ids.empty())
        return Status::failure("nothing to evaluate");
    if (embeddings.size() != supplied * width)
        return Status::failure("an embedding block needs " + std::to_string(supplied) + " rows of " +
                               std::to_string(width) + " values, got " + std::to_string(embeddings.size()) + " values");
    if (ids.size() > m_batchSize)
        return Status::failure("a block of " + std::to_string(ids.size()) + " rows does not fit one batch of " +
                               std::to_string(m_batchSize) + "; use a larger batch size");
    if (m_position + ids.size() > m_contextLength)
        return Status::failure("the context is full: " + std::to_string(m_position) + " + " +
                               std::to_string(ids.size()) + " rows exceed the context of " +
                               std::to_string(m_contextLength));
    m_bidirectional = bidirectional;
    const Status ran = runBatch(ids, which, embeddings);
    m_bidirectional = false;
    VELA_TRY(ran);
    logits.clear();
    if (which == Logits::All) {
        VELA_TRY(readLogits(static_cast<uint32_t>(ids.size()), logits, false));
        m_haveLogits = false;
    } else if (which == Logits::Last) {
        VELA_TRY(readLogits(1, logits, false));
    }
    noteBatchDone(ids.size(), ids.size());
    return {};
}

Status LlamaSession::readLogits(uint32_t rows, std::vector<float>& out, bool append)
{
    const uint32_t vocab = m_model.params().vocabSize;
    const VkDeviceSize bytes = VkDeviceSize(rows) * vocab * 4;
    m_stream->copy(m_buffers.logits, 0, m_buffers.readback, 0, bytes);
    VELA_TRY(m_stream->submitAndWait());
    const auto* data = static_cast<const float*>(m_buffers.readback.mapped());
    if (!append)
        out.clear();
    out.insert(out.end(), data, data + size_t(rows) * vocab);
    return {};
}

Status LlamaSession::evaluate(std::span<const TokenId> tokens, Logits which, std::vector<float>& logits)
{
    if (tokens.empty())
        return Status::failure("nothing to evaluate");
    if (m_position + tokens.size() > m_contextLength)
        return Status::failure("the context is full: " + std::to_string(m_position) + " + " +
                               std::to_string(tokens.size()) + " tokens exceed the context of " +
                               std::to_string(m_contextLength));
    logits.clear();
    for (size_t start = 0; start < tokens.size(); start += m_batchSize) {
        const auto batch = tokens.subspan(start, std::min<size_t>(m_batchSize, tokens.size() - start));
        const bool lastBatch = start + batch.size() == tokens.size();
        const Logits want = which == Logits::All ? Logits::All : (lastBatch ? which : Logits::None);
        VELA_TRY(runBatch(batch, want));
        if (want == Logits::All)
            VELA_TRY(readLogits(static_cast<uint32_t>(batch.size()), logits, true));
        else if (want == Logits::Last)
            VELA_TRY(readLogits(1, logits, false));
        noteBatchDone(start + batch.size(), tokens.size());
    }
    if (which == Logits::All) {
        // The logits buffer now holds many rows; the last token's row is what topCandidates reads.
        m_haveLogits = false;
    }
    return {};
}

Result<TokenId> LlamaSession::evaluateGreedy(TokenId token)
{
    if (m_position + 1 > m_contextLength)
        return Status::failure("the context is full (" + std::to_string(m_contextLength) + " tokens)");
    const TokenId one[] = {token};
    VELA_TRY(runBatch(one, Logits::Last));
    // argmax on the device: 8 bytes come back instead of n_vocab floats.
    const uint32_t vocab = m_model.params().vocabSize;
    VELA_TRY(ops::argmax(m_model.kernels(), *m_stream, vk::BufferRange{&m_buffers.logits, 0, VkDeviceSize(vocab) * 4},
                         vocab, vk::BufferRange{&m_buffers.selection, 0, 8},
                         vk::wholeBuffer(m_buffers.selectionScratch)));
    m_stream->barrier();
    m_stream->copy(m_buffers.selection, 0, m_buffers.readback, 0, 8);
    VELA_TRY(m_stream->submitAndWait());
    const auto* words = static_cast<const uint32_t*>(m_buffers.readback.mapped());
    return static_cast<TokenId>(words[0]);
}

Status LlamaSession::topCandidates(uint32_t k, std::vector<std::pair<TokenId, float>>& out)
{
    if (!m_haveLogits)
        return Status::failure("no logits of a last token to choose from");
    const uint32_t vocab = m_model.params().vocabSize;
    k = std::clamp<uint32_t>(k, 1, std::min<uint32_t>(64, vocab));
    const vk::BufferRange ids{&m_buffers.selection, 0, 64 * 4};
    const vk::BufferRange values{&m_buffers.selection, 64 * 4, 64 * 4};
    VELA_TRY(ops::topK(m_model.kernels(), *m_stream, vk::BufferRange{&m_buffers.logits, 0, VkDeviceSize(vocab) * 4},
                       vocab, k, ids, values, vk::wholeBuffer(m_buffers.selectionScratch)));
    m_stream->barrier();
    m_stream->copy(m_buffers.selection, 0, m_buffers.readback, 0, 2 * 64 * 4);
    VELA_TRY(m_stream->submitAndWait());
    const auto* words = static_cast<const uint32_t*>(m_buffers.readback.mapped());
    out.clear();
    for (uint32_t i = 0; i < k; ++i) {
        float value;
        std::memcpy(&value, &words[64 + i], 4);
        out.emplace_back(static_cast<TokenId>(words[i]), value);
    }
    return {};
}

std::map<std::string, KernelTime> LlamaSession::kernelTimings() const
{
    return kernelTimesOf(*m_stream);
}

}  // namespace

Result<std::unique_ptr<LanguageModel>> loadLlama(GgufFile file, const LoadOptions& options)
{
    const std::string path = file.paths().front();
    Result<LlamaParams> params = readLlamaParams(file);
    if (!params)
        return Status::failure(path + ": " + params.message());
    Result<Tokenizer> tokenizer = Tokenizer::fromGguf(file);
    if (!tokenizer)
        return Status::failure(path + ": " + tokenizer.message());
    ModelInfo info = describeModel(file);
    // Adapters are checked against the model before anything touches the device.
    Result<std::vector<LoraAdapterFile>> adapters = openLoraAdapters(options.loraAdapters, file);
    if (!adapters)
        return adapters.status();

    Result<std::unique_ptr<vk::VulkanContext>> context = createModelContext(options);
    if (!context)
        return context.status();

    // The memory check comes before any allocation: say what is needed and what would help.
    MemoryEstimate need = estimateMemory(info, defaultContext(*params, options.contextLength));
    need.weightBytes += LoraWeights::uploadBytes(*adapters);
    need.scratchBytes += LoraWeights::scratchBytes(*adapters, SessionOptions{}.batchSize);
    const uint64_t free = (*context)->freeDeviceMemory();
    if (need.totalBytes() > free)
        return Status::failure(path + ": the model needs " + formatBytes(need.totalBytes()) + " of device memory (" +
                               formatBytes(need.weightBytes) + " weights" + (adapters->empty() ? "" : " and adapters") +
                               " + " + formatBytes(need.kvCacheBytes) +
                               " KV cache at " + std::to_string(need.contextLength) + " tokens), but " +
                               (*context)->description().name + " has " + formatBytes(free) +
                               " free; try a smaller context or a smaller quantization");

    auto model = std::make_unique<LlamaModel>(std::move(file), *params, std::move(info), std::move(tokenizer).value(),
                                              std::move(context).value(), options.profile);
    if (Status s = model->loadWeights(options.progress, *adapters); !s)
        return Status::failure(s.message() == "loading cancelled" ? s.message() : path + ": " + s.message());
    return std::unique_ptr<LanguageModel>(std::move(model));
}

}  // namespace vela::models
