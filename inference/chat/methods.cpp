// The Python str and dict methods templates call (`content.strip()`, `message.get('x')`, `d.items()`).
// Lists have no safe methods: the immutable sandbox refuses `append` & co.
#include "chat/operations.h"

#include <cctype>

namespace vela::chat {
namespace {

bool isPySpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string stripChars(const std::string& s, const Value* chars, bool left, bool right)
{
    auto strip = [&](char c) {
        if (chars && chars->isString())
            return chars->asString().find(c) != std::string::npos;
        return isPySpace(c);
    };
    size_t b = 0, e = s.size();
    if (left)
        while (b < e && strip(s[b]))
            ++b;
    if (right)
        while (e > b && strip(s[e - 1]))
            --e;
    return s.substr(b, e - b);
}

std::string argString(const CallArgs& a, size_t i, const char* name, const char* method)
{
    const Value* v = a.get(i, name);
    if (!v || !v->isString())
        throw TemplateError(std::string(method) + "() argument must be str");
    return v->asString();
}

Value splitString(const std::string& s, const CallArgs& a)
{
    const Value* sep = a.get(0, "sep");
    const Value* maxV = a.get(1, "maxsplit");
    int64_t maxSplit = maxV && maxV->isNumber() ? maxV->asInt() : -1;
    ValueList out;
    if (!sep || sep->isNone()) {
        size_t i = 0;
        while (true) {
            while (i < s.size() && isPySpace(s[i]))
                ++i;
            if (i >= s.size())
                break;
            if (maxSplit >= 0 && int64_t(out.size()) == maxSplit) {
                size_t e = s.size();
                while (e > i && isPySpace(s[e - 1]))
                    --e;
                out.emplace_back(s.substr(i, e - i));
                break;
            }
            size_t j = i;
            while (j < s.size() && !isPySpace(s[j]))
                ++j;
            out.emplace_back(s.substr(i, j - i));
            i = j;
        }
        return Value(std::move(out));
    }
    if (!sep->isString() || sep->asString().empty())
        throw TemplateError("empty separator");
    const std::string& d = sep->asString();
    size_t start = 0;
    while (true) {
        size_t p = s.find(d, start);
        if (p == std::string::npos || (maxSplit >= 0 && int64_t(out.size()) == maxSplit)) {
            out.emplace_back(s.substr(start));
            break;
        }
        out.emplace_back(s.substr(start, p - start));
        start = p + d.size();
    }
    return Value(std::move(out));
}

bool affixMatch(const std::string& s, const Value& affix, bool prefix)
{
    auto one = [&](const Value& v) {
        if (!v.isString())
            throw TemplateError("startswith/endswith first arg must be str or a tuple of str");
        const std::string& a = v.asString();
        if (a.size() > s.size())
            return false;
        return prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
    };
    if (affix.isList()) {
        for (const Value& v : affix.list())
            if (one(v))
                return true;
        return false;
    }
    return one(affix);
}

std::string replaceAll(const std::string& s, const std::string& from, const std::string& to, int64_t count)
{
    std::string out;
    size_t pos = 0;
    int64_t done = 0;
    if (from.empty()) {
        // Python inserts `to` between every code point.
        std::vector<std::string> cps = codePoints(s);
        for (const std::string& cp : cps) {
            if (count < 0 || done++ < count)
                out += to;
            out += cp;
        }
        if (count < 0 || done < count)
            out += to;
        return out;
    }
    while (true) {
        size_t p = s.find(from, pos);
        if (p == std::string::npos || (count >= 0 && done >= count))
            break;
        out.append(s, pos, p - pos);
        out += to;
        pos = p + from.size();
        ++done;
    }
    out.append(s, pos);
    return out;
}

std::string titleCase(const std::string& s)
{
    std::string out = s;
    bool prevCased = false;
    for (char& c : out) {
        unsigned char u = c;
        if (std::isalpha(u)) {
            c = char(prevCased ? std::tolower(u) : std::toupper(u));
            prevCased = true;
        } else {
            prevCased = u >= 0x80 && prevCased;
        }
    }
    return out;
}

Value stringMethod(const std::string& s, const std::string& name)
{
    auto fn = [](auto f) { return Value(Function(f)); };
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        bool left = name != "rstrip", right = name != "lstrip";
        return fn([s, left, right](const CallArgs& a) { return Value(stripChars(s, a.get(0, "chars"), left, right)); });
    }
    if (name == "split")
        return fn([s](const CallArgs& a) { return splitString(s, a); });
    if (name == "startswith" || name == "endswith") {
        bool prefix = name == "startswith";
        return fn([s, prefix](const CallArgs& a) {
            const Value* v = a.get(0, "prefix");
            if (!v)
                throw TemplateError("startswith/endswith takes at least 1 argument");
            return Value(affixMatch(s, *v, prefix));
        });
    }
    if (name == "upper" || name == "lower") {
        bool up = name == "upper";
        return fn([s, up](const CallArgs&) {
            std::string out = s;
            for (char& c : out)
                c = char(up ? std::toupper((unsigned char)c) : std::tolower((unsigned char)c));
            return Value(out);
        });
    }
    if (name == "title")
        return fn([s](const CallArgs&) { return Value(titleCase(s)); });
    if (name == "capitalize")
        return fn([s](const CallArgs&) {
            std::string out = s;
            for (size_t i = 0; i < out.size(); ++i)
                out[i] = char(i == 0 ? std::toupper((unsigned char)out[i]) : std::tolower((unsigned char)out[i]));
            return Value(out);
        });
    if (name == "replace")
        return fn([s](const CallArgs& a) {
            const Value* c = a.get(2, "count");
            return Value(replaceAll(s, argString(a, 0, "old", "replace"), argString(a, 1, "new", "replace"),
                                    c && c->isNumber() ? c->asInt() : -1));
        });
    if (name == "find" || name == "rfind" || name == "count" || name == "index") {
        return fn([s, name](const CallArgs& a) {
            std::string sub = argString(a, 0, "sub", name.c_str());
            if (name == "count") {
                int64_t n = 0;
                if (sub.empty())
                    return Value(int64_t(codePointCount(s) + 1));
                for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size()))
                    ++n;
                return Value(n);
            }
            size_t p = name == "rfind" ? s.rfind(sub) : s.find(sub);
            if (p == std::string::npos) {
                if (name == "index")
                    throw TemplateError("substring not found");
                return Value(int64_t(-1));
            }
            return Value(int64_t(codePointCount(std::string_view(s).substr(0, p))));
        });
    }
    if (name == "join")
        return fn([s](const CallArgs& a) {
            const Value* v = a.get(0, "iterable");
            std::string out;
            bool first = true;
            for (const Value& item : iterate(v ? *v : Value())) {
                if (!item.isString())
                    throw TemplateError("sequence item: expected str instance, " + item.typeName() + " found");
                out += (first ? "" : s) + item.asString();
                first = false;
            }
            return Value(out);
        });
    if (name == "isdigit" || name == "isalpha" || name == "isspace" || name == "isalnum")
        return fn([s, name](const CallArgs&) {
            if (s.empty())
                return Value(false);
            for (unsigned char c : s) {
                bool ok = name == "isdigit"   ? std::isdigit(c)
                          : name == "isalpha" ? std::isalpha(c)
                          : name == "isspace" ? isPySpace(char(c))
                                              : std::isalnum(c);
                if (!ok)
                    return Value(false);
            }
            return Value(true);
        });
    return Value::undefined();
}

Value dictMethod(const Value& obj, const std::string& name)
{
    auto fn = [](auto f) { return Value(Function(f)); };
    if (name == "get")
        return fn([obj](const CallArgs& a) {
            const Value* key = a.get(0, "key");
            const Value* dflt = a.get(1, "default");
            if (key && key->isString())
                if (const Value* v = obj.dict().find(key->asString()))
                    return *v;
            return dflt ? *dflt : Value(nullptr);
        });
    if (name == "items" || name == "keys" || name == "values")
        return fn([obj, name](const CallArgs&) {
            ValueList out;
            for (const auto& [k, v] : obj.dict().items) {
                if (name == "items")
                    out.emplace_back(ValueList{Value(k), v});
                else if (name == "keys")
                    out.emplace_back(k);
                else
                    out.push_back(v);
            }
            return Value(std::move(out));
        });
    return Value::undefined();
}

}  // namespace

Value boundMethod(const Value& obj, const std::string& name)
{
    if (obj.isString())
        return stringMethod(obj.asString(), name);
    if (obj.isDict())
        return dictMethod(obj, name);
    if (obj.isList() && (name == "append" || name == "pop" || name == "extend" || name == "insert" ||
                         name == "remove" || name == "clear" || name == "sort" || name == "reverse"))
        return Value(Function([name](const CallArgs&) -> Value {
            throw TemplateError("access to attribute '" + name + "' of 'list' object is unsafe.");
        }));
    return Value::undefined();
}

}  // namespace vela::chat
