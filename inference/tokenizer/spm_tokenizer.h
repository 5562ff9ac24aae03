// SentencePiece BPE over token scores, the `tokenizer.ggml.model = llama` tokenizer, as llama.cpp's
// llm_tokenizer_spm_session (src/llama-vocab.cpp, originally from llama.cpp commit 074bea2e):
// the text is cut into UTF-8 characters, then the adjacent pair whose concatenation is the vocabulary
// token with the highest score is merged (leftmost first on ties) until no pair is a token. A final piece
// that is not a token falls back to its bytes' <0xNN> tokens.
#pragma once

#include "vela/tokenizer.h"

#include <string_view>
#include <vector>

namespace vela {
class Vocabulary;
}

namespace vela::detail {

// Appends the ids of `text`, in which spaces are already written as "▁" (U+2581).
void encodeSentencePiece(const Vocabulary& vocab, std::string_view text, std::vector<TokenId>& out);

}  // namespace vela::detail
