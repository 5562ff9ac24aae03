#include "vela/tokenizer.h"

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/token_partition.h"
#include "tokenizer/vocabulary.h"

#include <exception>
#include <new>

namespace vela {

namespace {

constexpr std::string_view kEscapedSpace = "\xE2\x96\x81";  // "▁"

// SentencePiece's text form: `prefix` + `text` with every space written as "▁".
std::string escapeSpaces(std::string_view prefix, std::string_view text)
{
    std::string out;
    out.reserve(prefix.size() * 3 + text.size() + text.size() / 4);
    for (std::string_view part : {prefix, text}) {
        for (char c : part) {
            if (c == ' ')
                out.append(kEscapedSpace);
            else
                out.push_back(c);
        }
    }
    return out;
}

// The three passes of llama.cpp's clean_up_tokenization_spaces, each compacting `s` in place. They run
// one after the other on purpose: each reads the previous pass's result, including its quirks.
// " ?", " !", " .", " ," lose the space.
void removeSpaceBeforePunctuation(std::string& s)
{
    size_t out = s.empty() ? 0 : 1;
    for (size_t i = 1; i < s.size(); ++i) {
        const char c = s[i];
        if (s[i - 1] == ' ' && (c == '?' || c == '!' || c == '.' || c == ','))
            --out;
        s[out++] = c;
    }
    s.resize(out);
}

// " ' " becomes "'".
void removeSpacesAroundApostrophe(std::string& s)
{
    const size_t n = s.size();
    size_t out = n == 0 ? 0 : 1;
    for (size_t i = 1; i < n; ++i) {
        const char c = s[i];
        if (c == '\'' && i + 1 < n && s[i - 1] == ' ' && s[i + 1] == ' ') {
            --out;
            s[++i] = '\0';  // the space after is skipped; a NUL marks it for the next comparison
        }
        s[out++] = c;
    }
    s.resize(out);
}

// " 's", " 'm", " 're", " 've" lose the space; " 't", " 'd", " 'll" keep it.
void joinContractions(std::string& s)
{
    const size_t n = s.size();
    size_t out = n == 0 ? 0 : 1;
    for (size_t i = 1; i < n; ++i) {
        const char c = s[i];
        if (s[i - 1] == ' ' && c == '\'' && i + 1 < n) {
            const char c1 = s[i + 1];
            const char c2 = i + 2 < n ? s[i + 2] : '\0';
            if (c1 == 's' || c1 == 'm' || (c2 != '\0' && ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e'))))
                --out;
        }
        s[out++] = c;
    }
    s.resize(out);
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Vocabulary> vocab) : m_vocab(std::move(vocab)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Result<Tokenizer> Tokenizer::fromGguf(const GgufFile& file)
{
    try {
        Result<std::unique_ptr<Vocabulary>> vocab = Vocabulary::load(file);
        if (!vocab)
            return vocab.status();
        return Tokenizer(std::move(vocab).value());
    } catch (const std::bad_alloc&) {
        return Status::failure("tokenizer metadata: out of memory while loading the vocabulary");
    } catch (const std::exception& e) {
        return Status::failure(std::string("tokenizer metadata: ") + e.what());
    }
}

std::vector<TokenId> Tokenizer::tokenize(std::string_view text, bool addSpecial, bool parseSpecial) const
{
    const Vocabulary& vocab = *m_vocab;
    const SpecialTokens& special = vocab.specialTokens();
    std::vector<TokenId> out;
    out.reserve(text.size() / 3 + 2);
    if (addSpecial && special.addBos)
        out.push_back(special.bos);

    // SentencePiece puts a space before the text and after every special token (llama.cpp's
    // "is_prev_special", true at the start even without a BOS).
    bool afterSpecial = true;
    for (const detail::Fragment& fragment : detail::partitionSpecialTokens(vocab, text, parseSpecial)) {
        if (!fragment.isRawText()) {
            out.push_back(fragment.token);
            afterSpecial = true;
            continue;
        }
        if (vocab.kind() == VocabKind::BytePairs) {
            vocab.bytePairs()->encode(fragment.text, out);
        } else {
            const std::string_view prefix = vocab.addSpacePrefix() && afterSpecial ? " " : "";
            detail::encodeSentencePiece(vocab, escapeSpaces(prefix, fragment.text), out);
        }
        afterSpecial = false;
    }

    // A text that starts with the BOS text keeps both BOS tokens, as llama_tokenize does.
    if (addSpecial && special.addEos)
        out.push_back(special.eos);
    return out;
}

std::string Tokenizer::tokenToPiece(TokenId id, bool renderSpecial) const
{
    if (!m_vocab->contains(id))
        return {};
    if (!renderSpecial && (m_vocab->token(id).attrs & (kAttrUnknown | kAttrControl)))
        return {};
    return m_vocab->piece(id);
}

std::string Tokenizer::detokenize(std::span<const TokenId> ids, bool removeSpecial, bool unparseSpecial) const
{
    const SpecialTokens& special = m_vocab->specialTokens();
    bool removeSpace = m_vocab->addSpacePrefix();
    if (removeSpecial && special.addBos && !ids.empty() && ids.front() == special.bos) {
        removeSpace = false;
        ids = ids.subspan(1);
    }
    if (removeSpecial && special.addEos && !ids.empty() && ids.back() == special.eos)
        ids = ids.first(ids.size() - 1);

    std::string text;
    for (const TokenId id : ids) {
        const std::string piece = tokenToPiece(id, unparseSpecial);
        // Only the first token loses a leading space: the one tokenization added.
        const bool strip = removeSpace && !piece.empty() && piece.front() == ' ';
        text.append(piece, strip ? 1 : 0);
        removeSpace = false;
    }
    if (m_vocab->cleanSpaces()) {
        removeSpaceBeforePunctuation(text);
        removeSpacesAroundApostrophe(text);
        joinContractions(text);
    }
    return text;
}

int32_t Tokenizer::vocabSize() const
{
    return m_vocab->size();
}

std::string_view Tokenizer::modelName() const
{
    return m_vocab->modelName();
}

std::string_view Tokenizer::preTokenizerName() const
{
    return m_vocab->preName();
}

const SpecialTokens& Tokenizer::specialTokens() const
{
    return m_vocab->specialTokens();
}

// The effective type after llama.cpp's load-time promotions (an EOG text marked NORMAL reads as CONTROL).
TokenType Tokenizer::tokenType(TokenId id) const
{
    if (!m_vocab->contains(id))
        return TokenType::Undefined;
    const TokenAttrs attrs = m_vocab->token(id).attrs;
    if (attrs & kAttrControl)
        return TokenType::Control;
    if (attrs & kAttrUserDefined)
        return TokenType::UserDefined;
    if (attrs & kAttrUnknown)
        return TokenType::Unknown;
    if (attrs & kAttrByte)
        return TokenType::Byte;
    if (attrs & kAttrUnused)
        return TokenType::Unused;
    if (attrs & kAttrNormal)
        return TokenType::Normal;
    return TokenType::Undefined;
}

std::string_view Tokenizer::tokenText(TokenId id) const
{
    return m_vocab->contains(id) ? std::string_view(m_vocab->token(id).text) : std::string_view();
}

bool Tokenizer::isEndOfGeneration(TokenId id) const
{
    return m_vocab->isEndOfGeneration(id);
}

bool Tokenizer::addsSpacePrefix() const
{
    return m_vocab->addSpacePrefix();
}

}  // namespace vela
