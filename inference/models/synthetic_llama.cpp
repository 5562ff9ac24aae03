// `vela-cli synth`: a random-weight Llama written as llama.cpp's convert script writes one.
// Reference: llama.cpp convert_hf_to_gguf.py (LlamaModel), gguf-py/gguf/constants.py (MODEL_TENSORS[LLAMA],
// key names), src/llama-model.cpp (the llama tensor shapes it loads), include/llama.h (llama_ftype values).
#include "vela/synthetic_model.h"

#include "models/synthetic_weights.h"
#include "vela/gguf.h"
#include "vela/tokenizer.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace vela {
namespace {

constexpr float kWeightSigma = 0.02f;
constexpr uint32_t kSpecialTokens = 3;  // <unk>, <s>, </s>
constexpr uint32_t kMinimumBuiltInVocab = kSpecialTokens + 256;

// synth writes every type the engine runs.
const std::span<const GgmlType> kWeightTypes = supportedWeightTypes();

// `general.file_type` (llama_ftype) of a file whose matrices are all `type`: the "pure" or "_S" variant.
uint32_t llamaFileType(GgmlType type)
{
    switch (type) {
    case GgmlType::F32: return 0;
    case GgmlType::F16: return 1;
    case GgmlType::Q4_0: return 2;
    case GgmlType::Q4_1: return 3;
    case GgmlType::Q8_0: return 7;
    case GgmlType::Q5_0: return 8;
    case GgmlType::Q5_1: return 9;
    case GgmlType::Q2_K: return 10;
    case GgmlType::Q3_K: return 11;  // Q3_K_S
    case GgmlType::Q4_K: return 14;  // Q4_K_S
    case GgmlType::Q5_K: return 16;  // Q5_K_S
    case GgmlType::Q6_K: return 18;
    case GgmlType::BF16: return 32;
    default: return 0;
    }
}

std::string typeList(const std::vector<GgmlType>& types)
{
    std::string out;
    for (GgmlType t : types)
        out += (out.empty() ? "" : ", ") + std::string(ggmlTypeName(t));
    return out;
}

// Every matrix row has n_embd or (ffn_down) n_ff elements: both must be whole blocks.
Status checkRowLengths(const SyntheticLlamaSpec& spec)
{
    const uint32_t block = ggmlTypeInfo(spec.type).blockSize;
    const auto badRow = [&](uint32_t n) { return n % block != 0; };
    if (!badRow(spec.nEmbd) && !badRow(spec.nFf))
        return {};
    std::vector<GgmlType> working;
    for (GgmlType t : kWeightTypes) {
        const uint32_t b = ggmlTypeInfo(t).blockSize;
        if (spec.nEmbd % b == 0 && spec.nFf % b == 0)
            working.push_back(t);
    }
    const std::string what = badRow(spec.nEmbd) ? "n_embd " + std::to_string(spec.nEmbd)
                                                : "n_ff " + std::to_string(spec.nFf);
    return Status::failure(what + " is not a multiple of the " + std::string(ggmlTypeName(spec.type)) +
                           " block size " + std::to_string(block) + " (matrix rows must be whole blocks): use " +
                           "n_embd and n_ff that are multiples of " + std::to_string(block) +
                           ", or one of the types that fit these sizes: " + typeList(working));
}

struct PlannedTensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> dims;  // ne[0] first
    float mean;                  // 1 for norm weights, 0 for matrices
};

std::vector<PlannedTensor> planTensors(const SyntheticLlamaSpec& spec)
{
    const uint64_t e = spec.nEmbd;
    const uint64_t kv = uint64_t{spec.nHeadKv} * (spec.nEmbd / spec.nHead);  // n_embd_k_gqa = n_embd_v_gqa
    const GgmlType t = spec.type;
    std::vector<PlannedTensor> plan;
    plan.push_back({"token_embd.weight", t, {e, spec.nVocab}, 0});
    for (uint32_t layer = 0; layer < spec.nLayer; ++layer) {
        const std::string blk = "blk." + std::to_string(layer) + ".";
        plan.push_back({blk + "attn_norm.weight", GgmlType::F32, {e}, 1});
        plan.push_back({blk + "attn_q.weight", t, {e, e}, 0});
        plan.push_back({blk + "attn_k.weight", t, {e, kv}, 0});
        plan.push_back({blk + "attn_v.weight", t, {e, kv}, 0});
        plan.push_back({blk + "attn_output.weight", t, {e, e}, 0});
        plan.push_back({blk + "ffn_norm.weight", GgmlType::F32, {e}, 1});
        plan.push_back({blk + "ffn_gate.weight", t, {e, spec.nFf}, 0});
        plan.push_back({blk + "ffn_up.weight", t, {e, spec.nFf}, 0});
        plan.push_back({blk + "ffn_down.weight", t, {spec.nFf, e}, 0});
    }
    plan.push_back({"output_norm.weight", GgmlType::F32, {e}, 1});
    plan.push_back({"output.weight", t, {e, spec.nVocab}, 0});
    return plan;
}

// The printable pieces after the byte tokens: "▁", the printable ASCII characters, then lower-case words of
// growing length, each also with a leading "▁" (SentencePiece's space), so text tokenizes into pieces longer
// than one byte and merges are exercised.
void appendBuiltInPieces(std::vector<std::string>& tokens, uint32_t nVocab)
{
    static const std::string kSpace = "\xE2\x96\x81";  // ▁ U+2581
    const auto full = [&] { return tokens.size() >= nVocab; };
    if (!full())
        tokens.push_back(kSpace);
    for (char c = '!'; c <= '~' && !full(); ++c)
        tokens.push_back(std::string(1, c));
    for (uint32_t length = 1; !full(); ++length) {
        std::string word(length, 'a');
        while (!full()) {
            if (length > 1)  // one-letter words are already among the characters
                tokens.push_back(word);
            if (!full())
                tokens.push_back(kSpace + word);
            // Next word of this length, as an odometer over 'a'…'z'; done when it wraps around.
            size_t k = length;
            while (k > 0 && word[k - 1] == 'z')
                word[--k] = 'a';
            if (k == 0)
                break;
            ++word[k - 1];
        }
    }
}

void setBuiltInVocabulary(GgufWriter& writer, uint32_t nVocab)
{
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<GgufValue> scores;
    std::vector<GgufValue> types;
    tokens.reserve(nVocab);
    for (int b = 0; b < 256; ++b) {
        static const char kHex[] = "0123456789ABCDEF";
        tokens.push_back(std::string("<0x") + kHex[b >> 4] + kHex[b & 0xF] + ">");
    }
    appendBuiltInPieces(tokens, nVocab);
    for (uint32_t id = 0; id < nVocab; ++id) {
        // Normal pieces score by rank, so shorter (earlier) pieces merge first, as in a trained vocabulary.
        const bool normal = id >= kMinimumBuiltInVocab;
        scores.push_back(GgufValue::fromFloat(GgufValueType::Float32, normal ? -static_cast<double>(id) : 0.0));
        const TokenType type = id == 0                ? TokenType::Unknown
                               : id < kSpecialTokens ? TokenType::Control
                               : normal              ? TokenType::Normal
                                                     : TokenType::Byte;
        types.push_back(GgufValue::fromInt(GgufValueType::Int32, static_cast<int32_t>(type)));
    }
    writer.setString("tokenizer.ggml.model", "llama");
    writer.set("tokenizer.ggml.tokens", GgufValue::fromStrings(tokens));
    writer.set("tokenizer.ggml.scores", GgufValue::fromArray(GgufValueType::Float32, std::move(scores)));
    writer.set("tokenizer.ggml.token_type", GgufValue::fromArray(GgufValueType::Int32, std::move(types)));
    writer.setUInt32("tokenizer.ggml.bos_token_id", 1);
    writer.setUInt32("tokenizer.ggml.eos_token_id", 2);
    writer.setUInt32("tokenizer.ggml.unknown_token_id", 0);
    writer.setBool("tokenizer.ggml.add_bos_token", true);
    writer.setBool("tokenizer.ggml.add_eos_token", false);
}

Status copyVocabulary(GgufWriter& writer, const SyntheticLlamaSpec& spec)
{
    Result<GgufFile> source = GgufFile::open(spec.vocabPath);
    if (!source)
        return source.status();
    const GgufValue* tokens = source->find("tokenizer.ggml.tokens");
    if (!tokens || !tokens->isArray())
        return Status::failure("'" + spec.vocabPath + "' has no tokenizer.ggml.tokens array to copy");
    if (tokens->items().size() != spec.nVocab)
        return Status::failure("the vocabulary in '" + spec.vocabPath + "' has " +
                               std::to_string(tokens->items().size()) + " tokens, but n_vocab is " +
                               std::to_string(spec.nVocab) + " (make them equal)");
    for (const GgufKeyValue& kv : source->metadata()) {
        if (kv.key.starts_with("tokenizer."))
            writer.set(kv.key, kv.value);
    }
    return {};
}

void setModelMetadata(GgufWriter& writer, const SyntheticLlamaSpec& spec)
{
    writer.setString("general.architecture", "llama");
    writer.setString("general.name", spec.name);
    writer.setString("general.description", "random-weight synthetic model (vela-cli synth, seed " +
                                                std::to_string(spec.seed) + "), not a trained model");
    writer.setUInt32("llama.context_length", spec.contextLength);
    writer.setUInt32("llama.embedding_length", spec.nEmbd);
    writer.setUInt32("llama.block_count", spec.nLayer);
    writer.setUInt32("llama.feed_forward_length", spec.nFf);
    writer.setUInt32("llama.rope.dimension_count", spec.nEmbd / spec.nHead);
    writer.setUInt32("llama.attention.head_count", spec.nHead);
    writer.setUInt32("llama.attention.head_count_kv", spec.nHeadKv);
    writer.setFloat32("llama.rope.freq_base", 10000.0f);
    writer.setFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    writer.setUInt32("general.file_type", llamaFileType(spec.type));
    writer.setUInt32("llama.vocab_size", spec.nVocab);
}

}  // namespace

std::span<const GgmlType> syntheticWeightTypes()
{
    return kWeightTypes;
}

Status validateSyntheticLlama(const SyntheticLlamaSpec& spec)
{
    if (spec.architecture != "llama")
        return Status::failure("unsupported architecture '" + spec.architecture + "' for synth (supported: llama)");
    if (std::find(kWeightTypes.begin(), kWeightTypes.end(), spec.type) == kWeightTypes.end())
        return Status::failure("type " + std::string(ggmlTypeName(spec.type)) +
                               " is not supported for synth (supported: " +
                               typeList({kWeightTypes.begin(), kWeightTypes.end()}) + ")");
    const std::pair<const char*, uint32_t> sizes[] = {
        {"n_embd", spec.nEmbd}, {"n_layer", spec.nLayer}, {"n_head", spec.nHead}, {"n_head_kv", spec.nHeadKv},
        {"n_ff", spec.nFf},     {"n_vocab", spec.nVocab}, {"context length", spec.contextLength}};
    for (const auto& [what, value] : sizes) {
        if (value == 0)
            return Status::failure(std::string(what) + " must be at least 1");
    }
    if (spec.nEmbd % spec.nHead != 0)
        return Status::failure("n_embd " + std::to_string(spec.nEmbd) + " is not a multiple of n_head " +
                               std::to_string(spec.nHead) + " (the head size is n_embd / n_head)");
    if (spec.nHead % spec.nHeadKv != 0)
        return Status::failure("n_head " + std::to_string(spec.nHead) + " is not a multiple of n_head_kv " +
                               std::to_string(spec.nHeadKv) + " (each KV head serves a whole group of heads)");
    if ((spec.nEmbd / spec.nHead) % 2 != 0)
        return Status::failure("the head size n_embd / n_head = " + std::to_string(spec.nEmbd / spec.nHead) +
                               " must be even (RoPE rotates pairs of dimensions)");
    if (Status rows = checkRowLengths(spec); !rows)
        return rows;
    if (spec.vocabPath.empty() && spec.nVocab < kMinimumBuiltInVocab)
        return Status::failure("n_vocab " + std::to_string(spec.nVocab) + " is too small for the built-in "
                               "vocabulary (at least " + std::to_string(kMinimumBuiltInVocab) +
                               ": <unk>, <s>, </s> and 256 byte tokens); use a larger n_vocab or give a vocabulary file");
    return {};
}

Status writeSyntheticLlama(const SyntheticLlamaSpec& spec, const std::string& path)
{
    if (Status valid = validateSyntheticLlama(spec); !valid)
        return valid;
    GgufWriter writer;
    setModelMetadata(writer, spec);
    if (spec.vocabPath.empty())
        setBuiltInVocabulary(writer, spec.nVocab);
    else if (Status copied = copyVocabulary(writer, spec); !copied)
        return copied;
    writer.setUInt32("general.quantization_version", 2);

    const std::vector<PlannedTensor> plan = planTensors(spec);
    for (const PlannedTensor& t : plan) {
        if (Status declared = writer.declareTensor(t.name, t.type, t.dims); !declared)
            return declared;
    }
    // Each tensor draws from its own stream, so its data depends only on the seed and its position.
    const auto fill = [&](size_t index, std::span<uint8_t> bytes) {
        synth::Random random(spec.seed, index);
        return synth::fillRandom(plan[index].type, plan[index].mean, kWeightSigma, random, bytes);
    };
    return writer.writeFile(path, fill);
}

}  // namespace vela
