// Python/Jinja semantics of the operations the interpreter applies to values: attribute and item access
// (as the sandboxed environment resolves them), iteration, slicing, arithmetic and comparison.
// All of them throw TemplateError with Python-like wording on failure.
#pragma once

#include "chat/value.h"

#include <string>
#include <string_view>
#include <vector>

namespace vela::chat {

// UTF-8 code points of `s`, each as its own string (Python iterates and indexes str by code point).
std::vector<std::string> codePoints(std::string_view s);
size_t codePointCount(std::string_view s);

// `obj.name`: a dict key, a method of str/dict, or undefined. Throws on an undefined `obj`.
Value getAttribute(const Value& obj, const std::string& name);
// `obj[key]`: a dict key, a list/str index (negative from the end), falling back to attributes.
Value getItem(const Value& obj, const Value& key);
// `obj[start:stop:step]` on a list or str (null Values = omitted).
Value getSlice(const Value& obj, const Value& start, const Value& stop, const Value& step);
// The items a for loop visits: list items, dict keys, str code points; undefined is empty.
std::vector<Value> iterate(const Value& v);

Value binaryOp(const std::string& op, const Value& l, const Value& r);
Value negate(const Value& v);
bool lessThan(const Value& l, const Value& r);
bool contains(const Value& container, const Value& item);

// "'x' is undefined", the message Jinja gives when an undefined value is used.
[[noreturn]] void throwUndefined(const Value& v);

// Methods bound to a str or dict value (`s.strip()`, `d.items()`); undefined when there is none.
Value boundMethod(const Value& obj, const std::string& name);

}  // namespace vela::chat
