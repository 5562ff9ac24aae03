// Value operations with Python semantics (see operations.h).
#include "chat/operations.h"

#include <cmath>

namespace vela::chat {

constexpr uint64_t kMaxRepeatBytes = 64ull << 20;

std::vector<std::string> codePoints(std::string_view s)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        n = std::min(n, s.size() - i);
        out.emplace_back(s.substr(i, n));
        i += n;
    }
    return out;
}

size_t codePointCount(std::string_view s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

void throwUndefined(const Value& v)
{
    if (v.undefinedName().empty())
        throw TemplateError("value is undefined");
    throw TemplateError("'" + v.undefinedName() + "' is undefined");
}

Value getAttribute(const Value& obj, const std::string& name)
{
    if (obj.isUndefined())
        throwUndefined(obj);
    if (obj.isDict()) {
        if (!obj.dict().isNamespace) {
            Value m = boundMethod(obj, name);
            if (!m.isUndefined())
                return m;
        }
        if (const Value* v = obj.dict().find(name))
            return *v;
        return Value::undefined(obj.typeName() + " object' has no attribute '" + name);
    }
    Value m = boundMethod(obj, name);
    if (!m.isUndefined())
        return m;
    return Value::undefined(obj.typeName() + " object' has no attribute '" + name);
}

static bool normalizeIndex(int64_t& i, size_t size)
{
    if (i < 0)
        i += int64_t(size);
    return i >= 0 && i < int64_t(size);
}

Value getItem(const Value& obj, const Value& key)
{
    if (obj.isUndefined())
        throwUndefined(obj);
    if (obj.isDict() && key.isString()) {
        if (const Value* v = obj.dict().find(key.asString()))
            return *v;
        return Value::undefined(obj.typeName() + " object' has no attribute '" + key.asString());
    }
    if (obj.isList() && key.isNumber() && !key.isFloat()) {
        int64_t i = key.asInt();
        if (normalizeIndex(i, obj.list().size()))
            return obj.list()[size_t(i)];
        return Value::undefined("list object' has no element " + key.str());
    }
    if (obj.isString() && key.isNumber() && !key.isFloat()) {
        std::vector<std::string> cps = codePoints(obj.asString());
        int64_t i = key.asInt();
        if (normalizeIndex(i, cps.size()))
            return Value(cps[size_t(i)]);
        return Value::undefined("str object' has no element " + key.str());
    }
    if (key.isString())
        return getAttribute(obj, key.asString());
    return Value::undefined(obj.typeName() + " object' has no element " + key.repr());
}

Value getSlice(const Value& obj, const Value& startV, const Value& stopV, const Value& stepV)
{
    if (obj.isUndefined())
        throwUndefined(obj);
    auto intOr = [](const Value& v, int64_t dflt) {
        if (v.isUndefined() || v.isNone())
            return dflt;
        if (!v.isNumber() || v.isFloat())
            throw TemplateError("slice indices must be integers or None");
        return v.asInt();
    };
    std::vector<Value> items;
    std::vector<std::string> cps;
    int64_t n;
    if (obj.isString()) {
        cps = codePoints(obj.asString());
        n = int64_t(cps.size());
    } else if (obj.isList()) {
        n = int64_t(obj.list().size());
    } else {
        throw TemplateError("'" + obj.typeName() + "' object is not subscriptable");
    }
    const int64_t step = intOr(stepV, 1);
    if (step == 0)
        throw TemplateError("slice step cannot be zero");
    // Python's PySlice_AdjustIndices.
    auto adjust = [&](int64_t v, bool isStart) {
        if (v < 0) {
            v += n;
            if (v < 0)
                v = step < 0 ? -1 : 0;
        } else if (v >= n) {
            v = step < 0 ? n - 1 : n;
        }
        (void)isStart;
        return v;
    };
    int64_t start = (startV.isUndefined() || startV.isNone()) ? (step < 0 ? n - 1 : 0) : adjust(intOr(startV, 0), true);
    int64_t stop = (stopV.isUndefined() || stopV.isNone()) ? (step < 0 ? -1 : n) : adjust(intOr(stopV, 0), false);
    std::string outStr;
    ValueList outList;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (obj.isString())
            outStr += cps[size_t(i)];
        else
            outList.push_back(obj.list()[size_t(i)]);
    }
    if (obj.isString())
        return Value(std::move(outStr));
    return Value(std::move(outList));
}

std::vector<Value> iterate(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List: return v.list();
    case Value::Kind::Dict: {
        std::vector<Value> keys;
        for (const auto& [k, _] : v.dict().items)
            keys.emplace_back(k);
        return keys;
    }
    case Value::Kind::String: {
        std::vector<Value> out;
        for (std::string& cp : codePoints(v.asString()))
            out.emplace_back(std::move(cp));
        return out;
    }
    default: throw TemplateError("'" + v.typeName() + "' object is not iterable");
    }
}

static void requireDefined(const Value& l, const Value& r)
{
    if (l.isUndefined())
        throwUndefined(l);
    if (r.isUndefined())
        throwUndefined(r);
}

[[noreturn]] static void unsupported(const std::string& op, const Value& l, const Value& r)
{
    throw TemplateError("unsupported operand type(s) for " + op + ": '" + l.typeName() + "' and '" + r.typeName() +
                        "'");
}

static int64_t floorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

Value binaryOp(const std::string& op, const Value& l, const Value& r)
{
    if (op == "~")
        return Value(l.str() + r.str());
    requireDefined(l, r);
    const bool ints = l.isNumber() && r.isNumber() && !l.isFloat() && !r.isFloat();
    const bool nums = l.isNumber() && r.isNumber();
    if (op == "+") {
        if (ints)
            return Value(l.asInt() + r.asInt());
        if (nums)
            return Value(l.asFloat() + r.asFloat());
        if (l.isString() && r.isString())
            return Value(l.asString() + r.asString());
        if (l.isList() && r.isList()) {
            ValueList out = l.list();
            out.insert(out.end(), r.list().begin(), r.list().end());
            return Value(std::move(out));
        }
        if (l.isString() || r.isString())
            throw TemplateError("can only concatenate str (not \"" + (l.isString() ? r : l).typeName() +
                                "\") to str");
        unsupported("+", l, r);
    }
    if (op == "-") {
        if (ints)
            return Value(l.asInt() - r.asInt());
        if (nums)
            return Value(l.asFloat() - r.asFloat());
        unsupported("-", l, r);
    }
    if (op == "*") {
        if (ints)
            return Value(l.asInt() * r.asInt());
        if (nums)
            return Value(l.asFloat() * r.asFloat());
        const Value& seq = l.isNumber() ? r : l;
        const Value& count = l.isNumber() ? l : r;
        if (count.isNumber() && !count.isFloat() && (seq.isString() || seq.isList())) {
            int64_t c = std::max<int64_t>(0, count.asInt());
            const size_t unit = seq.isString() ? seq.asString().size() : seq.list().size();
            // A template multiplying a sequence into gigabytes is an attack, not a prompt.
            if (unit != 0 && uint64_t(c) > kMaxRepeatBytes / unit)
                throw TemplateError("repeated sequence too large");
            if (seq.isString()) {
                std::string out;
                for (int64_t i = 0; i < c; ++i)
                    out += seq.asString();
                return Value(std::move(out));
            }
            ValueList out;
            for (int64_t i = 0; i < c; ++i)
                out.insert(out.end(), seq.list().begin(), seq.list().end());
            return Value(std::move(out));
        }
        unsupported("*", l, r);
    }
    if (op == "/" || op == "//" || op == "%") {
        if (!nums)
            unsupported(op, l, r);
        if (r.asFloat() == 0.0)
            throw TemplateError(op == "%" ? "integer modulo by zero" : "division by zero");
        if (op == "/")
            return Value(l.asFloat() / r.asFloat());
        if (ints) {
            int64_t q = floorDiv(l.asInt(), r.asInt());
            return op == "//" ? Value(q) : Value(l.asInt() - q * r.asInt());
        }
        double q = std::floor(l.asFloat() / r.asFloat());
        return op == "//" ? Value(q) : Value(l.asFloat() - q * r.asFloat());
    }
    if (op == "**") {
        if (ints && r.asInt() >= 0) {
            int64_t out = 1;
            for (int64_t i = 0; i < r.asInt(); ++i)
                out *= l.asInt();
            return Value(out);
        }
        if (nums)
            return Value(std::pow(l.asFloat(), r.asFloat()));
        unsupported("**", l, r);
    }
    if (op == "<")
        return Value(lessThan(l, r));
    if (op == ">")
        return Value(lessThan(r, l));
    if (op == "<=")
        return Value(!lessThan(r, l));
    if (op == ">=")
        return Value(!lessThan(l, r));
    throw TemplateError("unknown operator " + op);
}

Value negate(const Value& v)
{
    if (v.isUndefined())
        throwUndefined(v);
    if (v.isFloat())
        return Value(-v.asFloat());
    if (v.isNumber())
        return Value(-v.asInt());
    throw TemplateError("bad operand type for unary -: '" + v.typeName() + "'");
}

bool lessThan(const Value& l, const Value& r)
{
    requireDefined(l, r);
    if (l.isNumber() && r.isNumber())
        return l.asFloat() < r.asFloat();
    if (l.isString() && r.isString())
        return l.asString() < r.asString();
    if (l.isList() && r.isList()) {
        const ValueList &a = l.list(), &b = r.list();
        for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
            if (!a[i].equals(b[i]))
                return lessThan(a[i], b[i]);
        }
        return a.size() < b.size();
    }
    throw TemplateError("'<' not supported between instances of '" + l.typeName() + "' and '" + r.typeName() + "'");
}

bool contains(const Value& container, const Value& item)
{
    if (container.isString()) {
        if (!item.isString())
            throw TemplateError("'in <string>' requires string as left operand, not " + item.typeName());
        return container.asString().find(item.asString()) != std::string::npos;
    }
    if (container.isDict())
        return item.isString() && container.dict().find(item.asString()) != nullptr;
    if (container.isList()) {
        for (const Value& v : container.list())
            if (v.equals(item))
                return true;
        return false;
    }
    if (container.isUndefined())
        return false;
    throw TemplateError("argument of type '" + container.typeName() + "' is not iterable");
}

}  // namespace vela::chat
