#include "convert/paligemma_converter.h"

#include "convert/paligemma_config.h"
#include "convert/safetensors_checkpoint.h"
#include "convert/sentencepiece_model.h"

#include "vela/gguf.h"
#include "vela/half.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace vela {
namespace {

// llama.cpp's token types (gguf-py TokenType), the values of tokenizer.ggml.token_type.
enum class GgufTokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<GgufValue> scores;  // Float32
    std::vector<GgufValue> types;   // Int32
    uint32_t unknownId = 0;
};

GgufTokenType tokenTypeOf(SentencePieceType type)
{
    switch (type) {
    case SentencePieceType::Unknown: return GgufTokenType::Unknown;
    case SentencePieceType::Control: return GgufTokenType::Control;
    case SentencePieceType::Unused: return GgufTokenType::Unused;
    case SentencePieceType::Byte: return GgufTokenType::Byte;
    default: return GgufTokenType::Normal;  // llama.cpp's converter keeps USER_DEFINED pieces normal here
    }
}

// The SentencePiece pieces in id order, padded to the embedding's rows as llama.cpp pads ([PADi], unused),
// then tokenizer_config.json's added tokens: a normal (or padding) id becomes CONTROL when HF calls it special,
// USER_DEFINED otherwise (PALIGEMMA_GGUF.md, "Token types").
Result<Vocabulary> buildVocabulary(const SentencePieceModel& sp, const PaliGemmaConfig& config,
                                   const std::string& spPath)
{
    const uint32_t n = config.text.vocabSize;
    if (sp.pieces.size() > n)
        return Status::failure(spPath + " has " + std::to_string(sp.pieces.size()) +
                               " pieces, more than the model's vocab_size " + std::to_string(n));
    Vocabulary v;
    std::vector<GgufTokenType> types(n, GgufTokenType::Unused);
    std::vector<float> scores(n, -10000.0f);
    v.tokens.resize(n);
    for (uint32_t id = 0; id < n; ++id) {
        if (id < sp.pieces.size()) {
            v.tokens[id] = sp.pieces[id].piece;
            scores[id] = sp.pieces[id].score;
            types[id] = tokenTypeOf(sp.pieces[id].type);
        } else {
            v.tokens[id] = "[PAD" + std::to_string(id) + "]";
        }
    }
    for (const HfAddedToken& added : config.addedTokens) {
        // Ids past the embedding have no row (llama.cpp skips them too); SentencePiece's unknown, control, byte
        // and unused pieces keep their type. The text becomes HF's content, as in llama.cpp's converter.
        const bool padding = added.id >= sp.pieces.size();
        if (added.id >= n || (!padding && types[added.id] != GgufTokenType::Normal))
            continue;
        if (padding)
            scores[added.id] = 0.0f;
        v.tokens[added.id] = added.content;
        types[added.id] = added.special ? GgufTokenType::Control : GgufTokenType::UserDefined;
    }
    const auto unknown = std::find(types.begin(), types.end(), GgufTokenType::Unknown);
    if (unknown == types.end())
        return Status::failure(spPath + " has no unknown-token piece (<unk>)");
    v.unknownId = static_cast<uint32_t>(unknown - types.begin());
    for (uint32_t id = 0; id < n; ++id) {
        v.scores.push_back(GgufValue::fromFloat(GgufValueType::Float32, scores[id]));
        v.types.push_back(GgufValue::fromInt(GgufValueType::Int32, static_cast<int32_t>(types[id])));
    }
    const std::pair<const char*, uint32_t> specialIds[] = {
        {"bos", config.text.bosId}, {"eos", config.text.eosId}, {"pad", config.text.padId}};
    for (const auto& [what, id] : specialIds) {
        if (id >= n)
            return Status::failure(std::string("config.json: ") + what + "_token_id " + std::to_string(id) +
                                   " lies outside the vocabulary of " + std::to_string(n));
    }
    return v;
}

// One output tensor: where its values come from and how they are stored.
struct PlannedTensor {
    std::string name;                      // GGUF name
    SafetensorsCheckpoint::Entry source;
    std::vector<uint64_t> ne;              // ggml order: the HF shape reversed
    GgmlType type = GgmlType::F32;
    bool addOne = false;                   // Gemma RMSNorm: store 1 + w
};

// Maps the newer transformers naming (≥ 4.52) onto the released-checkpoint one the tables below use.
std::string canonicalName(const std::string& name)
{
    static const std::pair<std::string_view, std::string_view> kPrefixes[] = {
        {"model.language_model.", "language_model.model."},
        {"model.vision_tower.", "vision_tower."},
        {"model.multi_modal_projector.", "multi_modal_projector."},
        {"lm_head.", "language_model.lm_head."},
    };
    for (const auto& [from, to] : kPrefixes) {
        if (name.starts_with(from))
            return std::string(to) + name.substr(from.size());
    }
    return name;
}

// Tensors the layout drops: the tied output projection's copy, SigLIP's attention-pool head (PaliGemma reads
// the last hidden state), RoPE tables some exporters save.
bool isDropped(const std::string& canonical)
{
    return canonical == "language_model.lm_head.weight" || canonical.starts_with("vision_tower.vision_model.head.") ||
           canonical.ends_with("rotary_emb.inv_freq");
}

std::string shapeText(const std::vector<uint64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

class TensorPlanner {
public:
    TensorPlanner(const SafetensorsCheckpoint& checkpoint, GgmlType matrixType) : m_matrixType(matrixType)
    {
        for (const SafetensorsCheckpoint::Entry& e : checkpoint.entries())
            m_sources.emplace(canonicalName(e.tensor->name), e);
    }

    // `hfShape` in PyTorch order. Matrices take the chosen type unless `keepF32`.
    void add(std::vector<PlannedTensor>& out, std::string ggufName, const std::string& hfName,
             std::vector<uint64_t> hfShape, bool addOne = false, bool keepF32 = false)
    {
        if (!m_error.empty())
            return;
        const auto it = m_sources.find(hfName);
        if (it == m_sources.end()) {
            m_error = "the checkpoint has no tensor '" + hfName + "' (needed for " + ggufName + ")";
            return;
        }
        const SafetensorsTensor& t = *it->second.tensor;
        if (t.shape != hfShape) {
            m_error = it->second.file->path() + ": tensor '" + t.name + "' has shape " + shapeText(t.shape) +
                      ", but config.json implies " + shapeText(hfShape);
            return;
        }
        if (t.dtype != "F32" && t.dtype != "F16" && t.dtype != "BF16") {
            m_error = it->second.file->path() + ": tensor '" + t.name + "' has dtype " + t.dtype +
                      "; the converter reads " + std::string(SafetensorsFile::kFloatDtypes);
            return;
        }
        m_used.insert(hfName);
        std::reverse(hfShape.begin(), hfShape.end());
        const GgmlType type = hfShape.size() >= 2 && !keepF32 ? m_matrixType : GgmlType::F32;
        out.push_back({std::move(ggufName), it->second, std::move(hfShape), type, addOne});
    }

    // After every add(): the first problem, or a tensor of the checkpoint nothing took (another architecture).
    Status finish() const
    {
        if (!m_error.empty())
            return Status::failure(m_error);
        for (const auto& [name, entry] : m_sources) {
            if (!m_used.contains(name) && !isDropped(name))
                return Status::failure(entry.file->path() + ": unexpected tensor '" + entry.tensor->name +
                                       "' (not part of a PaliGemma 1 checkpoint)");
        }
        return {};
    }

private:
    GgmlType m_matrixType;
    std::map<std::string, SafetensorsCheckpoint::Entry> m_sources;  // by canonical name
    std::set<std::string> m_used;
    std::string m_error;
};

// PALIGEMMA_GGUF.md §1, in the reference converter's order.
void planText(TensorPlanner& p, const PaliGemmaTextConfig& c, std::vector<PlannedTensor>& out)
{
    const uint64_t e = c.hiddenSize, q = uint64_t(c.headCount) * c.headDim, kv = uint64_t(c.kvHeadCount) * c.headDim;
    const uint64_t f = c.feedForwardLength;
    const std::string m = "language_model.model.";
    p.add(out, "token_embd.weight", m + "embed_tokens.weight", {c.vocabSize, e});
    p.add(out, "output_norm.weight", m + "norm.weight", {e}, true);
    for (uint32_t i = 0; i < c.layerCount; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".", l = m + "layers." + std::to_string(i) + ".";
        p.add(out, b + "attn_norm.weight", l + "input_layernorm.weight", {e}, true);
        p.add(out, b + "attn_q.weight", l + "self_attn.q_proj.weight", {q, e});
        p.add(out, b + "attn_k.weight", l + "self_attn.k_proj.weight", {kv, e});
        p.add(out, b + "attn_v.weight", l + "self_attn.v_proj.weight", {kv, e});
        p.add(out, b + "attn_output.weight", l + "self_attn.o_proj.weight", {e, q});
        p.add(out, b + "ffn_norm.weight", l + "post_attention_layernorm.weight", {e}, true);
        p.add(out, b + "ffn_gate.weight", l + "mlp.gate_proj.weight", {f, e});
        p.add(out, b + "ffn_up.weight", l + "mlp.up_proj.weight", {f, e});
        p.add(out, b + "ffn_down.weight", l + "mlp.down_proj.weight", {e, f});
    }
}

// PALIGEMMA_GGUF.md §2. The vision LayerNorms are stored as they are (no +1).
void planVision(TensorPlanner& p, const PaliGemmaConfig& config, std::vector<PlannedTensor>& out)
{
    const PaliGemmaVisionConfig& c = config.vision;
    const uint64_t d = c.hiddenSize, f = c.feedForwardLength, patch = c.patchSize;
    const std::string v = "vision_tower.vision_model.";
    p.add(out, "v.patch_embd.weight", v + "embeddings.patch_embedding.weight", {d, 3, patch, patch}, false, true);
    p.add(out, "v.patch_embd.bias", v + "embeddings.patch_embedding.bias", {d});
    p.add(out, "v.position_embd.weight", v + "embeddings.position_embedding.weight", {c.patchCount(), d}, false, true);
    for (uint32_t i = 0; i < c.layerCount; ++i) {
        const std::string b = "v.blk." + std::to_string(i) + ".", l = v + "encoder.layers." + std::to_string(i) + ".";
        const std::pair<const char*, const char*> norms[] = {{"ln1", "layer_norm1"}, {"ln2", "layer_norm2"}};
        for (const auto& [ours, theirs] : norms) {
            p.add(out, b + ours + ".weight", l + theirs + ".weight", {d});
            p.add(out, b + ours + ".bias", l + theirs + ".bias", {d});
        }
        const std::pair<const char*, const char*> attention[] = {
            {"attn_q", "q_proj"}, {"attn_k", "k_proj"}, {"attn_v", "v_proj"}, {"attn_out", "out_proj"}};
        for (const auto& [ours, theirs] : attention) {
            p.add(out, b + ours + ".weight", l + "self_attn." + theirs + ".weight", {d, d});
            p.add(out, b + ours + ".bias", l + "self_attn." + theirs + ".bias", {d});
        }
        p.add(out, b + "ffn_up.weight", l + "mlp.fc1.weight", {f, d});
        p.add(out, b + "ffn_up.bias", l + "mlp.fc1.bias", {f});
        p.add(out, b + "ffn_down.weight", l + "mlp.fc2.weight", {d, f});
        p.add(out, b + "ffn_down.bias", l + "mlp.fc2.bias", {d});
    }
    p.add(out, "v.post_ln.weight", v + "post_layernorm.weight", {d});
    p.add(out, "v.post_ln.bias", v + "post_layernorm.bias", {d});
    p.add(out, "mm.0.weight", "multi_modal_projector.linear.weight", {config.projectionDim, d});
    p.add(out, "mm.0.bias", "multi_modal_projector.linear.bias", {config.projectionDim});
}

// Converts one planned tensor into the writer's buffer, a chunk at a time (the embedding of a real checkpoint
// is 2 GB in float32; the chunk keeps the extra memory small).
Status fillTensor(const PlannedTensor& t, std::span<uint8_t> bytes)
{
    constexpr uint64_t kChunk = 1 << 20;
    const uint64_t count = t.source.tensor->elementCount();
    const size_t outBytes = t.type == GgmlType::F16 ? 2 : 4;
    std::vector<float> values(std::min(count, kChunk));
    for (uint64_t first = 0; first < count; first += kChunk) {
        const std::span<float> chunk(values.data(), std::min(kChunk, count - first));
        if (Status s = t.source.file->readFloat32(*t.source.tensor, first, chunk); !s)
            return s;
        for (float& x : chunk)
            x = t.addOne ? 1.0f + x : x;  // in float32, as llama.cpp's Gemma converter adds it
        uint8_t* at = bytes.data() + first * outBytes;
        if (t.type == GgmlType::F16) {
            for (size_t i = 0; i < chunk.size(); ++i) {
                const uint16_t h = fp32ToFp16(chunk[i]);
                std::memcpy(at + 2 * i, &h, 2);
            }
        } else {
            std::memcpy(at, chunk.data(), chunk.size_bytes());
        }
    }
    return {};
}

Status writeGguf(GgufWriter& writer, const std::vector<PlannedTensor>& plan, const std::string& path)
{
    for (const PlannedTensor& t : plan) {
        if (Status s = writer.declareTensor(t.name, t.type, t.ne); !s)
            return s;
    }
    return writer.writeFile(path,
                            [&](size_t index, std::span<uint8_t> bytes) { return fillTensor(plan[index], bytes); });
}

// general.file_type: llama.cpp's LLAMA_FTYPE (0 all F32, 1 mostly F16).
uint32_t fileType(GgmlType matrixType)
{
    return matrixType == GgmlType::F16 ? 1 : 0;
}

void setTextKeys(GgufWriter& w, const PaliGemmaConfig& config, const Vocabulary& vocab, const std::string& name,
                 const std::string& source, GgmlType matrixType)
{
    const PaliGemmaTextConfig& c = config.text;
    w.setString("general.architecture", "gemma");
    w.setString("general.name", name);
    w.setString("general.description", "PaliGemma text decoder, converted by vela-cli convert from " + source);
    w.setUInt32("general.file_type", fileType(matrixType));
    w.setUInt32("gemma.context_length", c.contextLength);
    w.setUInt32("gemma.embedding_length", c.hiddenSize);
    w.setUInt32("gemma.block_count", c.layerCount);
    w.setUInt32("gemma.feed_forward_length", c.feedForwardLength);
    w.setUInt32("gemma.attention.head_count", c.headCount);
    w.setUInt32("gemma.attention.head_count_kv", c.kvHeadCount);
    w.setUInt32("gemma.attention.key_length", c.headDim);
    w.setUInt32("gemma.attention.value_length", c.headDim);
    w.setFloat32("gemma.attention.layer_norm_rms_epsilon", static_cast<float>(c.rmsNormEps));
    w.setFloat32("gemma.rope.freq_base", static_cast<float>(c.ropeTheta));
    w.setString("tokenizer.ggml.model", "llama");
    w.setString("tokenizer.ggml.pre", "default");
    w.set("tokenizer.ggml.tokens", GgufValue::fromStrings(vocab.tokens));
    w.set("tokenizer.ggml.scores", GgufValue::fromArray(GgufValueType::Float32, vocab.scores));
    w.set("tokenizer.ggml.token_type", GgufValue::fromArray(GgufValueType::Int32, vocab.types));
    w.setUInt32("tokenizer.ggml.bos_token_id", c.bosId);
    w.setUInt32("tokenizer.ggml.eos_token_id", c.eosId);
    w.setUInt32("tokenizer.ggml.unknown_token_id", vocab.unknownId);
    w.setUInt32("tokenizer.ggml.padding_token_id", c.padId);
    w.setBool("tokenizer.ggml.add_bos_token", config.addBosToken);
    w.setBool("tokenizer.ggml.add_eos_token", config.addEosToken);
    w.setBool("tokenizer.ggml.add_space_prefix", false);  // Gemma adds no dummy-prefix space
}

GgufValue floatTriple(const std::array<float, 3>& values)
{
    std::vector<GgufValue> items;
    for (float v : values)
        items.push_back(GgufValue::fromFloat(GgufValueType::Float32, v));
    return GgufValue::fromArray(GgufValueType::Float32, std::move(items));
}

void setMmprojKeys(GgufWriter& w, const PaliGemmaConfig& config, const std::string& name, const std::string& source,
                   GgmlType matrixType)
{
    const PaliGemmaVisionConfig& c = config.vision;
    w.setString("general.architecture", "clip");
    w.setString("general.type", "mmproj");
    w.setString("general.name", name + " mmproj");
    w.setString("general.description",
                "SigLIP vision tower + PaliGemma linear projector, converted by vela-cli convert from " + source);
    w.setUInt32("general.file_type", fileType(matrixType));
    w.setString("clip.projector_type", "paligemma");
    w.setBool("clip.has_vision_encoder", true);
    w.setBool("clip.use_gelu", true);
    w.setUInt32("clip.vision.image_size", c.imageSize);
    w.setUInt32("clip.vision.patch_size", c.patchSize);
    w.setUInt32("clip.vision.embedding_length", c.hiddenSize);
    w.setUInt32("clip.vision.feed_forward_length", c.feedForwardLength);
    w.setUInt32("clip.vision.block_count", c.layerCount);
    w.setUInt32("clip.vision.attention.head_count", c.headCount);
    w.setFloat32("clip.vision.attention.layer_norm_epsilon", static_cast<float>(c.layerNormEps));
    w.setUInt32("clip.vision.projection_dim", config.projectionDim);
    w.set("clip.vision.image_mean", floatTriple(config.imageMean));
    w.set("clip.vision.image_std", floatTriple(config.imageStd));
}

}  // namespace

Result<PaliGemmaConversion> convertPaliGemma(const PaliGemmaConvertOptions& options)
{
    if (options.matrixType != GgmlType::F32 && options.matrixType != GgmlType::F16)
        return Status::failure("the converter writes F32 or F16 matrices, not " +
                               std::string(ggmlTypeName(options.matrixType)));
    const QString input = QDir::cleanPath(QString::fromStdString(options.inputFolder));
    const std::string source = QFileInfo(input).fileName().toStdString();
    const std::string name = options.name.empty() ? source : options.name;
    if (name.empty() || name.find('/') != std::string::npos)
        return Status::failure("'" + name + "' cannot name the output files (give --name)");

    Result<PaliGemmaConfig> config = PaliGemmaConfig::load(options.inputFolder);
    if (!config)
        return config.status();
    const std::string spPath = QDir(input).filePath("tokenizer.model").toStdString();
    Result<SentencePieceModel> sp = SentencePieceModel::load(spPath);
    if (!sp)
        return sp.status();
    Result<Vocabulary> vocab = buildVocabulary(*sp, *config, spPath);
    if (!vocab)
        return vocab.status();
    Result<SafetensorsCheckpoint> checkpoint = SafetensorsCheckpoint::open(options.inputFolder);
    if (!checkpoint)
        return checkpoint.status();
    TensorPlanner planner(*checkpoint, options.matrixType);
    std::vector<PlannedTensor> textPlan, mmprojPlan;
    planText(planner, config->text, textPlan);
    planVision(planner, *config, mmprojPlan);
    if (Status s = planner.finish(); !s)
        return s;

    const QDir outDir(QString::fromStdString(options.outputFolder));
    if (!outDir.mkpath("."))
        return Status::failure("cannot create the output folder " + options.outputFolder);
    PaliGemmaConversion result{outDir.filePath(QString::fromStdString(name + ".gguf")).toStdString(),
                               outDir.filePath(QString::fromStdString(name + "-mmproj.gguf")).toStdString(),
                               textPlan.size(), mmprojPlan.size()};
    GgufWriter text, mmproj;
    setTextKeys(text, *config, *vocab, name, source, options.matrixType);
    setMmprojKeys(mmproj, *config, name, source, options.matrixType);
    if (Status s = writeGguf(text, textPlan, result.textPath); !s)
        return s;
    if (Status s = writeGguf(mmproj, mmprojPlan, result.mmprojPath); !s) {
        QFile::remove(QString::fromStdString(result.textPath));  // never half a pair
        return s;
    }
    return result;
}

}  // namespace vela
