// Splits Jinja template source into tokens, applying the whitespace rules Hugging Face configures:
// trim_blocks, lstrip_blocks, `-`/`+` markers, comments dropped, {% raw %} kept literally, and one trailing
// newline of the source removed (keep_trailing_newline=False).
#pragma once

#include "vela/status.h"

#include <string>
#include <string_view>
#include <vector>

namespace vela::chat {

struct Token {
    enum class Kind { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, End };
    Kind kind;
    std::string text;  // text, name, operator, string value or number spelling
    int line = 1;
    int column = 1;
};

struct LexOptions {
    bool trimBlocks = true;
    bool lstripBlocks = true;
    bool keepTrailingNewline = false;
};

Result<std::vector<Token>> tokenize(std::string_view source, const LexOptions& options = {});

}  // namespace vela::chat
