#include "vela/model_info.h"

#include "vela/gguf.h"
#include "model/saturating.h"

#include <algorithm>
#include <map>

namespace vela {
namespace {

uint32_t archUInt(const GgufFile& file, const std::string& arch, std::string_view key)
{
    const std::optional<int64_t> v = file.getInt(arch + "." + std::string(key));
    return v && *v > 0 && *v <= UINT32_MAX ? static_cast<uint32_t>(*v) : 0;
}

double archFloat(const GgufFile& file, const std::string& arch, std::string_view key)
{
    return file.getFloat(arch + "." + std::string(key)).value_or(0.0);
}

// K plus V values per token over all layers. `head_count_kv` may be one number or one per layer (OpenELM).
// Hostile files can claim billions of layers: no allocation follows the claim and the sum saturates.
uint64_t kvValuesPerToken(const GgufFile& file, const ModelInfo& info)
{
    // DeepSeek's latent attention caches one row per token and reads its values out of it: no V cache.
    const bool latent = file.find(info.architecture + ".attention.key_length_mla") != nullptr;
    const uint64_t perHead = static_cast<uint64_t>(info.headDimK) + (latent ? 0 : info.headDimV);
    const GgufValue* value = file.find(info.architecture + ".attention.head_count_kv");
    if (value && value->isArray()) {
        uint64_t total = 0;
        const size_t layers = std::min<size_t>(info.blockCount, value->items().size());
        for (size_t i = 0; i < layers; ++i) {
            const auto heads = static_cast<uint64_t>(std::clamp<int64_t>(value->items()[i].asInt().value_or(0), 0, UINT32_MAX));
            total = saturatingAdd(total, saturatingMul(heads, perHead));
        }
        return total;
    }
    return saturatingMul(saturatingMul(info.blockCount, info.headCountKv), perHead);
}

void summarizeTensors(const GgufFile& file, ModelInfo& info)
{
    std::map<uint32_t, TensorTypeSummary> byType;
    for (const GgufTensorInfo& t : file.tensors()) {
        TensorTypeSummary& s = byType.try_emplace(static_cast<uint32_t>(t.type), TensorTypeSummary{t.type}).first->second;
        s.tensorCount += 1;
        s.elements += t.elementCount();
        s.bytes += t.byteSize;
        info.parameterCount += t.elementCount();
        info.weightBytes += t.byteSize;
    }
    for (const auto& [id, summary] : byType)
        info.tensorTypes.push_back(summary);
}

uint32_t vocabSizeOf(const GgufFile& file, const std::string& arch)
{
    if (const uint32_t n = archUInt(file, arch, "vocab_size"))
        return n;
    if (const GgufTensorInfo* embd = file.findTensor("token_embd.weight"); embd && embd->nDims >= 2)
        return static_cast<uint32_t>(embd->dims[1]);
    if (const GgufValue* tokens = file.find("tokenizer.ggml.tokens"); tokens && tokens->isArray())
        return static_cast<uint32_t>(tokens->items().size());
    return 0;
}

}  // namespace

ModelInfo describeModel(const GgufFile& file)
{
    ModelInfo info;
    info.architecture = file.architecture();
    info.name = std::string(file.getString("general.name").value_or(""));
    summarizeTensors(file, info);

    const std::string& arch = info.architecture;
    info.contextLength = archUInt(file, arch, "context_length");
    info.embeddingLength = archUInt(file, arch, "embedding_length");
    info.blockCount = archUInt(file, arch, "block_count");
    info.feedForwardLength = archUInt(file, arch, "feed_forward_length");
    info.headCount = archUInt(file, arch, "attention.head_count");
    info.headCountKv = archUInt(file, arch, "attention.head_count_kv");
    if (info.headCountKv == 0)
        info.headCountKv = info.headCount;  // llama.cpp's default: no GQA
    const uint32_t defaultHeadDim = info.headCount ? info.embeddingLength / info.headCount : 0;
    info.headDimK = archUInt(file, arch, "attention.key_length");
    info.headDimV = archUInt(file, arch, "attention.value_length");
    if (info.headDimK == 0)
        info.headDimK = defaultHeadDim;
    if (info.headDimV == 0)
        info.headDimV = defaultHeadDim;
    info.vocabSize = vocabSizeOf(file, arch);
    info.decodeWeightBytes = info.weightBytes;
    const GgufTensorInfo* embedding = file.findTensor("token_embd.weight");
    if (embedding && file.findTensor("output.weight") && embedding->dims[1] > 0)
        info.decodeWeightBytes -= embedding->byteSize - embedding->byteSize / embedding->dims[1];
    // A Mixture-of-Experts token reads only its k experts of each routed expert tensor (…_exps).
    const uint32_t experts = archUInt(file, arch, "expert_count");
    const uint32_t used = archUInt(file, arch, "expert_used_count");
    if (experts > 0 && used > 0 && used < experts) {
        for (const GgufTensorInfo& t : file.tensors()) {
            if (t.name.find("_exps.") != std::string::npos)
                info.decodeWeightBytes -= t.byteSize - t.byteSize / experts * used;
        }
    }
    info.kvValuesPerToken = kvValuesPerToken(file, info);

    info.tokenizerModel = std::string(file.getString("tokenizer.ggml.model").value_or(""));
    info.tokenizerPre = std::string(file.getString("tokenizer.ggml.pre").value_or(""));
    info.hasChatTemplate = file.getString("tokenizer.chat_template").has_value();

    info.ropeScalingType = std::string(file.getString(arch + ".rope.scaling.type").value_or("none"));
    info.ropeScalingFactor = archFloat(file, arch, "rope.scaling.factor");
    info.ropeOriginalContext = archUInt(file, arch, "rope.scaling.original_context_length");
    info.ropeFreqBase = archFloat(file, arch, "rope.freq_base");
    return info;
}

}  // namespace vela
