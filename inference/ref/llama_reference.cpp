// CPU forward pass of `llama`: embeddings → n_layer × (RMSNorm → GQA attention with RoPE → residual →
// RMSNorm → SwiGLU FFN → residual) → RMSNorm → output projection.
// Reference: llama.cpp src/models/llama.cpp, src/llama-graph.cpp; LLaMA (arXiv:2302.13971).
#include "ref/llama_reference.h"

#include "ref/activation.h"
#include "ref/attention.h"
#include "ref/dequantize.h"
#include "ref/embedding.h"
#include "ref/matmul.h"
#include "ref/norm.h"
#include "ref/rope.h"

#include <cmath>
#include <numeric>
#include <string>

namespace vela::ref {

namespace {

Result<std::vector<float>> loadVector(const GgufFile& file, const std::string& name, bool required)
{
    const GgufTensorInfo* t = file.findTensor(name);
    if (!t) {
        if (required)
            return Status::failure("missing tensor " + name);
        return std::vector<float>{};
    }
    if (!isSupportedWeightType(t->type))
        return Status::failure("tensor " + name + " has unsupported type " + std::string(ggmlTypeName(t->type)));
    std::vector<float> values(t->elementCount());
    dequantizeRow(t->type, file.tensorData(*t).data(), values.data(), static_cast<int64_t>(values.size()));
    return values;
}

template <class Matrix>
Result<Matrix> loadMatrix(const GgufFile& file, const std::string& name)
{
    const GgufTensorInfo* t = file.findTensor(name);
    if (!t)
        return Status::failure("missing tensor " + name);
    if (!isSupportedWeightType(t->type))
        return Status::failure("tensor " + name + " has type " + std::string(ggmlTypeName(t->type)) +
                               ", which the reference cannot dequantize");
    Matrix m;
    m.type = t->type;
    m.data = file.tensorData(*t).data();
    m.cols = static_cast<int64_t>(t->dims[0]);
    m.rows = static_cast<int64_t>(t->dims[1]);
    return m;
}

}  // namespace

Result<LlamaReference> LlamaReference::load(const GgufFile& file)
{
    auto params = readLlamaParams(file);
    if (!params)
        return params.status();
    if (params->architecture != "llama")
        return Status::failure("the CPU reference runs llama only, not " + params->architecture);
    if (params->expertCount > 0)
        return Status::failure("llama MoE (expert_count " + std::to_string(params->expertCount) +
                               ") is not supported by the reference yet");
    if (params->ropeScalingType == RopeScalingType::Longrope)
        return Status::failure("llama with longrope scaling (rope_factors_long/short) is not supported by the "
                               "reference yet");
    LlamaReference model;
    model.m_params = params.value();

    Status failure;
    auto take = [&failure](auto result, auto& target) {
        if (!result)
            failure = result.status();
        else
            target = std::move(result.value());
    };
    take(loadMatrix<Matrix>(file, "token_embd.weight"), model.m_tokenEmbedding);
    take(loadMatrix<Matrix>(file, model.m_params.tiedOutput ? "token_embd.weight" : "output.weight"), model.m_output);
    take(loadVector(file, "output_norm.weight", true), model.m_outputNorm);
    take(loadVector(file, "rope_freqs.weight", false), model.m_ropeFreqs);
    model.m_layers.resize(model.m_params.blockCount);
    for (uint32_t i = 0; i < model.m_params.blockCount && failure.isOk(); ++i) {
        const std::string blk = "blk." + std::to_string(i) + ".";
        Layer& layer = model.m_layers[i];
        take(loadVector(file, blk + "attn_norm.weight", true), layer.attnNorm);
        take(loadVector(file, blk + "ffn_norm.weight", true), layer.ffnNorm);
        take(loadMatrix<Matrix>(file, blk + "attn_q.weight"), layer.wq);
        take(loadMatrix<Matrix>(file, blk + "attn_k.weight"), layer.wk);
        take(loadMatrix<Matrix>(file, blk + "attn_v.weight"), layer.wv);
        take(loadMatrix<Matrix>(file, blk + "attn_output.weight"), layer.wo);
        take(loadMatrix<Matrix>(file, blk + "ffn_gate.weight"), layer.ffnGate);
        take(loadMatrix<Matrix>(file, blk + "ffn_up.weight"), layer.ffnUp);
        take(loadMatrix<Matrix>(file, blk + "ffn_down.weight"), layer.ffnDown);
        take(loadVector(file, blk + "attn_q.bias", false), layer.bq);
        take(loadVector(file, blk + "attn_k.bias", false), layer.bk);
        take(loadVector(file, blk + "attn_v.bias", false), layer.bv);
        take(loadVector(file, blk + "attn_output.bias", false), layer.bo);
        take(loadVector(file, blk + "ffn_gate.bias", false), layer.bGate);
        take(loadVector(file, blk + "ffn_up.bias", false), layer.bUp);
        take(loadVector(file, blk + "ffn_down.bias", false), layer.bDown);
    }
    if (!failure)
        return failure;
    return model;
}

void LlamaReference::reset()
{
    for (Layer& layer : m_layers) {
        layer.kCache.clear();
        layer.vCache.clear();
    }
    m_position = 0;
}

void LlamaReference::multiply(const Matrix& w, const std::vector<float>& bias, const float* x, int64_t nTokens,
                              float* y) const
{
    matmul(w.type, w.data, w.rows, w.cols, x, nTokens, y);
    for (int64_t t = 0; t < nTokens && !bias.empty(); ++t)
        add(y + t * w.rows, bias.data(), y + t * w.rows, w.rows);
}

// Projects q/k/v, rotates q and k, appends k and v to the cache and attends over the whole cache.
void LlamaReference::runAttention(Layer& layer, const float* normed, std::span<const int32_t> positions,
                                  float* out) const
{
    const auto n = static_cast<int64_t>(positions.size());
    const int64_t headDim = m_params.headDim;
    std::vector<float> q(static_cast<size_t>(n * m_params.qDim()));   // (n, n_head, head_dim)
    std::vector<float> k(static_cast<size_t>(n * m_params.kvDim()));  // (n, n_head_kv, head_dim)
    std::vector<float> v(static_cast<size_t>(n * m_params.kvDim()));  // (n, n_head_kv, head_dim)
    multiply(layer.wq, layer.bq, normed, n, q.data());
    multiply(layer.wk, layer.bk, normed, n, k.data());
    multiply(layer.wv, layer.bv, normed, n, v.data());

    RopeConfig rope;
    rope.nRot = static_cast<int>(m_params.ropeDimensionCount);
    rope.mode = RopeMode::Normal;  // llama's converter permutes q/k rows to adjacent pairs
    rope.freqBase = m_params.ropeFreqBase;
    rope.freqScale = m_params.ropeFreqScale;
    rope.extFactor = m_params.ropeExtFactor;
    rope.attnFactor = m_params.ropeAttnFactor;
    rope.betaFast = m_params.ropeBetaFast;
    rope.betaSlow = m_params.ropeBetaSlow;
    rope.nCtxOrig = static_cast<int>(m_params.ropeOriginalContext);
    rope.freqFactors = m_ropeFreqs.empty() ? nullptr : m_ropeFreqs.data();
    applyRope(q.data(), n, m_params.headCount, headDim, positions.data(), rope);
    applyRope(k.data(), n, m_params.headCountKv, headDim, positions.data(), rope);

    layer.kCache.insert(layer.kCache.end(), k.begin(), k.end());
    layer.vCache.insert(layer.vCache.end(), v.begin(), v.end());
    const auto nKv = static_cast<int64_t>(layer.kCache.size() / m_params.kvDim());

    AttentionConfig config;
    config.nHead = m_params.headCount;
    config.nHeadKv = m_params.headCountKv;
    config.headDimK = headDim;
    config.headDimV = headDim;
    config.scale = m_params.attentionScale != 0.0f ? m_params.attentionScale
                                                   : 1.0f / std::sqrt(static_cast<float>(headDim));
    std::vector<float> attended(q.size());  // (n, n_head, head_dim)
    attention(q.data(), layer.kCache.data(), layer.vCache.data(), n, nKv, positions.data(), nullptr, nullptr,
              config, attended.data());
    multiply(layer.wo, layer.bo, attended.data(), n, out);
}

void LlamaReference::runFeedForward(const Layer& layer, const float* normed, int64_t nTokens, float* out) const
{
    const auto hidden = static_cast<size_t>(nTokens * m_params.feedForwardLength);
    std::vector<float> gate(hidden), up(hidden);  // (n, n_ff)
    multiply(layer.ffnGate, layer.bGate, normed, nTokens, gate.data());
    multiply(layer.ffnUp, layer.bUp, normed, nTokens, up.data());
    swiglu(gate.data(), up.data(), gate.data(), static_cast<int64_t>(hidden));
    multiply(layer.ffnDown, layer.bDown, gate.data(), nTokens, out);
}

Result<std::vector<float>> LlamaReference::evaluate(std::span<const int32_t> tokens, bool allLogits)
{
    if (tokens.empty())
        return Status::failure("evaluate: no tokens");
    for (const int32_t id : tokens) {
        if (id < 0 || static_cast<uint32_t>(id) >= m_params.vocabSize)
            return Status::failure("evaluate: token id " + std::to_string(id) + " is outside the vocabulary (" +
                                   std::to_string(m_params.vocabSize) + " tokens)");
    }
    const auto n = static_cast<int64_t>(tokens.size());
    const int64_t nEmbd = m_params.embeddingLength;
    std::vector<int32_t> positions(tokens.size());  // (n)
    std::iota(positions.begin(), positions.end(), m_position);

    std::vector<float> x(static_cast<size_t>(n * nEmbd));  // (n, n_embd): the residual stream
    getRows(m_tokenEmbedding.type, m_tokenEmbedding.data, nEmbd, tokens.data(), n, x.data());
    std::vector<float> normed(x.size()), branch(x.size());  // (n, n_embd)
    for (Layer& layer : m_layers) {
        rmsNorm(x.data(), layer.attnNorm.data(), normed.data(), n, nEmbd, m_params.rmsEpsilon);
        runAttention(layer, normed.data(), positions, branch.data());
        add(x.data(), branch.data(), x.data(), n * nEmbd);

        rmsNorm(x.data(), layer.ffnNorm.data(), normed.data(), n, nEmbd, m_params.rmsEpsilon);
        runFeedForward(layer, normed.data(), n, branch.data());
        add(x.data(), branch.data(), x.data(), n * nEmbd);
    }
    m_position += static_cast<int32_t>(n);

    const int64_t first = allLogits ? 0 : n - 1;  // rows whose logits are wanted
    const int64_t rows = n - first;
    rmsNorm(x.data() + first * nEmbd, m_outputNorm.data(), normed.data(), rows, nEmbd, m_params.rmsEpsilon);
    std::vector<float> logits(static_cast<size_t>(rows) * m_params.vocabSize);  // (rows, n_vocab)
    matmul(m_output.type, m_output.data, m_output.rows, m_output.cols, normed.data(), rows, logits.data());
    return logits;
}

}  // namespace vela::ref
