// A JSON-like dynamic value with Python semantics, the data model of the chat-template interpreter:
// undefined (Jinja's Undefined), none, bool, int, float, string, list, ordered dict and callables.
// Lists and dicts are shared by reference like Python objects (namespace() attributes are set in place).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace vela::chat {

class Value;

// Raised inside the interpreter only; ChatTemplate::render turns it into a failed Result.
struct TemplateError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using ValueList = std::vector<Value>;

// Keeps insertion order, as Python dicts (and therefore tojson) do.
struct ValueDict {
    std::vector<std::pair<std::string, Value>> items;
    bool isNamespace = false;  // made by namespace(): `{% set ns.x = … %}` is allowed

    const Value* find(std::string_view key) const;
    Value* find(std::string_view key);
    void set(std::string key, Value value);
};

struct CallArgs {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> named;

    // The argument given by position `index` or by `name`; nullptr when absent.
    const Value* get(size_t index, std::string_view name) const;
};

using Function = std::function<Value(const CallArgs&)>;

class Value {
public:
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Callable };

    Value() = default;  // undefined
    Value(std::nullptr_t) : m_data(nullptr) {}
    Value(bool b) : m_data(b) {}
    Value(int i) : m_data(int64_t(i)) {}
    Value(int64_t i) : m_data(i) {}
    Value(double d) : m_data(d) {}
    Value(const char* s) : m_data(std::string(s)) {}
    Value(std::string s) : m_data(std::move(s)) {}
    Value(std::string_view s) : m_data(std::string(s)) {}
    Value(ValueList l) : m_data(std::make_shared<ValueList>(std::move(l))) {}
    Value(ValueDict d) : m_data(std::make_shared<ValueDict>(std::move(d))) {}
    Value(Function f) : m_data(std::make_shared<Function>(std::move(f))) {}

    static Value undefined(std::string name = {})
    {
        Value v;
        v.m_undefinedName = std::move(name);
        return v;
    }

    Kind kind() const { return Kind(m_data.index()); }
    bool isUndefined() const { return kind() == Kind::Undefined; }
    bool isNone() const { return kind() == Kind::None; }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isInt() const { return kind() == Kind::Int; }
    bool isFloat() const { return kind() == Kind::Float; }
    bool isNumber() const { return isInt() || isFloat() || isBool(); }
    bool isString() const { return kind() == Kind::String; }
    bool isList() const { return kind() == Kind::List; }
    bool isDict() const { return kind() == Kind::Dict; }
    bool isFunction() const { return kind() == Kind::Callable; }

    bool asBool() const { return std::get<bool>(m_data); }
    int64_t asInt() const { return isBool() ? int64_t(asBool()) : std::get<int64_t>(m_data); }
    double asFloat() const { return isFloat() ? std::get<double>(m_data) : double(asInt()); }
    const std::string& asString() const { return std::get<std::string>(m_data); }
    ValueList& list() const { return *std::get<std::shared_ptr<ValueList>>(m_data); }
    ValueDict& dict() const { return *std::get<std::shared_ptr<ValueDict>>(m_data); }
    const Function& function() const { return *std::get<std::shared_ptr<Function>>(m_data); }
    const std::string& undefinedName() const { return m_undefinedName; }

    // Python truthiness.
    bool truthy() const;
    // Python str(): what `{{ x }}` prints. Undefined prints nothing.
    std::string str() const;
    // Python repr(): strings quoted, used inside list/dict str().
    std::string repr() const;
    // Python ==.
    bool equals(const Value& other) const;
    // Python's type name, for error messages.
    std::string typeName() const;

private:
    std::variant<std::monostate, std::nullptr_t, bool, int64_t, double, std::string, std::shared_ptr<ValueList>,
                 std::shared_ptr<ValueDict>, std::shared_ptr<Function>>
        m_data;
    std::string m_undefinedName;
};

// Python float repr (shortest round trip, "1.0" for integral values).
std::string formatFloat(double d);

}  // namespace vela::chat
