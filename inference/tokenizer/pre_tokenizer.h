// The pre-tokenizer of byte-level BPE vocabularies: splits text into words before BPE merges run, one
// regex list per `tokenizer.ggml.pre` value, as llama.cpp (commit 3f545bec) does in src/llama-vocab.cpp
// (llm_tokenizer_bpe, the pre-type switch in llama_vocab::impl::load) and src/unicode.cpp
// (unicode_regex_split).
//
// Each regex of a list splits every piece the previous regexes left: a match becomes a piece, and so does
// the text between two matches. A PreTokenizer is immutable after create() and safe to use from several
// threads at once.
#pragma once

#include "vela/status.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vela::detail {

// llama.cpp's per-pre-tokenizer settings (llama_vocab::impl::load).
struct PreTokenizerFlags {
    bool ignoreMerges = false;  // a word that is a whole token is taken as is, before any merge
    bool cleanSpaces = true;    // detokenize removes the space before punctuation (clean_up_tokenization_spaces)
    bool addBos = false;        // llama.cpp's default when the GGUF has no tokenizer.ggml.add_bos_token
    bool addSep = false;        // likewise for tokenizer.ggml.add_sep_token
};

class PreTokenizer {
public:
    // `name` is tokenizer.ggml.pre; empty means "default". Fails for an unknown name, listing the known ones.
    static Result<PreTokenizer> create(std::string_view name);
    // Every name create() accepts, sorted.
    static std::vector<std::string> supportedNames();

    PreTokenizer(PreTokenizer&&) noexcept;
    PreTokenizer& operator=(PreTokenizer&&) noexcept;
    ~PreTokenizer();

    // Splits raw UTF-8 text into words (raw UTF-8, not yet byte-encoded). Invalid UTF-8 bytes become U+FFFD,
    // one per byte, as llama.cpp does. Empty words are dropped; the words concatenate to the (repaired) text.
    std::vector<std::string> split(std::string_view text) const;

    const std::string& name() const { return m_name; }
    const PreTokenizerFlags& flags() const { return m_flags; }

private:
    struct Regex;
    PreTokenizer();

    std::string m_name;
    PreTokenizerFlags m_flags;
    std::vector<std::unique_ptr<Regex>> m_regexes;
};

}  // namespace vela::detail
