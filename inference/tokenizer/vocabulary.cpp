#include "tokenizer/vocabulary.h"

#include "tokenizer/bpe_tokenizer.h"
#include "vela/gguf.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace vela {

namespace {

constexpr std::string_view kSpace = " ";
constexpr std::string_view kEscapedSpace = "\xE2\x96\x81";  // U+2581 "▁", SentencePiece's space

Status failure(std::string message)
{
    return Status::failure("tokenizer metadata: " + std::move(message));
}

// `tokenizer.ggml.token_type` value → attribute bits; values llama.cpp does not know become UNDEFINED.
TokenAttrs attrsFromType(int64_t type)
{
    switch (static_cast<TokenType>(type)) {
    case TokenType::Normal: return kAttrNormal;
    case TokenType::Unknown: return kAttrUnknown;
    case TokenType::Control: return kAttrControl;
    case TokenType::UserDefined: return kAttrUserDefined;
    case TokenType::Unused: return kAttrUnused;
    case TokenType::Byte: return kAttrByte;
    default: return kAttrUndefined;
    }
}

// Texts llama.cpp treats as end of generation, whatever type the file gives them.
bool isEndOfGenerationText(std::string_view text)
{
    static constexpr std::array<std::string_view, 22> kTexts = {
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>", "[e~["};
    return std::find(kTexts.begin(), kTexts.end(), text) != kTexts.end();
}

// Which role a token text suggests when the file names no id for it (llama.cpp's text-based detection).
// Index: 0 EOT, 1 EOM, 2 FIM prefix, 3 FIM suffix, 4 FIM middle, 5 FIM pad, 6 FIM repo, 7 FIM file separator.
constexpr size_t kRoleCount = 8;
int roleOfText(std::string_view t)
{
    const auto in = [&](std::initializer_list<std::string_view> list) {
        return std::find(list.begin(), list.end(), t) != list.end();
    };
    if (in({"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>",
            "_<EOT>", "[EOT]", "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
            "<end_of_utterance>"}))
        return 0;
    if (t == "<|eom_id|>")
        return 1;
    if (in({"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>",
            "<PRE>", "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"}))
        return 2;
    if (in({"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81hole\xEF\xBD\x9C>",
            "<SUF>", "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"}))
        return 3;
    if (in({"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>",
            "<MID>", "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"}))
        return 4;
    if (in({"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}))
        return 5;
    if (in({"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}))
        return 6;
    if (t == "<|file_sep|>")
        return 7;
    return -1;
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to)
{
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    for (size_t hit; (hit = text.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
        out.append(text.substr(pos, hit - pos));
        out.append(to);
    }
    out.append(text.substr(pos));
    return out;
}

// "<0xNN>" → NN; nullopt for anything else (a hostile BYTE token must not crash the loader).
std::optional<uint8_t> parseByteToken(std::string_view text)
{
    if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>')
        return std::nullopt;
    int value = 0;
    for (char c : text.substr(3, 2)) {
        const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                          : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                          : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                                                                      : -1;
        if (digit < 0)
            return std::nullopt;
        value = value * 16 + digit;
    }
    return static_cast<uint8_t>(value);
}

Result<std::vector<std::string>> readStrings(const GgufFile& file, std::string_view key)
{
    const GgufValue* value = file.find(key);
    if (!value)
        return failure(std::string(key) + " is missing");
    if (!value->isArray() || value->elementType() != GgufValueType::String)
        return failure(std::string(key) + " must be an array of strings");
    std::vector<std::string> out;
    out.reserve(value->items().size());
    for (const GgufValue& item : value->items())
        out.emplace_back(item.asString().value_or(std::string_view()));
    return out;
}

// An optional numeric array that must have one entry per token.
Result<std::vector<double>> readNumbers(const GgufFile& file, std::string_view key, size_t count)
{
    const GgufValue* value = file.find(key);
    if (!value)
        return std::vector<double>();
    if (!value->isArray())
        return failure(std::string(key) + " must be an array of numbers");
    if (value->items().size() != count) {
        return failure(std::string(key) + " has " + std::to_string(value->items().size()) + " entries but " +
                       "tokenizer.ggml.tokens has " + std::to_string(count));
    }
    std::vector<double> out;
    out.reserve(count);
    for (const GgufValue& item : value->items()) {
        const std::optional<double> number = item.asFloat();
        if (!number)
            return failure(std::string(key) + " must be an array of numbers");
        out.push_back(*number);
    }
    return out;
}

// An optional boolean key; a present key of another type is an error.
Status readBool(const GgufFile& file, std::string_view key, bool& out)
{
    const GgufValue* value = file.find(key);
    if (!value)
        return {};
    if (!value->asBool())
        return failure(std::string(key) + " must be a bool");
    out = *value->asBool();
    return {};
}

}  // namespace

Vocabulary::~Vocabulary() = default;

Result<std::unique_ptr<Vocabulary>> Vocabulary::load(const GgufFile& file)
{
    std::unique_ptr<Vocabulary> vocab(new Vocabulary());
    Status status = vocab->readModel(file);
    if (status)
        status = vocab->readTokens(file);
    if (status)
        status = vocab->readSpecialIds(file);
    if (status)
        status = vocab->readFlags(file);
    if (!status)
        return status;
    // The same order as llama.cpp: each step sees the attributes the previous one set.
    vocab->detectSpecialTokens();
    vocab->markEndOfGeneration();
    vocab->buildSpecialCache();
    vocab->buildPieces();
    vocab->applyModelAttributes(file);
    return vocab;
}

// The tokenizer model and the defaults llama.cpp gives it; the names are checked before the (large) token
// arrays are read so an unsupported model fails fast.
Status Vocabulary::readModel(const GgufFile& file)
{
    const GgufValue* model = file.find("tokenizer.ggml.model");
    if (!model)
        return failure("tokenizer.ggml.model is missing (supported models: llama, gpt2)");
    if (!model->asString())
        return failure("tokenizer.ggml.model must be a string (supported models: llama, gpt2)");
    m_modelName = std::string(*model->asString());
    if (const GgufValue* pre = file.find("tokenizer.ggml.pre")) {
        if (!pre->asString())
            return failure("tokenizer.ggml.pre must be a string");
        m_preName = std::string(*pre->asString());
    }
    if (m_preName.empty())
        m_preName = "default";

    if (m_modelName == "llama") {
        m_kind = VocabKind::SentencePiece;
        m_special = {.bos = 1, .eos = 2, .unk = 0, .addBos = true, .addEos = false};
        m_addSpacePrefix = true;
        m_cleanSpaces = false;
    } else if (m_modelName == "gpt2") {
        m_kind = VocabKind::BytePairs;
        m_special = {.bos = 11, .eos = 11, .addBos = false, .addEos = false};  // addBos: see readTokens
        if (m_preName == "chatglm-bpe" || m_preName == "glm4")
            m_special.bos = kNoToken;
        m_addSpacePrefix = false;
    } else {
        return failure("unsupported tokenizer model '" + m_modelName +
                       "' (tokenizer.ggml.model); supported: llama (SentencePiece), gpt2 (byte-level BPE)");
    }
    return {};
}

Status Vocabulary::readTokens(const GgufFile& file)
{
    Result<std::vector<std::string>> texts = readStrings(file, "tokenizer.ggml.tokens");
    if (!texts)
        return texts.status();
    const size_t count = texts->size();
    if (count == 0 || count > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
        return failure("tokenizer.ggml.tokens has " + std::to_string(count) + " entries");
    Result<std::vector<double>> scores = readNumbers(file, "tokenizer.ggml.scores", count);
    if (!scores)
        return scores.status();
    Result<std::vector<double>> types = readNumbers(file, "tokenizer.ggml.token_type", count);
    if (!types)
        return types.status();

    m_tokens.resize(count);
    for (size_t i = 0; i < count; ++i) {
        Token& token = m_tokens[i];
        token.text = std::move((*texts)[i]);
        if (token.text.empty())  // as llama.cpp: an empty text could never be matched or looked up
            token.text = "[EMPTY_" + std::to_string(i) + "]";
        token.score = scores->empty() ? 0.0f : static_cast<float>((*scores)[i]);
        token.attrs = types->empty() ? kAttrNormal : attrsFromType(static_cast<int64_t>((*types)[i]));
        const auto [it, added] = m_ids.emplace(token.text, static_cast<TokenId>(i));
        if (!added) {
            return failure("tokenizer.ggml.tokens holds '" + token.text + "' twice (ids " +
                           std::to_string(it->second) + " and " + std::to_string(i) + ")");
        }
    }

    if (m_kind == VocabKind::BytePairs) {
        Result<std::vector<std::string>> merges = readStrings(file, "tokenizer.ggml.merges");
        if (!merges)
            return merges.status();
        std::vector<std::string> tokenTexts;
        tokenTexts.reserve(count);
        for (const Token& token : m_tokens)
            tokenTexts.push_back(token.text);
        Result<detail::BpeTokenizer> bpe = detail::BpeTokenizer::create(tokenTexts, *merges, m_preName);
        if (!bpe)
            return failure(bpe.message());
        m_bytePairs = std::make_unique<detail::BpeTokenizer>(std::move(bpe).value());
        m_cleanSpaces = m_bytePairs->cleanSpaces();
        m_special.addBos = m_bytePairs->preTokenizer().flags().addBos;  // until tokenizer.ggml.add_bos_token says
    }
    return {};
}

// Special ids from the file. A missing key keeps the model's default (dropped when out of range, as
// llama.cpp does); 0xFFFFFFFF or a negative value also means "none given". Any other id outside the
// vocabulary is an error for the ids tokenization uses; PAD and SEP only fall back to their default,
// since real models ship stale padding ids and llama.cpp loads them.
Status Vocabulary::readSpecialIds(const GgufFile& file)
{
    struct IdKey {
        std::string_view key;
        TokenId* id;
        bool strict;
    };
    const IdKey keys[] = {
        {"tokenizer.ggml.bos_token_id", &m_special.bos, true},
        {"tokenizer.ggml.eos_token_id", &m_special.eos, true},
        {"tokenizer.ggml.eot_token_id", &m_special.eot, true},
        {"tokenizer.ggml.eom_token_id", &m_eomId, true},
        {"tokenizer.ggml.unknown_token_id", &m_special.unk, true},
        {"tokenizer.ggml.seperator_token_id", &m_special.sep, false},
        {"tokenizer.ggml.padding_token_id", &m_special.pad, false},
        {"tokenizer.ggml.fim_pre_token_id", &m_fimIds[0], false},
        {"tokenizer.ggml.fim_suf_token_id", &m_fimIds[1], false},
        {"tokenizer.ggml.fim_mid_token_id", &m_fimIds[2], false},
        {"tokenizer.ggml.fim_pad_token_id", &m_fimIds[3], false},
        {"tokenizer.ggml.fim_rep_token_id", &m_fimIds[4], false},
        {"tokenizer.ggml.fim_sep_token_id", &m_fimIds[5], false},
        {"tokenizer.ggml.prefix_token_id", &m_fimIds[0], false},
        {"tokenizer.ggml.suffix_token_id", &m_fimIds[1], false},
        {"tokenizer.ggml.middle_token_id", &m_fimIds[2], false},
    };
    for (const IdKey& entry : keys) {
        if (!contains(*entry.id))
            *entry.id = kNoToken;
        const GgufValue* value = file.find(entry.key);
        if (!value)
            continue;
        const std::optional<int64_t> id = value->asInt();
        if (!id)
            return failure(std::string(entry.key) + " must be an integer");
        if (*id < 0 || *id >= 0xFFFFFFFF)
            continue;
        if (*id < size()) {
            *entry.id = static_cast<TokenId>(*id);
        } else if (entry.strict) {
            return failure(std::string(entry.key) + " = " + std::to_string(*id) + " is outside the vocabulary of " +
                           std::to_string(size()) + " tokens");
        }
    }
    return {};
}

Status Vocabulary::readFlags(const GgufFile& file)
{
    for (Status status : {readBool(file, "tokenizer.ggml.add_space_prefix", m_addSpacePrefix),
                          readBool(file, "tokenizer.ggml.add_bos_token", m_special.addBos),
                          readBool(file, "tokenizer.ggml.add_eos_token", m_special.addEos)}) {
        if (!status)
            return status;
    }
    if (m_special.addBos && m_special.bos == kNoToken)
        return failure("tokenizer.ggml.add_bos_token is true but there is no BOS token");
    if (m_special.addEos && m_special.eos == kNoToken)
        return failure("tokenizer.ggml.add_eos_token is true but there is no EOS token");
    return {};
}

TokenId Vocabulary::find(std::string_view text) const
{
    const auto it = m_ids.find(text);
    return it == m_ids.end() ? kNoToken : it->second;
}

TokenId Vocabulary::byteToken(uint8_t byte) const
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    const char name[6] = {'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
    const TokenId id = find(std::string_view(name, 6));
    if (id != kNoToken)
        return id;
    const char raw = static_cast<char>(byte);
    return find(std::string_view(&raw, 1));
}

void Vocabulary::addAttr(TokenId id, TokenAttrs attr, bool on)
{
    TokenAttrs& attrs = m_tokens[static_cast<size_t>(id)].attrs;
    attrs = on ? (attrs | attr) : (attrs & ~attr);
}

// Roles the file leaves unnamed are found by text, and such tokens become CONTROL. The walk goes over the
// text index in its hash order, like llama.cpp, so the same token wins when several texts qualify.
void Vocabulary::detectSpecialTokens()
{
    TokenId* roles[kRoleCount] = {&m_special.eot, &m_eomId,     &m_fimIds[0], &m_fimIds[1],
                                  &m_fimIds[2],   &m_fimIds[3], &m_fimIds[4], &m_fimIds[5]};
    for (const auto& [text, id] : m_ids) {
        const int role = roleOfText(text);
        if (role < 0 || *roles[role] != kNoToken)
            continue;
        *roles[role] = id;
        addAttr(id, kAttrControl, true);
    }
    // Control tokens named "unused" are placeholders.
    for (Token& token : m_tokens) {
        if ((token.attrs & kAttrControl) && token.text.find("unused") != std::string::npos)
            token.attrs |= kAttrUnused;
    }
}

void Vocabulary::markEndOfGeneration()
{
    for (TokenId id : {m_fimIds[3], m_fimIds[4], m_fimIds[5]}) {
        if (id != kNoToken)
            m_endOfGeneration.insert(id);
    }
    for (const auto& [text, id] : m_ids) {
        if (isEndOfGenerationText(text)) {
            m_endOfGeneration.insert(id);
            addAttr(id, kAttrControl, true);
        }
        // gpt-oss: llama.cpp always renders these as text.
        if (text == "<|channel|>" || text == "<|message|>" || text == "<|start|>" || text == "<|constrain|>")
            m_tokens[static_cast<size_t>(id)].attrs = kAttrUserDefined;
    }
    for (TokenId id : {m_special.eos, m_special.eot, m_eomId}) {
        if (id != kNoToken)
            m_endOfGeneration.insert(id);
    }
    // Harmony-style vocabularies end a turn with <|return|>/<|call|>; their <|end|> only closes a message.
    const auto present = [&](std::string_view text) {
        const TokenId id = find(text);
        return id != kNoToken && m_endOfGeneration.count(id) != 0;
    };
    const TokenId end = find("<|end|>");
    if (present("<|end|>") && ((present("<|return|>") && present("<|call|>")) ||
                               (present("<|calls|>") && present("<|flush|>")))) {
        m_endOfGeneration.erase(end);
        m_tokens[static_cast<size_t>(end)].attrs = kAttrUserDefined;
    }
    // Gemma 4 uses </s> as ordinary text.
    const TokenId closeS = find("</s>");
    if (present("<|tool_response>") && present("</s>")) {
        m_endOfGeneration.erase(closeS);
        m_tokens[static_cast<size_t>(closeS)].attrs = kAttrNormal;
    }
}

void Vocabulary::buildSpecialCache()
{
    for (TokenId id = 0; id < size(); ++id) {
        if (token(id).attrs & (kAttrControl | kAttrUserDefined | kAttrUnknown))
            m_specialCache.push_back(id);
    }
    // std::sort (not stable_sort) on purpose: with the same standard library, ties between tokens of equal
    // length end up in the same order as in llama.cpp, and that order decides overlapping matches.
    std::sort(m_specialCache.begin(), m_specialCache.end(),
              [&](TokenId a, TokenId b) { return token(a).text.size() > token(b).text.size(); });
}

std::string Vocabulary::renderPiece(TokenId id) const
{
    const Token& t = token(id);
    if (t.attrs & (kAttrUnknown | kAttrControl | kAttrUserDefined))
        return t.text;
    if (t.attrs & kAttrNormal) {
        if (m_kind == VocabKind::SentencePiece)
            return replaceAll(t.text, kEscapedSpace, kSpace);
        return detail::BpeTokenizer::decodeBytes(t.text);
    }
    if (t.attrs & kAttrByte) {
        if (const std::optional<uint8_t> byte = parseByteToken(t.text))
            return std::string(1, static_cast<char>(*byte));
        return t.text;
    }
    return {};  // UNUSED and UNDEFINED tokens stand for no text
}

void Vocabulary::buildPieces()
{
    m_pieces.reserve(m_tokens.size());
    for (TokenId id = 0; id < size(); ++id)
        m_pieces.push_back(renderPiece(id));
}

// llama.cpp sets strip attributes by model name because GGUF has no field for them. Phi-3's special
// tokens swallow the whitespace after them, except <unk>, <s> and <|endoftext|>.
void Vocabulary::applyModelAttributes(const GgufFile& file)
{
    std::string name(file.getString("general.name").value_or(""));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto setByText = [&](std::string_view text, TokenAttrs attr, bool on) {
        if (const TokenId id = find(text); id != kNoToken)
            addAttr(id, attr, on);
    };
    const bool jinaMask = m_preName.find("jina-v2-de") != std::string::npos ||
                          m_preName.find("jina-v2-es") != std::string::npos ||
                          m_preName.find("jina-v2-code") != std::string::npos;
    if (jinaMask) {
        setByText("<mask>", kAttrLstrip, true);
    } else if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (TokenId id : m_specialCache)
            addAttr(id, kAttrRstrip, true);
        setByText("</s>", kAttrRstrip, true);
        for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"})
            setByText(text, kAttrRstrip, false);
    }
}

}  // namespace vela
