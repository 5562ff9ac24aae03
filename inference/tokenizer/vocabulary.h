// The vocabulary behind a Tokenizer: every token's text, score and attributes, the special ids and the
// flags that steer tokenization, read from a GGUF's `tokenizer.ggml.*` metadata with the rules llama.cpp
// applies at load time (src/llama-vocab.cpp, llama_vocab::impl::load, commit 3f545bec):
//   - defaults per tokenizer model (SentencePiece adds BOS and a space prefix; BPE does neither);
//   - tokens whose text is a known end-of-generation marker become EOG, and CONTROL if they were not;
//   - lstrip/rstrip attributes that llama.cpp sets by model name (Phi-3);
//   - the special-token cache (CONTROL, USER_DEFINED and UNKNOWN tokens, longest text first) used to
//     split raw text before the model's tokenizer runs.
// Immutable after load(); safe to share between threads.
#pragma once

#include "vela/status.h"
#include "vela/tokenizer.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vela {

namespace detail {
class BpeTokenizer;
}

// llama.cpp's llama_token_attr bits. A token may carry several (EOG promotion adds CONTROL to NORMAL).
using TokenAttrs = uint32_t;
constexpr TokenAttrs kAttrUndefined = 0;
constexpr TokenAttrs kAttrUnknown = 1u << 0;
constexpr TokenAttrs kAttrUnused = 1u << 1;
constexpr TokenAttrs kAttrNormal = 1u << 2;
constexpr TokenAttrs kAttrControl = 1u << 3;
constexpr TokenAttrs kAttrUserDefined = 1u << 4;
constexpr TokenAttrs kAttrByte = 1u << 5;
constexpr TokenAttrs kAttrLstrip = 1u << 7;
constexpr TokenAttrs kAttrRstrip = 1u << 8;

enum class VocabKind { SentencePiece, BytePairs };

class Vocabulary {
public:
    struct Token {
        std::string text;
        float score = 0.0f;
        TokenAttrs attrs = kAttrNormal;
    };

    // Fails with a message naming the key for missing, mistyped or inconsistent metadata, and for an
    // unknown tokenizer model or pre-tokenizer (listing the supported ones).
    static Result<std::unique_ptr<Vocabulary>> load(const GgufFile& file);

    Vocabulary(const Vocabulary&) = delete;
    Vocabulary& operator=(const Vocabulary&) = delete;
    ~Vocabulary();

    VocabKind kind() const { return m_kind; }
    const std::string& modelName() const { return m_modelName; }
    const std::string& preName() const { return m_preName; }
    int32_t size() const { return static_cast<int32_t>(m_tokens.size()); }
    bool contains(TokenId id) const { return id >= 0 && id < size(); }
    // `id` must be in range.
    const Token& token(TokenId id) const { return m_tokens[static_cast<size_t>(id)]; }
    // The id whose text is exactly `text`, or kNoToken.
    TokenId find(std::string_view text) const;
    // SentencePiece byte fallback: the <0xNN> token of `byte` (or a token that is the byte itself).
    TokenId byteToken(uint8_t byte) const;

    const SpecialTokens& specialTokens() const { return m_special; }
    bool addSpacePrefix() const { return m_addSpacePrefix; }
    bool cleanSpaces() const { return m_cleanSpaces; }
    bool isEndOfGeneration(TokenId id) const { return m_endOfGeneration.count(id) != 0; }
    // CONTROL, USER_DEFINED and UNKNOWN tokens, longest text first: the order partitioning tries them in.
    const std::vector<TokenId>& specialTokenCache() const { return m_specialCache; }
    // llama_token_to_piece(id, special = true); `id` must be in range.
    const std::string& piece(TokenId id) const { return m_pieces[static_cast<size_t>(id)]; }
    // Set for BPE vocabularies only.
    const detail::BpeTokenizer* bytePairs() const { return m_bytePairs.get(); }

private:
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using TextIndex = std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>>;

    Vocabulary() = default;
    Status readModel(const GgufFile& file);
    Status readTokens(const GgufFile& file);
    Status readSpecialIds(const GgufFile& file);
    Status readFlags(const GgufFile& file);
    void detectSpecialTokens();
    void markEndOfGeneration();
    void buildSpecialCache();
    void buildPieces();
    void applyModelAttributes(const GgufFile& file);
    std::string renderPiece(TokenId id) const;
    void addAttr(TokenId id, TokenAttrs attr, bool on);

    VocabKind m_kind = VocabKind::SentencePiece;
    std::string m_modelName;
    std::string m_preName;
    std::vector<Token> m_tokens;
    TextIndex m_ids;
    SpecialTokens m_special;
    TokenId m_eomId = kNoToken;
    TokenId m_fimIds[6] = {kNoToken, kNoToken, kNoToken, kNoToken, kNoToken, kNoToken};
    bool m_addSpacePrefix = false;
    bool m_cleanSpaces = false;
    std::set<TokenId> m_endOfGeneration;
    std::vector<TokenId> m_specialCache;
    std::vector<std::string> m_pieces;
    std::unique_ptr<detail::BpeTokenizer> m_bytePairs;
};

}  // namespace vela
