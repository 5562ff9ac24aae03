// Byte-level BPE, the `tokenizer.ggml.model = gpt2` tokenizer, matching llama.cpp id for id.
// Reference: llama.cpp (commit 3f545bec) src/llama-vocab.cpp, llm_tokenizer_bpe / llm_tokenizer_bpe_session,
// and OpenAI's GPT-2 encoder.py (bytes_to_unicode) for the byte ↔ code point mapping.
//
// A BpeTokenizer is immutable after create() and safe to use from several threads at once.
#pragma once

#include "pre_tokenizer.h"

#include "vela/status.h"
#include "vela/tokenizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vela::detail {

class BpeTokenizer {
public:
    // tokens: tokenizer.ggml.tokens (id = index); merges: tokenizer.ggml.merges ("left right", in priority
    // order); pre: tokenizer.ggml.pre (empty → "default"). Fails for an unknown pre-tokenizer name, listing
    // the supported ones.
    static Result<BpeTokenizer> create(const std::vector<std::string>& tokens, const std::vector<std::string>& merges,
                                       std::string_view pre);

    // Appends the ids of `fragment`, raw text that holds no special tokens: pre-tokenizer split, byte → code
    // point mapping, merges (whole-word lookup first where the pre-tokenizer asks for it, as llama.cpp's
    // ignore_merges), and per byte ids for a symbol that is still not in the vocabulary.
    void encode(std::string_view fragment, std::vector<TokenId>& out) const;

    // The raw bytes a token's text stands for: each code point of `tokenText` maps back through GPT-2's
    // byte encoder. Code points outside that table are kept as their UTF-8 bytes (as llama.cpp does for
    // added tokens written in plain text).
    static std::string decodeBytes(std::string_view tokenText);
    // The inverse: raw bytes → the vocabulary's code point form ("Ġ" for a space).
    static std::string encodeBytes(std::string_view bytes);

    // llama.cpp's per-pre-tokenizer flags that the outer layer needs.
    bool cleanSpaces() const { return m_pre.flags().cleanSpaces; }
    bool ignoreMerges() const { return m_pre.flags().ignoreMerges; }
    const PreTokenizer& preTokenizer() const { return m_pre; }

    // The id of a token text in code point form, or kNoToken.
    TokenId findToken(std::string_view text) const;

private:
    explicit BpeTokenizer(PreTokenizer pre) : m_pre(std::move(pre)) {}
    void encodeWord(std::string_view word, std::vector<TokenId>& out) const;
    int32_t mergeRank(std::string_view left, std::string_view right) const;

    PreTokenizer m_pre;
    std::unordered_map<std::string, TokenId> m_tokenIds;
    // "left right" → rank (lower merges first). Keyed by the joined string so a lookup needs one hash.
    std::unordered_map<std::string, int32_t> m_mergeRanks;
};

}  // namespace vela::detail
