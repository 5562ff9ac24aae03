#include "vela/gguf.h"

#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

namespace vela {

std::string_view ggufValueTypeName(GgufValueType type)
{
    switch (type) {
    case GgufValueType::UInt8: return "u8";
    case GgufValueType::Int8: return "i8";
    case GgufValueType::UInt16: return "u16";
    case GgufValueType::Int16: return "i16";
    case GgufValueType::UInt32: return "u32";
    case GgufValueType::Int32: return "i32";
    case GgufValueType::Float32: return "f32";
    case GgufValueType::Bool: return "bool";
    case GgufValueType::String: return "string";
    case GgufValueType::Array: return "array";
    case GgufValueType::UInt64: return "u64";
    case GgufValueType::Int64: return "i64";
    case GgufValueType::Float64: return "f64";
    }
    return "unknown";
}

namespace {

bool isUnsigned(GgufValueType t)
{
    return t == GgufValueType::UInt8 || t == GgufValueType::UInt16 || t == GgufValueType::UInt32 ||
           t == GgufValueType::UInt64;
}

bool isSigned(GgufValueType t)
{
    return t == GgufValueType::Int8 || t == GgufValueType::Int16 || t == GgufValueType::Int32 ||
           t == GgufValueType::Int64;
}

bool isFloat(GgufValueType t)
{
    return t == GgufValueType::Float32 || t == GgufValueType::Float64;
}

}  // namespace

GgufValue GgufValue::fromUInt(GgufValueType type, uint64_t v)
{
    GgufValue value;
    value.m_type = type;
    value.m_bits = v;
    return value;
}

GgufValue GgufValue::fromInt(GgufValueType type, int64_t v)
{
    GgufValue value;
    value.m_type = type;
    value.m_bits = static_cast<uint64_t>(v);
    return value;
}

GgufValue GgufValue::fromFloat(GgufValueType type, double v)
{
    GgufValue value;
    value.m_type = type;
    value.m_bits = std::bit_cast<uint64_t>(v);
    return value;
}

GgufValue GgufValue::fromBool(bool v)
{
    GgufValue value;
    value.m_type = GgufValueType::Bool;
    value.m_bits = v ? 1 : 0;
    return value;
}

GgufValue GgufValue::fromString(std::string v)
{
    GgufValue value;
    value.m_type = GgufValueType::String;
    value.m_string = std::move(v);
    return value;
}

GgufValue GgufValue::fromArray(GgufValueType elementType, std::vector<GgufValue> items)
{
    GgufValue value;
    value.m_type = GgufValueType::Array;
    value.m_elementType = elementType;
    value.m_items = std::move(items);
    return value;
}

GgufValue GgufValue::fromStrings(const std::vector<std::string>& items)
{
    std::vector<GgufValue> values;
    values.reserve(items.size());
    for (const std::string& s : items)
        values.push_back(fromString(s));
    return fromArray(GgufValueType::String, std::move(values));
}

std::optional<int64_t> GgufValue::asInt() const
{
    if (isSigned(m_type))
        return static_cast<int64_t>(m_bits);
    if (isUnsigned(m_type) && m_bits <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return static_cast<int64_t>(m_bits);
    return std::nullopt;
}

std::optional<double> GgufValue::asFloat() const
{
    if (isFloat(m_type))
        return std::bit_cast<double>(m_bits);
    if (isSigned(m_type))
        return static_cast<double>(static_cast<int64_t>(m_bits));
    if (isUnsigned(m_type))
        return static_cast<double>(m_bits);
    return std::nullopt;
}

std::optional<bool> GgufValue::asBool() const
{
    if (m_type == GgufValueType::Bool)
        return m_bits != 0;
    return std::nullopt;
}

std::optional<std::string_view> GgufValue::asString() const
{
    if (m_type == GgufValueType::String)
        return std::string_view(m_string);
    return std::nullopt;
}

std::string GgufValue::toDisplayString(size_t maxItems) const
{
    std::ostringstream out;
    if (m_type == GgufValueType::String) {
        constexpr size_t kMaxChars = 60;
        out << '"' << m_string.substr(0, kMaxChars) << (m_string.size() > kMaxChars ? "…" : "") << '"';
    } else if (m_type == GgufValueType::Array) {
        out << '[';
        for (size_t i = 0; i < m_items.size() && i < maxItems; ++i)
            out << (i ? ", " : "") << m_items[i].toDisplayString(maxItems);
        if (m_items.size() > maxItems)
            out << ", … " << m_items.size() << " items";
        out << ']';
    } else if (m_type == GgufValueType::Bool) {
        out << (m_bits ? "true" : "false");
    } else if (isFloat(m_type)) {
        out << *asFloat();
    } else if (isSigned(m_type)) {
        out << static_cast<int64_t>(m_bits);
    } else {
        out << m_bits;
    }
    return out.str();
}

}  // namespace vela
