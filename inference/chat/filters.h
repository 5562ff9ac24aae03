// Jinja's built-in filters (`x | name(args)`) and tests (`x is name(args)`) that chat templates use, with
// Hugging Face's tojson (json.dumps, ensure_ascii=False, no HTML escaping).
#pragma once

#include "chat/value.h"

#include <string>

namespace vela::chat {

// Throws TemplateError for an unknown filter or bad input.
Value applyFilter(const std::string& name, const Value& input, const CallArgs& args);
bool applyTest(const std::string& name, const Value& value, const CallArgs& args);
bool hasFilter(const std::string& name);
bool hasTest(const std::string& name);

}  // namespace vela::chat
