// Splitting text at special tokens before the model's tokenizer sees it, as llama.cpp's
// tokenizer_st_partition (src/llama-vocab.cpp): the special-token cache is tried longest text first, each
// token splitting every raw fragment left by the ones before it. USER_DEFINED tokens always match;
// CONTROL and UNKNOWN tokens only when the caller parses special tokens. A token with the LSTRIP (RSTRIP)
// attribute swallows the whitespace before (after) it.
#pragma once

#include "vela/tokenizer.h"

#include <string_view>
#include <vector>

namespace vela {
class Vocabulary;
}

namespace vela::detail {

// Either a special token or a non-empty run of raw text (a view into the partitioned string).
struct Fragment {
    TokenId token = kNoToken;  // kNoToken for raw text
    std::string_view text;

    bool isRawText() const { return token == kNoToken; }
};

// An empty text gives no fragments.
std::vector<Fragment> partitionSpecialTokens(const Vocabulary& vocab, std::string_view text, bool parseSpecial);

}  // namespace vela::detail
