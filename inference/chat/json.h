// JSON text <-> chat::Value, keeping object key order (the order tojson must reproduce).
#pragma once

#include "chat/value.h"
#include "vela/status.h"

#include <optional>
#include <string>
#include <string_view>

namespace vela::chat {

// Parses JSON text; objects become ordered dicts, integers Int, other numbers Float.
Result<Value> parseJson(std::string_view text);

struct JsonFormat {
    std::optional<int> indent;             // Python json.dumps indent=
    std::string itemSeparator = ", ";      // with an indent Python uses ","
    std::string keySeparator = ": ";
    bool sortKeys = false;
};

// Python json.dumps(value, ensure_ascii=False, …). Throws TemplateError for values JSON cannot hold.
std::string toJson(const Value& value, const JsonFormat& format = {});

}  // namespace vela::chat
