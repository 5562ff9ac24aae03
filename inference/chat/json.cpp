// A small order-preserving JSON reader and Python-json.dumps-compatible writer (ensure_ascii=False).
#include "chat/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vela::chat {
namespace {

class JsonReader {
public:
    explicit JsonReader(std::string_view text) : m_text(text) {}

    Value parseDocument()
    {
        Value v = parseValue();
        skipSpace();
        if (m_pos != m_text.size())
            fail("trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what)
    {
        throw TemplateError("JSON: " + what + " at offset " + std::to_string(m_pos));
    }
    void skipSpace()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' || m_text[m_pos] == '\r' ||
                                         m_text[m_pos] == '\t'))
            ++m_pos;
    }
    bool consume(std::string_view word)
    {
        if (m_text.substr(m_pos, word.size()) == word) {
            m_pos += word.size();
            return true;
        }
        return false;
    }

    Value parseValue()
    {
        if (++m_depth > 512)
            fail("nesting too deep");
        skipSpace();
        if (m_pos >= m_text.size())
            fail("unexpected end");
        Value v;
        char c = m_text[m_pos];
        if (c == '{')
            v = parseObject();
        else if (c == '[')
            v = parseArray();
        else if (c == '"')
            v = Value(parseString());
        else if (consume("true"))
            v = Value(true);
        else if (consume("false"))
            v = Value(false);
        else if (consume("null"))
            v = Value(nullptr);
        else
            v = parseNumber();
        --m_depth;
        return v;
    }

    Value parseObject()
    {
        ++m_pos;
        ValueDict dict;
        skipSpace();
        if (consume("}"))
            return Value(std::move(dict));
        while (true) {
            skipSpace();
            if (m_pos >= m_text.size() || m_text[m_pos] != '"')
                fail("expected a key");
            std::string key = parseString();
            skipSpace();
            if (!consume(":"))
                fail("expected ':'");
            dict.set(std::move(key), parseValue());
            skipSpace();
            if (consume("}"))
                return Value(std::move(dict));
            if (!consume(","))
                fail("expected ',' or '}'");
        }
    }

    Value parseArray()
    {
        ++m_pos;
        ValueList list;
        skipSpace();
        if (consume("]"))
            return Value(std::move(list));
        while (true) {
            list.push_back(parseValue());
            skipSpace();
            if (consume("]"))
                return Value(std::move(list));
            if (!consume(","))
                fail("expected ',' or ']'");
        }
    }

    static void appendUtf8(std::string& out, uint32_t cp)
    {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    uint32_t parseHex4()
    {
        if (m_pos + 4 > m_text.size())
            fail("short \\u escape");
        uint32_t cp = 0;
        auto [p, ec] = std::from_chars(m_text.data() + m_pos, m_text.data() + m_pos + 4, cp, 16);
        if (ec != std::errc() || p != m_text.data() + m_pos + 4)
            fail("bad \\u escape");
        m_pos += 4;
        return cp;
    }

    std::string parseString()
    {
        ++m_pos;
        std::string out;
        while (true) {
            if (m_pos >= m_text.size())
                fail("unterminated string");
            char c = m_text[m_pos++];
            if (c == '"')
                return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_pos >= m_text.size())
                fail("unterminated escape");
            char e = m_text[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                uint32_t cp = parseHex4();
                // A surrogate pair encodes one code point above the BMP.
                if (cp >= 0xD800 && cp < 0xDC00 && consume("\\u")) {
                    uint32_t low = parseHex4();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                appendUtf8(out, cp);
                break;
            }
            default: fail("bad escape");
            }
        }
    }

    Value parseNumber()
    {
        size_t start = m_pos;
        bool isFloat = false;
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == '.' || c == 'e' || c == 'E')
                isFloat = true;
            else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9')))
                break;
            ++m_pos;
        }
        std::string_view s = m_text.substr(start, m_pos - start);
        if (s.empty())
            fail("unexpected character");
        if (!isFloat) {
            int64_t i = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
            if (ec == std::errc() && p == s.data() + s.size())
                return Value(i);
        }
        double d = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (ec != std::errc() || p != s.data() + s.size())
            fail("bad number");
        return Value(d);
    }

    std::string_view m_text;
    size_t m_pos = 0;
    int m_depth = 0;
};

void writeString(std::string& out, const std::string& s)
{
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}

void writeValue(std::string& out, const Value& v, const JsonFormat& f, int level)
{
    auto newline = [&](int lvl) {
        if (f.indent) {
            out += '\n';
            out.append(size_t(*f.indent) * size_t(lvl), ' ');
        }
    };
    switch (v.kind()) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.asInt()); return;
    case Value::Kind::Float: {
        double d = v.asFloat();
        out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : formatFloat(d);
        return;
    }
    case Value::Kind::String: writeString(out, v.asString()); return;
    case Value::Kind::List: {
        const ValueList& l = v.list();
        if (l.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i)
                out += f.itemSeparator;
            newline(level + 1);
            writeValue(out, l[i], f, level + 1);
        }
        newline(level);
        out += ']';
        return;
    }
    case Value::Kind::Dict: {
        if (v.dict().isNamespace)
            throw TemplateError("Object of type Namespace is not JSON serializable");
        auto items = v.dict().items;
        if (items.empty()) {
            out += "{}";
            return;
        }
        if (f.sortKeys)
            std::stable_sort(items.begin(), items.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
        out += '{';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += f.itemSeparator;
            newline(level + 1);
            writeString(out, items[i].first);
            out += f.keySeparator;
            writeValue(out, items[i].second, f, level + 1);
        }
        newline(level);
        out += '}';
        return;
    }
    default: throw TemplateError("Object of type " + v.typeName() + " is not JSON serializable");
    }
}

}  // namespace

Result<Value> parseJson(std::string_view text)
{
    try {
        return JsonReader(text).parseDocument();
    } catch (const TemplateError& e) {
        return Status::failure(e.what());
    }
}

std::string toJson(const Value& value, const JsonFormat& format)
{
    std::string out;
    writeValue(out, value, format, 0);
    return out;
}

}  // namespace vela::chat
