#include "models/lora_adapter.h"

#include "vela/ggml_type.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string_view>

namespace vela::models {
namespace {

constexpr std::string_view kSuffixA = ".lora_a";
constexpr std::string_view kSuffixB = ".lora_b";

// The per-block matrices LlamaSession::matrix() projects with (keep in step with llama_model.cpp).
constexpr std::array<std::string_view, 16> kBlockMatrices = {
    "attn_q", "attn_k", "attn_v", "attn_output", "attn_qkv",  // attention (attn_qkv: Phi-3's fused projection)
    "attn_q_a", "attn_q_b", "attn_kv_a_mqa",                  // DeepSeek's low-rank attention (not attn_k_b/v_b: 3-D)
    "ffn_gate", "ffn_up", "ffn_down",                         // feed-forward
    "ffn_gate_inp",                                           // the Mixture-of-Experts router
    "ffn_gate_inp_shexp", "ffn_gate_shexp", "ffn_up_shexp", "ffn_down_shexp"};  // Qwen2-MoE's shared expert

std::string shapeOf(const GgufTensorInfo& t)
{
    std::string s = "[";
    for (uint32_t i = 0; i < std::max<uint32_t>(t.nDims, 1); ++i)
        s += (i ? ", " : "") + std::to_string(t.dims[i]);
    return s + "]";
}

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// general.type, adapter.type and the architecture.
Status checkHeader(const GgufFile& adapter, const GgufFile& model)
{
    const std::optional<std::string_view> type = adapter.getString("general.type");
    if (type != "adapter")
        return Status::failure(type ? "not a LoRA adapter: its general.type is '" + std::string(*type) + "', not 'adapter'"
                                    : "not a LoRA adapter: it has no general.type 'adapter' (is it a model?)");
    const std::optional<std::string_view> kind = adapter.getString("adapter.type");
    if (kind != "lora")
        return Status::failure("adapter.type is '" + std::string(kind.value_or("(none)")) +
                               "'; only LoRA adapters ('lora') are supported");
    if (adapter.architecture() != model.architecture())
        return Status::failure("the adapter is for architecture '" + adapter.architecture() + "', the model is '" +
                               model.architecture() + "'");
    const std::optional<double> alpha = adapter.getFloat("adapter.lora.alpha");
    if (alpha && !std::isfinite(*alpha))
        return Status::failure("adapter.lora.alpha is not a finite number");
    return {};
}

// The tensors grouped by the model tensor they adapt; a tensor of any other name is refused.
Result<std::map<std::string, std::pair<const GgufTensorInfo*, const GgufTensorInfo*>>> pairTensors(const GgufFile& adapter)
{
    std::map<std::string, std::pair<const GgufTensorInfo*, const GgufTensorInfo*>> pairs;
    for (const GgufTensorInfo& t : adapter.tensors()) {
        const bool isA = endsWith(t.name, kSuffixA);
        if (!isA && !endsWith(t.name, kSuffixB))
            return Status::failure("unexpected tensor '" + t.name + "' (an adapter holds only <tensor>.lora_a / .lora_b pairs)");
        auto& pair = pairs[t.name.substr(0, t.name.size() - kSuffixA.size())];
        (isA ? pair.first : pair.second) = &t;
    }
    for (const auto& [base, pair] : pairs) {
        if (!pair.first || !pair.second)
            return Status::failure("'" + base + std::string(pair.first ? kSuffixA : kSuffixB) + "' has no partner '" +
                                   base + std::string(pair.first ? kSuffixB : kSuffixA) + "'");
    }
    if (pairs.empty())
        return Status::failure("the adapter holds no LoRA tensors");
    return pairs;
}

Status checkType(const GgufTensorInfo& t)
{
    if (!isSupportedWeightType(t.type))
        return Status::failure("'" + t.name + "' is of type " + std::string(ggmlTypeName(t.type)) +
                               ", which Vela's kernels do not run");
    if (!ggmlRowBytes(t.type, t.dims[0]))
        return Status::failure("'" + t.name + "': rows of " + std::to_string(t.dims[0]) + " are not whole " +
                               std::string(ggmlTypeName(t.type)) + " blocks");
    return {};
}

// llama.cpp's checks of one pair (missing base tensor, A not transposed, wrong shape), plus what Vela can run.
Status checkPair(const std::string& base, const GgufTensorInfo& a, const GgufTensorInfo& b, const GgufFile& model)
{
    const GgufTensorInfo* w = model.findTensor(base);
    if (!w)
        return Status::failure("'" + base + "' is not a tensor of the model (an adapter made for another model?)");
    if (!isLoraAdaptable(base))
        return Status::failure("adapting '" + base + "' is not supported: only the 2-D projections (attention, " +
                               "feed-forward, shared expert, router, output) can be adapted, not the token " +
                               "embedding, norms or expert stacks");
    if (a.nDims != 2 || b.nDims != 2)
        return Status::failure("'" + (a.nDims != 2 ? a.name : b.name) + "' is not 2-D");
    if (a.dims[1] != b.dims[0])
        return Status::failure("lora_a is not transposed: '" + a.name + "' is " + shapeOf(a) + " and '" + b.name +
                               "' is " + shapeOf(b) + "; lora_a's second dimension must equal lora_b's first (the rank)");
    if (a.dims[0] != w->dims[0] || b.dims[1] != w->dims[1])
        return Status::failure("wrong shape for '" + base + "' " + shapeOf(*w) + ": lora_a is " + shapeOf(a) +
                               " and lora_b " + shapeOf(b) + ", expected [" + std::to_string(w->dims[0]) +
                               ", rank] and [rank, " + std::to_string(w->dims[1]) + "] (an adapter for another model?)");
    if (a.dims[1] == 0 || a.dims[1] > UINT32_MAX || b.dims[1] > UINT32_MAX)
        return Status::failure("'" + a.name + "' has rank " + std::to_string(a.dims[1]));
    if (Status s = checkType(a); !s)
        return s;
    return checkType(b);
}

// Fills `adapter`'s alpha, pairs and size from its file.
Status checkAdapter(LoraAdapterFile& adapter, const GgufFile& model)
{
    const GgufFile& file = adapter.file;
    if (Status s = checkHeader(file, model); !s)
        return s;
    auto grouped = pairTensors(file);
    if (!grouped)
        return grouped.status();
    adapter.alpha = static_cast<float>(file.getFloat("adapter.lora.alpha").value_or(0.0));
    for (const auto& [base, pair] : *grouped) {
        if (Status s = checkPair(base, *pair.first, *pair.second, model); !s)
            return s;
        adapter.pairs.push_back({base, pair.first->name, pair.second->name, static_cast<uint32_t>(pair.first->dims[1]),
                                 static_cast<uint32_t>(pair.second->dims[1])});
        adapter.tensorBytes += pair.first->byteSize + pair.second->byteSize;
    }
    return {};
}

}  // namespace

bool isLoraAdaptable(const std::string& name)
{
    if (name == "output.weight")
        return true;
    // "blk.<i>.<matrix>.weight"
    constexpr std::string_view kPrefix = "blk.", kWeight = ".weight";
    if (name.rfind(kPrefix, 0) != 0 || !endsWith(name, kWeight))
        return false;
    const size_t dot = name.find('.', kPrefix.size());
    if (dot == std::string::npos || dot == kPrefix.size())
        return false;
    const std::string_view matrix = std::string_view(name).substr(dot + 1, name.size() - dot - 1 - kWeight.size());
    for (std::string_view m : kBlockMatrices) {
        if (matrix == m)
            return true;
    }
    return false;
}

Result<LoraAdapterFile> openLoraAdapter(const std::string& path, const GgufFile& model)
{
    Result<GgufFile> file = GgufFile::open(path);
    if (!file)
        return file.status();  // GgufFile's messages name the file
    LoraAdapterFile adapter{std::move(file).value(), path};
    if (Status s = checkAdapter(adapter, model); !s)
        return Status::failure(path + ": " + s.message());
    return adapter;
}

Result<std::vector<LoraAdapterFile>> openLoraAdapters(const std::vector<LoraAdapter>& adapters, const GgufFile& model)
{
    std::vector<LoraAdapterFile> files;
    for (const LoraAdapter& a : adapters) {
        if (!std::isfinite(a.scale))
            return Status::failure(a.path + ": the scale must be a finite number");
        Result<LoraAdapterFile> file = openLoraAdapter(a.path, model);
        if (!file)
            return file.status();
        file->scale = a.scale;
        files.push_back(std::move(file).value());
    }
    return files;
}

}  // namespace vela::models
