// Reads an mmproj GGUF's vision hyper-parameters and checks every tensor the encoder uses.
#include "models/clip_params.h"

#include <cmath>
#include <string>
#include <vector>

namespace vela::models {

namespace {

Result<uint32_t> requireCount(const GgufFile& file, const std::string& key)
{
    const std::optional<int64_t> v = file.getInt(key);
    if (!v || *v <= 0 || *v > (1 << 20))
        return Status::failure("missing or invalid key " + key);
    return static_cast<uint32_t>(*v);
}

Result<std::array<float, 3>> readTriple(const GgufFile& file, const std::string& key, float fallback)
{
    const GgufValue* value = file.find(key);
    if (!value)
        return std::array<float, 3>{fallback, fallback, fallback};
    std::array<float, 3> out{};
    if (!value->isArray() || value->items().size() != 3)
        return Status::failure(key + ": expected 3 numbers, found " + value->toDisplayString());
    for (size_t i = 0; i < 3; ++i) {
        const std::optional<double> v = value->items()[i].asFloat();
        if (!v || !std::isfinite(*v))
            return Status::failure(key + ": expected 3 numbers, found " + value->toDisplayString());
        out[i] = static_cast<float>(*v);
    }
    return out;
}

std::string shapeText(const std::vector<uint64_t>& dims)
{
    std::string text = "[";
    for (size_t i = 0; i < dims.size(); ++i)
        text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + "]";
}

Status checkTensor(const GgufFile& file, const std::string& name, const std::vector<uint64_t>& dims, bool f32)
{
    const GgufTensorInfo* t = file.findTensor(name);
    if (!t)
        return Status::failure("missing tensor " + name + " " + shapeText(dims));
    for (size_t i = 0; i < 4; ++i) {
        if (t->dims[i] != (i < dims.size() ? dims[i] : 1))
            return Status::failure("tensor " + name + " does not have the shape " + shapeText(dims));
    }
    if (f32 && t->type != GgmlType::F32)
        return Status::failure("tensor " + name + " must be F32");
    return {};
}

Status checkTensors(const GgufFile& file, const ClipParams& p)
{
    const uint64_t d = p.hidden, ff = p.feedForward, patch = p.patchSize;
    struct Expected {
        std::string name;
        std::vector<uint64_t> dims;
        bool f32;
    };
    std::vector<Expected> expected = {
        {"v.patch_embd.weight", {patch, patch, 3, d}, false},
        {"v.patch_embd.bias", {d}, true},
        {"v.position_embd.weight", {d, p.patches()}, false},
        {"v.post_ln.weight", {d}, true},
        {"v.post_ln.bias", {d}, true},
    };
    for (uint32_t b = 0; b < p.blocks; ++b) {
        const std::string blk = "v.blk." + std::to_string(b) + ".";
        for (const char* norm : {"ln1", "ln2"}) {
            expected.push_back({blk + norm + ".weight", {d}, true});
            expected.push_back({blk + norm + ".bias", {d}, true});
        }
        for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            expected.push_back({blk + m + ".weight", {d, d}, false});
            expected.push_back({blk + m + ".bias", {d}, true});
        }
        expected.push_back({blk + "ffn_up.weight", {d, ff}, false});
        expected.push_back({blk + "ffn_up.bias", {ff}, true});
        expected.push_back({blk + "ffn_down.weight", {ff, d}, false});
        expected.push_back({blk + "ffn_down.bias", {d}, true});
    }
    if (p.projector == VisionProjector::Gemma3) {
        expected.push_back({"mm.soft_emb_norm.weight", {d}, true});
        // Stored in HF's (vision, text) orientation: the text dimension is ne0.
        expected.push_back({"mm.input_projection.weight", {p.projectionDim, d}, false});
    } else {
        expected.push_back({"mm.0.weight", {d, p.projectionDim}, false});
        expected.push_back({"mm.0.bias", {p.projectionDim}, true});
    }
    for (const Expected& e : expected) {
        if (Status s = checkTensor(file, e.name, e.dims, e.f32); !s)
            return s;
    }
    return {};
}

}  // namespace

Result<ClipParams> readClipParams(const GgufFile& file)
{
    if (file.architecture() != "clip")
        return Status::failure("general.architecture is \"" + file.architecture() +
                               "\", not a vision projector (mmproj) file");
    // Older llama.cpp converters wrote the type under clip.vision.
    const std::string type = std::string(
        file.getString("clip.projector_type").value_or(file.getString("clip.vision.projector_type").value_or("")));
    ClipParams p;
    if (type == "gemma3")
        p.projector = VisionProjector::Gemma3;
    else if (type == "paligemma")
        p.projector = VisionProjector::PaliGemma;
    else
        return Status::failure("vision projector type '" + (type.empty() ? std::string("(none)") : type) +
                               "' is not supported (supported: gemma3, paligemma)");
    if (!file.getBool("clip.has_vision_encoder").value_or(false))
        return Status::failure("the file has no vision encoder (clip.has_vision_encoder)");
    if (!file.getBool("clip.use_gelu").value_or(false))
        return Status::failure("only SigLIP towers with GELU are supported (clip.use_gelu is not set)");
    const std::pair<const char*, uint32_t*> counts[] = {
        {"clip.vision.image_size", &p.preprocessing.imageSize},
        {"clip.vision.patch_size", &p.patchSize},
        {"clip.vision.embedding_length", &p.hidden},
        {"clip.vision.feed_forward_length", &p.feedForward},
        {"clip.vision.block_count", &p.blocks},
        {"clip.vision.attention.head_count", &p.heads},
        {"clip.vision.projection_dim", &p.projectionDim},
    };
    for (const auto& [key, field] : counts) {
        Result<uint32_t> v = requireCount(file, key);
        if (!v)
            return v.status();
        *field = v.value();
    }
    p.eps = static_cast<float>(file.getFloat("clip.vision.attention.layer_norm_epsilon").value_or(1e-6));
    Result<std::array<float, 3>> mean = readTriple(file, "clip.vision.image_mean", 0.5f);
    Result<std::array<float, 3>> std = readTriple(file, "clip.vision.image_std", 0.5f);
    if (!mean)
        return mean.status();
    if (!std)
        return std.status();
    p.preprocessing = preprocessingFor(p.projector, p.preprocessing.imageSize, mean.value(), std.value());
    if (p.preprocessing.imageSize % p.patchSize != 0 || p.hidden % p.heads != 0 || p.headDim() > 256)
        return Status::failure("unsupported vision shape (image " + std::to_string(p.preprocessing.imageSize) +
                               ", patch " + std::to_string(p.patchSize) + ", " + std::to_string(p.hidden) +
                               " wide in " + std::to_string(p.heads) + " heads)");
    if (p.projector == VisionProjector::Gemma3) {
        p.poolKernel = static_cast<uint32_t>(file.getInt("clip.vision.projector.scale_factor").value_or(4));
        if (p.poolKernel == 0 || p.patchesPerSide() % p.poolKernel != 0)
            return Status::failure("clip.vision.projector.scale_factor " + std::to_string(p.poolKernel) +
                                   " does not divide the " + std::to_string(p.patchesPerSide()) + " patches a side");
    }
    if (Status s = checkTensors(file, p); !s)
        return s;
    return p;
}

}  // namespace vela::models
