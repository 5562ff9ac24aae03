// Builds the AST from tokens: Jinja's statement set (if/for/set/macro/call/filter/break/continue/raw) and its
// expression grammar with Jinja's operator precedence.
#pragma once

#include "chat/ast.h"
#include "chat/lexer.h"
#include "vela/status.h"

#include <string_view>

namespace vela::chat {

// Errors name the line and column: "template syntax error at line L, column C: …".
Result<NodeList> parseTemplate(std::string_view source);

}  // namespace vela::chat
