// Filters and tests, following jinja2/filters.py and jinja2/tests.py (Jinja 3.1).
#include "chat/filters.h"

#include "chat/json.h"
#include "chat/operations.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace vela::chat {
namespace {

CallArgs shiftArgs(const CallArgs& a, size_t n)
{
    CallArgs out;
    if (a.positional.size() > n)
        out.positional.assign(a.positional.begin() + long(n), a.positional.end());
    out.named = a.named;
    return out;
}

const Value* named(const CallArgs& a, std::string_view name)
{
    for (const auto& [k, v] : a.named)
        if (k == name)
            return &v;
    return nullptr;
}

int64_t length(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return int64_t(codePointCount(v.asString()));
    case Value::Kind::List: return int64_t(v.list().size());
    case Value::Kind::Dict: return int64_t(v.dict().items.size());
    default: throw TemplateError("object of type '" + v.typeName() + "' has no len()");
    }
}

std::string mapCase(std::string s, bool upper)
{
    for (char& c : s)
        c = char(upper ? std::toupper((unsigned char)c) : std::tolower((unsigned char)c));
    return s;
}

// An attribute path "a.b" or an integer index, as Jinja's make_attrgetter resolves it.
Value attributePath(const Value& item, const std::string& path)
{
    Value cur = item;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
        cur = numeric ? getItem(cur, Value(int64_t(std::stoll(part)))) : getItem(cur, Value(part));
        if (dot == std::string::npos)
            return cur;
        start = dot + 1;
    }
}

std::string indentText(const std::string& s0, const Value* widthV, bool first, bool blank)
{
    std::string indentation = widthV && widthV->isString() ? widthV->asString()
                                                           : std::string(size_t(widthV ? widthV->asInt() : 4), ' ');
    std::string s = s0 + "\n";
    std::vector<std::string> lines;
    // Python splitlines on "\n"-terminated text: no trailing empty line.
    size_t start = 0;
    while (start < s.size()) {
        size_t nl = s.find('\n', start);
        lines.push_back(s.substr(start, nl - start));
        start = nl + 1;
    }
    std::string rv;
    if (blank) {
        for (size_t i = 0; i < lines.size(); ++i)
            rv += (i ? "\n" + indentation : "") + lines[i];
    } else {
        rv = lines.empty() ? "" : lines[0];
        for (size_t i = 1; i < lines.size(); ++i)
            rv += "\n" + (lines[i].empty() ? "" : indentation) + lines[i];
    }
    return first ? indentation + rv : rv;
}

Value selectOrReject(const Value& input, const CallArgs& args, bool byAttribute, bool select)
{
    ValueList out;
    size_t testIndex = byAttribute ? 1 : 0;
    std::string attr;
    if (byAttribute) {
        if (args.positional.empty() || !args.positional[0].isString())
            throw TemplateError("selectattr/rejectattr needs an attribute name");
        attr = args.positional[0].asString();
    }
    const bool hasTestName = args.positional.size() > testIndex;
    std::string testName = hasTestName ? args.positional[testIndex].str() : "";
    CallArgs testArgs = shiftArgs(args, testIndex + 1);
    for (const Value& item : iterate(input)) {
        Value v = byAttribute ? attributePath(item, attr) : item;
        bool ok = hasTestName ? applyTest(testName, v, testArgs) : v.truthy();
        if (ok == select)
            out.push_back(item);
    }
    return Value(std::move(out));
}

Value dictsort(const Value& input, const CallArgs& args)
{
    if (!input.isDict())
        throw TemplateError("dictsort filter needs a dict");
    const Value* cs = args.get(0, "case_sensitive");
    const Value* by = args.get(1, "by");
    const Value* rev = args.get(2, "reverse");
    const bool caseSensitive = cs && cs->truthy();
    const bool byValue = by && by->isString() && by->asString() == "value";
    std::vector<std::pair<std::string, Value>> items = input.dict().items;
    auto key = [&](const std::pair<std::string, Value>& p) {
        Value k = byValue ? p.second : Value(p.first);
        if (!caseSensitive && k.isString())
            return Value(mapCase(k.asString(), false));
        return k;
    };
    std::stable_sort(items.begin(), items.end(),
                     [&](const auto& a, const auto& b) { return lessThan(key(a), key(b)); });
    if (rev && rev->truthy())
        std::reverse(items.begin(), items.end());
    ValueList out;
    for (auto& [k, v] : items)
        out.emplace_back(ValueList{Value(k), v});
    return Value(std::move(out));
}

Value toJsonFilter(const Value& input, const CallArgs& args)
{
    JsonFormat f;
    const Value* indent = named(args, "indent");
    if (!indent && !args.positional.empty())
        indent = &args.positional[0];
    if (indent && !indent->isNone() && !indent->isUndefined()) {
        f.indent = int(indent->asInt());
        f.itemSeparator = ",";
    }
    if (const Value* sep = named(args, "separators"); sep && sep->isList() && sep->list().size() == 2) {
        f.itemSeparator = sep->list()[0].str();
        f.keySeparator = sep->list()[1].str();
    }
    if (const Value* sk = named(args, "sort_keys"))
        f.sortKeys = sk->truthy();
    return Value(toJson(input, f));
}

Value sortFilter(const Value& input, const CallArgs& args)
{
    std::vector<Value> items = iterate(input);
    const Value* rev = args.get(0, "reverse");
    const Value* cs = args.get(1, "case_sensitive");
    const Value* attr = args.get(2, "attribute");
    auto key = [&](const Value& v) {
        Value k = attr && attr->isString() ? attributePath(v, attr->asString()) : v;
        if (!(cs && cs->truthy()) && k.isString())
            return Value(mapCase(k.asString(), false));
        return k;
    };
    std::stable_sort(items.begin(), items.end(),
                     [&](const Value& a, const Value& b) { return lessThan(key(a), key(b)); });
    if (rev && rev->truthy())
        std::reverse(items.begin(), items.end());
    return Value(ValueList(std::move(items)));
}

using FilterFn = Value (*)(const std::string& name, const Value& input, const CallArgs& args);
using TestFn = bool (*)(const std::string& name, const Value& v, const Value& other, const CallArgs& args);

const Value* firstArg(const CallArgs& args) { return args.positional.empty() ? nullptr : &args.positional[0]; }

// The filter table: names (with aliases) and what each does; Jinja's own names and argument order.
const std::map<std::string, FilterFn>& filterTable()
{
    static const std::map<std::string, FilterFn> table = [] {
        const std::vector<std::pair<std::vector<std::string>, FilterFn>> entries = {
            { { "length", "count" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return Value(length(input));
                } },
            { { "default", "d" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    const Value* dflt = args.get(0, "default_value");
                    const Value* boolean = args.get(1, "boolean");
                    bool useDefault = input.isUndefined() || (boolean && boolean->truthy() && !input.truthy());
                    return useDefault ? (dflt ? *dflt : Value("")) : input;
                } },
            { { "safe" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return input;
                } },
            { { "string" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return Value(input.str());
                } },
            { { "tojson" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return toJsonFilter(input, args);
                } },
            { { "trim" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    CallArgs a;
                    if (firstArg(args))
                        a.positional.push_back(*firstArg(args));
                    return boundMethod(Value(input.str()), "strip").function()(a);
                } },
            { { "upper", "lower" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return Value(mapCase(input.str(), name == "upper"));
                } },
            { { "capitalize", "title" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return boundMethod(Value(input.str()), name).function()(CallArgs {});
                } },
            { { "replace" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    CallArgs a = args;
                    return boundMethod(Value(input.str()), "replace").function()(a);
                } },
            { { "join" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    const Value* sep = args.get(0, "d");
                    const Value* attr = args.get(1, "attribute");
                    std::string out;
                    bool first = true;
                    for (const Value& item : iterate(input)) {
                        Value v = attr && attr->isString() ? attributePath(item, attr->asString()) : item;
                        out += (first ? "" : (sep ? sep->str() : "")) + v.str();
                        first = false;
                    }
                    return Value(out);
                } },
            { { "first", "last" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    std::vector<Value> items = iterate(input);
                    if (items.empty())
                        return Value::undefined("No " + name + " item, sequence was empty.");
                    return name == "first" ? items.front() : items.back();
                } },
            { { "list" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return Value(ValueList(iterate(input)));
                } },
            { { "unique" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    ValueList out;
                    for (const Value& v : iterate(input))
                        if (std::none_of(out.begin(), out.end(), [&](const Value& o) {
                                return o.equals(v);
                            }))
                            out.push_back(v);
                    return Value(std::move(out));
                } },
            { { "reverse" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    if (input.isString()) {
                        std::vector<std::string> cps = codePoints(input.asString());
                        std::string out;
                        for (auto it = cps.rbegin(); it != cps.rend(); ++it)
                            out += *it;
                        return Value(out);
                    }
                    std::vector<Value> items = iterate(input);
                    std::reverse(items.begin(), items.end());
                    return Value(ValueList(std::move(items)));
                } },
            { { "sort" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return sortFilter(input, args);
                } },
            { { "map" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    ValueList out;
                    const Value* attr = named(args, "attribute");
                    const Value* dflt = named(args, "default");
                    for (const Value& item : iterate(input)) {
                        if (attr) {
                            Value v = attributePath(item, attr->str());
                            out.push_back(v.isUndefined() && dflt ? *dflt : v);
                        } else {
                            if (!firstArg(args))
                                throw TemplateError("map requires a filter argument");
                            out.push_back(applyFilter(firstArg(args)->str(), item, shiftArgs(args, 1)));
                        }
                    }
                    return Value(std::move(out));
                } },
            { { "select", "reject" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return selectOrReject(input, args, false, name == "select");
                } },
            { { "selectattr", "rejectattr" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return selectOrReject(input, args, true, name == "selectattr");
                } },
            { { "items" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    if (input.isUndefined())
                        return Value(ValueList {});
                    if (!input.isDict())
                        throw TemplateError("items filter needs a mapping");
                    return boundMethod(input, "items").function()(CallArgs {});
                } },
            { { "dictsort" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return dictsort(input, args);
                } },
            { { "int", "float" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    const Value* dflt = args.get(0, "default");
                    Value fallback = dflt ? *dflt : (name == "int" ? Value(int64_t(0)) : Value(0.0));
                    if (input.isNumber())
                        return name == "int" ? Value(int64_t(input.asFloat())) : Value(input.asFloat());
                    if (input.isString()) {
                        try {
                            size_t used = 0;
                            std::string s = input.asString();
                            double d = std::stod(s, &used);
                            if (used == 0)
                                return fallback;
                            return name == "int" ? Value(int64_t(d)) : Value(d);
                        } catch (const std::exception&) {
                            return fallback;
                        }
                    }
                    return fallback;
                } },
            { { "abs" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    if (input.isFloat())
                        return Value(std::fabs(input.asFloat()));
                    if (input.isNumber())
                        return Value(input.asInt() < 0 ? -input.asInt() : input.asInt());
                    throw TemplateError("bad operand type for abs(): '" + input.typeName() + "'");
                } },
            { { "round" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    const Value* prec = args.get(0, "precision");
                    double scale = std::pow(10.0, prec ? double(prec->asInt()) : 0.0);
                    return Value(std::round(input.asFloat() * scale) / scale);
                } },
            { { "indent" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    const Value* first = args.get(1, "first");
                    const Value* blank = args.get(2, "blank");
                    return Value(indentText(
                        input.str(), args.get(0, "width"), first && first->truthy(), blank && blank->truthy()));
                } },
            { { "escape", "e" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    std::string out;
                    for (char c : input.str()) {
                        switch (c) {
                        case '&':
                            out += "&amp;";
                            break;
                        case '<':
                            out += "&lt;";
                            break;
                        case '>':
                            out += "&gt;";
                            break;
                        case '"':
                            out += "&#34;";
                            break;
                        case '\'':
                            out += "&#39;";
                            break;
                        default:
                            out += c;
                        }
                    }
                    return Value(out);
                } },
            { { "wordcount" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    return Value(
                        int64_t(boundMethod(Value(input.str()), "split").function()(CallArgs {}).list().size()));
                } },
            { { "sum" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    Value total(int64_t(0));
                    for (const Value& v : iterate(input))
                        total = binaryOp("+", total, v);
                    return total;
                } },
            { { "min", "max" },
                []([[maybe_unused]] const std::string& name, const Value& input,
                    [[maybe_unused]] const CallArgs& args) -> Value {
                    std::vector<Value> items = iterate(input);
                    if (items.empty())
                        return Value::undefined("No aggregated item, sequence was empty.");
                    Value best = items[0];
                    for (const Value& v : items)
                        if (name == "min" ? lessThan(v, best) : lessThan(best, v))
                            best = v;
                    return best;
                } },
        };
        std::map<std::string, FilterFn> t;
        for (const auto& [names, fn] : entries)
            for (const std::string& n : names)
                t.emplace(n, fn);
        return t;
    }();
    return table;
}

const std::map<std::string, TestFn>& testTable()
{
    static const std::map<std::string, TestFn> table = [] {
        const std::vector<std::pair<std::vector<std::string>, TestFn>> entries = {
            { { "defined" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return !v.isUndefined();
                } },
            { { "undefined" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isUndefined();
                } },
            { { "none" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isNone();
                } },
            { { "string" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isString();
                } },
            { { "number" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isNumber();
                } },
            { { "integer" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isInt();
                } },
            { { "float" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isFloat();
                } },
            { { "boolean" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isBool();
                } },
            { { "true" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isBool() && v.asBool();
                } },
            { { "false" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isBool() && !v.asBool();
                } },
            { { "mapping" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isDict();
                } },
            { { "iterable" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isList() || v.isDict() || v.isString() || v.isUndefined();
                } },
            { { "sequence" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isList() || v.isDict() || v.isString() || v.isUndefined();
                } },
            { { "callable" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.isFunction();
                } },
            { { "eq", "equalto", "==", "sameas" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return v.equals(other);
                } },
            { { "ne", "!=" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return !v.equals(other);
                } },
            { { "lt", "<" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return lessThan(v, other);
                } },
            { { "gt", ">" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return lessThan(other, v);
                } },
            { { "le", "<=" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return !lessThan(other, v);
                } },
            { { "ge", ">=" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return !lessThan(v, other);
                } },
            { { "in" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return contains(other, v);
                } },
            { { "odd", "even" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    if (!v.isNumber() || v.isFloat())
                        throw TemplateError("odd/even test needs an integer");
                    return (v.asInt() % 2 != 0) == (name == "odd");
                } },
            { { "divisibleby" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return other.asInt() != 0 && v.asInt() % other.asInt() == 0;
                } },
            { { "lower", "upper" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    const std::string s = v.str();
                    return s == mapCase(s, name == "upper");
                } },
            { { "filter" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return other.isString() && hasFilter(other.asString());
                } },
            { { "test" },
                []([[maybe_unused]] const std::string& name, [[maybe_unused]] const Value& v,
                    [[maybe_unused]] const Value& other, [[maybe_unused]] const CallArgs& args) -> bool {
                    return other.isString() && hasTest(other.asString());
                } },
        };
        std::map<std::string, TestFn> t;
        for (const auto& [names, fn] : entries)
            for (const std::string& n : names)
                t.emplace(n, fn);
        return t;
    }();
    return table;
}

}  // namespace

bool hasFilter(const std::string& name) { return filterTable().count(name) != 0; }
bool hasTest(const std::string& name) { return testTable().count(name) != 0; }

Value applyFilter(const std::string& name, const Value& input, const CallArgs& args)
{
    auto it = filterTable().find(name);
    if (it == filterTable().end())
        throw TemplateError("No filter named '" + name + "'.");
    return it->second(name, input, args);
}

bool applyTest(const std::string& name, const Value& value, const CallArgs& args)
{
    auto it = testTable().find(name);
    if (it == testTable().end())
        throw TemplateError("No test named '" + name + "'.");
    return it->second(name, value, args.positional.empty() ? Value() : args.positional[0], args);
}

}  // namespace vela::chat
