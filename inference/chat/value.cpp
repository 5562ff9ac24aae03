// Python semantics for the template value: truthiness, str/repr, equality.
#include "chat/value.h"

#include <charconv>
#include <cmath>

namespace vela::chat {

const Value* ValueDict::find(std::string_view key) const
{
    for (const auto& [k, v] : items)
        if (k == key)
            return &v;
    return nullptr;
}

Value* ValueDict::find(std::string_view key)
{
    for (auto& [k, v] : items)
        if (k == key)
            return &v;
    return nullptr;
}

void ValueDict::set(std::string key, Value value)
{
    if (Value* existing = find(key))
        *existing = std::move(value);
    else
        items.emplace_back(std::move(key), std::move(value));
}

const Value* CallArgs::get(size_t index, std::string_view name) const
{
    if (index < positional.size())
        return &positional[index];
    for (const auto& [k, v] : named)
        if (k == name)
            return &v;
    return nullptr;
}

bool Value::truthy() const
{
    switch (kind()) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return asBool();
    case Kind::Int: return asInt() != 0;
    case Kind::Float: return asFloat() != 0.0;
    case Kind::String: return !asString().empty();
    case Kind::List: return !list().empty();
    case Kind::Dict: return !dict().items.empty();
    case Kind::Callable: return true;
    }
    return false;
}

std::string formatFloat(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d > 0 ? "inf" : "-inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, end);
    // Python switches to exponent notation from 1e16 on; below that an integral float gets ".0".
    if (s.find_first_of(".en") == std::string::npos) {
        if (std::fabs(d) >= 1e16) {
            std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
            s.assign(buf, r.ptr);
        } else {
            s += ".0";
        }
    }
    // Python writes exponents with at least two digits: 1e-05, 1e+16.
    size_t e = s.find('e');
    if (e != std::string::npos) {
        std::string mant = s.substr(0, e), exp = s.substr(e + 1);
        char sign = '+';
        if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) {
            sign = exp[0];
            exp.erase(0, 1);
        }
        if (exp.size() < 2)
            exp.insert(0, "0");
        s = mant + 'e' + sign + exp;
    }
    return s;
}

static std::string reprString(const std::string& s)
{
    const bool hasSingle = s.find('\'') != std::string::npos;
    const bool hasDouble = s.find('"') != std::string::npos;
    const char quote = hasSingle && !hasDouble ? '"' : '\'';
    std::string out(1, quote);
    for (unsigned char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c == quote) {
                out += '\\';
                out += char(c);
            } else if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += quote;
    return out;
}

std::string Value::str() const
{
    switch (kind()) {
    case Kind::Undefined: return {};
    case Kind::None: return "None";
    case Kind::Bool: return asBool() ? "True" : "False";
    case Kind::Int: return std::to_string(asInt());
    case Kind::Float: return formatFloat(asFloat());
    case Kind::String: return asString();
    default: return repr();
    }
}

std::string Value::repr() const
{
    switch (kind()) {
    case Kind::String: return reprString(asString());
    case Kind::List: {
        std::string out = "[";
        for (size_t i = 0; i < list().size(); ++i)
            out += (i ? ", " : "") + list()[i].repr();
        return out + "]";
    }
    case Kind::Dict: {
        if (dict().isNamespace)
            return "<Namespace>";
        std::string out = "{";
        bool first = true;
        for (const auto& [k, v] : dict().items) {
            out += (first ? "" : ", ") + reprString(k) + ": " + v.repr();
            first = false;
        }
        return out + "}";
    }
    case Kind::Callable: return "<function>";
    case Kind::Undefined: return "Undefined";
    default: return str();
    }
}

bool Value::equals(const Value& other) const
{
    if (isNumber() && other.isNumber()) {
        if (isFloat() || other.isFloat())
            return asFloat() == other.asFloat();
        return asInt() == other.asInt();
    }
    if (kind() != other.kind())
        return false;
    switch (kind()) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String: return asString() == other.asString();
    case Kind::List: {
        const ValueList &a = list(), &b = other.list();
        if (a.size() != b.size())
            return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (!a[i].equals(b[i]))
                return false;
        return true;
    }
    case Kind::Dict: {
        const ValueDict &a = dict(), &b = other.dict();
        // Namespaces compare by identity, as Python objects do (and may contain themselves).
        if (a.isNamespace || b.isNamespace)
            return &a == &b;
        if (a.items.size() != b.items.size())
            return false;
        for (const auto& [k, v] : a.items) {
            const Value* o = b.find(k);
            if (!o || !v.equals(*o))
                return false;
        }
        return true;
    }
    case Kind::Callable: return &function() == &other.function();
    default: return false;
    }
}

std::string Value::typeName() const
{
    switch (kind()) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return "list";
    case Kind::Dict: return dict().isNamespace ? "Namespace" : "dict";
    case Kind::Callable: return "function";
    }
    return "object";
}

}  // namespace vela::chat
