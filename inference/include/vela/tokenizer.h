// Text ↔ token ids, built from a model's GGUF metadata alone (`tokenizer.ggml.*`), matching llama.cpp's
// tokenizer (src/llama-vocab.cpp) id for id:
//   - `tokenizer.ggml.model = llama`: SentencePiece BPE over scores, `▁` for space, byte fallback <0xNN>;
//   - `tokenizer.ggml.model = gpt2`: byte-level BPE over `tokenizer.ggml.merges`, after the pre-tokenizer
//     named by `tokenizer.ggml.pre` splits the text.
// A Tokenizer is immutable after construction and safe to use from several threads at once.
#pragma once

#include "vela/status.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vela {

class GgufFile;

using TokenId = int32_t;
constexpr TokenId kNoToken = -1;

// `tokenizer.ggml.token_type` values.
enum class TokenType : int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

struct SpecialTokens {
    TokenId bos = kNoToken;
    TokenId eos = kNoToken;
    TokenId eot = kNoToken;
    TokenId unk = kNoToken;
    TokenId pad = kNoToken;
    TokenId sep = kNoToken;
    bool addBos = false;
    bool addEos = false;
};

class Vocabulary;

class Tokenizer {
public:
    // Fails with a clear message for a missing or unknown tokenizer model or pre-tokenizer.
    static Result<Tokenizer> fromGguf(const GgufFile& file);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    // As llama_tokenize(text, addSpecial, parseSpecial): `addSpecial` adds BOS/EOS where the vocabulary asks
    // for them; `parseSpecial` lets control-token text (e.g. "<|im_start|>") become that token.
    std::vector<TokenId> tokenize(std::string_view text, bool addSpecial, bool parseSpecial) const;

    // The bytes a token stands for, as llama_token_to_piece(special = renderSpecial).
    std::string tokenToPiece(TokenId id, bool renderSpecial = true) const;
    // As llama_detokenize(ids, removeSpecial, unparseSpecial).
    std::string detokenize(std::span<const TokenId> ids, bool removeSpecial = false,
                           bool unparseSpecial = true) const;

    int32_t vocabSize() const;
    std::string_view modelName() const;         // "llama" or "gpt2"
    std::string_view preTokenizerName() const;  // "default", "llama-bpe", "qwen2", …
    const SpecialTokens& specialTokens() const;
    TokenType tokenType(TokenId id) const;
    std::string_view tokenText(TokenId id) const;  // the vocabulary's raw entry
    // End of generation: EOS, EOT and the tokens llama.cpp treats as such (<|im_end|>, <|eot_id|>, …).
    bool isEndOfGeneration(TokenId id) const;
    // Whether tokenization puts a space before the text (SentencePiece), so a decoder drops the first one.
    bool addsSpacePrefix() const;

private:
    explicit Tokenizer(std::unique_ptr<Vocabulary> vocab);
    std::unique_ptr<Vocabulary> m_vocab;
};

// `bytes` with every invalid UTF-8 sequence (RFC 3629: overlongs, surrogates, values past U+10FFFF, truncated
// or stray bytes) replaced by U+FFFD, one per maximal invalid prefix as the Unicode standard recommends.
// Valid input comes back unchanged.
std::string sanitizeUtf8(std::string_view bytes);

// Turns a stream of token ids into text without ever emitting half a UTF-8 character: bytes of an
// incomplete character are held until the rest arrives (or flush() gives them up as U+FFFD).
class StreamingDecoder {
public:
    explicit StreamingDecoder(const Tokenizer& tokenizer, bool renderSpecial = true);
    // The complete characters that became available with this token (possibly empty).
    std::string push(TokenId id);
    // Whatever is still pending, invalid bytes replaced by U+FFFD.
    std::string flush();

private:
    const Tokenizer* m_tokenizer;
    bool m_renderSpecial;
    bool m_atStart = true;
    std::string m_pending;
};

}  // namespace vela
