// GGUF layout (little-endian): "GGUF", u32 version, u64 tensor count, u64 key-value count, the key-values,
// the tensor infos, padding to `general.alignment`, then the tensor data.
// Every count and length read from the file is checked against the bytes that remain before anything is
// allocated for it, so a hostile header can neither read outside the mapping nor exhaust memory.
#include "gguf/gguf_parser.h"

#include <cstring>
#include <limits>
#include <set>
#include <string_view>

namespace vela {
namespace {

constexpr uint32_t kMaxNestingDepth = 8;     // arrays of arrays of …
constexpr size_t kMaxTensorNameBytes = 63;   // ggml's GGML_MAX_NAME minus the terminator
constexpr uint32_t kMaxDims = 4;

struct ParseError {
    uint64_t offset;
    std::string message;
};

class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> bytes) : m_bytes(bytes) {}

    uint64_t position() const { return m_pos; }
    uint64_t remaining() const { return m_bytes.size() - m_pos; }

    [[noreturn]] void fail(std::string message, uint64_t at) const { throw ParseError{at, std::move(message)}; }
    [[noreturn]] void fail(std::string message) const { fail(std::move(message), m_pos); }

    template <class T>
    T read(const char* what)
    {
        if (remaining() < sizeof(T))
            fail(std::string("file ends inside ") + what + " (needs " + std::to_string(sizeof(T)) +
                 " bytes, " + std::to_string(remaining()) + " left)");
        T value;
        std::memcpy(&value, m_bytes.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return value;
    }

    std::string readString(const char* what)
    {
        const uint64_t start = m_pos;
        const auto length = read<uint64_t>(what);
        if (length > remaining())
            fail(std::string(what) + " claims " + std::to_string(length) + " bytes but only " +
                     std::to_string(remaining()) + " remain in the file",
                 start);
        std::string s(reinterpret_cast<const char*>(m_bytes.data() + m_pos), length);
        m_pos += length;
        return s;
    }

    // A count of items that each take at least `minItemBytes` must fit in what remains.
    void checkCount(uint64_t count, uint64_t minItemBytes, const char* what, uint64_t at) const
    {
        if (minItemBytes > 0 && count > remaining() / minItemBytes)
            fail(std::string(what) + " " + std::to_string(count) + " is impossible: " +
                     std::to_string(remaining()) + " bytes remain",
                 at);
    }

private:
    std::span<const uint8_t> m_bytes;
    uint64_t m_pos = 0;
};

bool isKnownValueType(uint32_t t)
{
    return t <= static_cast<uint32_t>(GgufValueType::Float64);
}

// The fewest bytes a value of this type can take, used to bound array counts.
uint64_t minValueBytes(GgufValueType type)
{
    switch (type) {
    case GgufValueType::UInt8:
    case GgufValueType::Int8:
    case GgufValueType::Bool: return 1;
    case GgufValueType::UInt16:
    case GgufValueType::Int16: return 2;
    case GgufValueType::UInt32:
    case GgufValueType::Int32:
    case GgufValueType::Float32: return 4;
    case GgufValueType::UInt64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
    case GgufValueType::String: return 8;
    case GgufValueType::Array: return 12;
    }
    return 1;
}

GgufValueType readValueType(ByteReader& in, const char* what)
{
    const uint64_t at = in.position();
    const auto raw = in.read<uint32_t>(what);
    if (!isKnownValueType(raw))
        in.fail("unknown metadata value type " + std::to_string(raw), at);
    return static_cast<GgufValueType>(raw);
}

GgufValue readValue(ByteReader& in, GgufValueType type, uint32_t depth)
{
    switch (type) {
    case GgufValueType::UInt8: return GgufValue::fromUInt(type, in.read<uint8_t>("a u8 value"));
    case GgufValueType::Int8: return GgufValue::fromInt(type, in.read<int8_t>("an i8 value"));
    case GgufValueType::UInt16: return GgufValue::fromUInt(type, in.read<uint16_t>("a u16 value"));
    case GgufValueType::Int16: return GgufValue::fromInt(type, in.read<int16_t>("an i16 value"));
    case GgufValueType::UInt32: return GgufValue::fromUInt(type, in.read<uint32_t>("a u32 value"));
    case GgufValueType::Int32: return GgufValue::fromInt(type, in.read<int32_t>("an i32 value"));
    case GgufValueType::UInt64: return GgufValue::fromUInt(type, in.read<uint64_t>("a u64 value"));
    case GgufValueType::Int64: return GgufValue::fromInt(type, in.read<int64_t>("an i64 value"));
    case GgufValueType::Float32: return GgufValue::fromFloat(type, in.read<float>("an f32 value"));
    case GgufValueType::Float64: return GgufValue::fromFloat(type, in.read<double>("an f64 value"));
    case GgufValueType::Bool: {
        const uint64_t at = in.position();
        const auto b = in.read<uint8_t>("a bool value");
        if (b > 1)
            in.fail("bool value " + std::to_string(b) + " is neither 0 nor 1", at);
        return GgufValue::fromBool(b != 0);
    }
    case GgufValueType::String: return GgufValue::fromString(in.readString("a string value"));
    case GgufValueType::Array: {
        if (depth >= kMaxNestingDepth)
            in.fail("arrays nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
        const GgufValueType elementType = readValueType(in, "an array's element type");
        const uint64_t countAt = in.position();
        const auto count = in.read<uint64_t>("an array's length");
        in.checkCount(count, minValueBytes(elementType), "array length", countAt);
        std::vector<GgufValue> items;
        items.reserve(count);
        for (uint64_t i = 0; i < count; ++i)
            items.push_back(readValue(in, elementType, depth + 1));
        return GgufValue::fromArray(elementType, std::move(items));
    }
    }
    in.fail("unknown metadata value type");
}

uint64_t alignmentFrom(const std::vector<GgufKeyValue>& metadata, ByteReader& in)
{
    for (const GgufKeyValue& kv : metadata) {
        if (kv.key != "general.alignment")
            continue;
        const std::optional<int64_t> value = kv.value.asInt();
        if (kv.value.type() != GgufValueType::UInt32 || !value || *value == 0 || (*value & (*value - 1)) != 0)
            in.fail("general.alignment must be a u32 power of two, found " + kv.value.toDisplayString(), 0);
        return static_cast<uint64_t>(*value);
    }
    return 32;
}

GgufTensorInfo readTensorInfo(ByteReader& in)
{
    GgufTensorInfo tensor;
    const uint64_t nameAt = in.position();
    tensor.name = in.readString("a tensor name");
    if (tensor.name.size() > kMaxTensorNameBytes)
        in.fail("tensor name of " + std::to_string(tensor.name.size()) + " bytes is longer than " +
                    std::to_string(kMaxTensorNameBytes),
                nameAt);
    const uint64_t dimsAt = in.position();
    tensor.nDims = in.read<uint32_t>("a tensor's dimension count");
    if (tensor.nDims == 0 || tensor.nDims > kMaxDims)
        in.fail("tensor '" + tensor.name + "' has " + std::to_string(tensor.nDims) + " dimensions (1 to 4 allowed)",
                dimsAt);
    uint64_t elements = 1;
    for (uint32_t d = 0; d < tensor.nDims; ++d) {
        const uint64_t at = in.position();
        const auto extent = in.read<uint64_t>("a tensor dimension");
        if (extent > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
            (extent != 0 && elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / extent))
            in.fail("tensor '" + tensor.name + "' has an absurd shape (element count overflows)", at);
        tensor.dims[d] = extent;
        elements *= extent;
    }
    const uint64_t typeAt = in.position();
    const auto typeId = in.read<uint32_t>("a tensor type");
    const std::optional<GgmlTypeInfo> info = ggmlTypeInfo(typeId);
    if (!info)
        in.fail("tensor '" + tensor.name + "' has unknown ggml type id " + std::to_string(typeId), typeAt);
    tensor.type = info->type;
    if (tensor.dims[0] % info->blockSize != 0)
        in.fail("tensor '" + tensor.name + "' of type " + std::string(info->name) + " has a row of " +
                    std::to_string(tensor.dims[0]) + " elements, not a multiple of its block size " +
                    std::to_string(info->blockSize),
                dimsAt);
    const uint64_t blocks = elements / info->blockSize;
    if (blocks > std::numeric_limits<uint64_t>::max() / info->typeSize)
        in.fail("tensor '" + tensor.name + "' is absurdly large", dimsAt);
    tensor.byteSize = blocks * info->typeSize;
    tensor.offset = in.read<uint64_t>("a tensor offset");
    return tensor;
}

void checkTensorPlacement(const GgufTensorInfo& tensor, uint64_t alignment, uint64_t dataBytes, uint64_t at,
                          ByteReader& in)
{
    if (tensor.offset % alignment != 0)
        in.fail("tensor '" + tensor.name + "' data offset " + std::to_string(tensor.offset) +
                    " is not a multiple of the alignment " + std::to_string(alignment),
                at);
    if (tensor.offset > dataBytes || tensor.byteSize > dataBytes - tensor.offset)
        in.fail("tensor '" + tensor.name + "' data (" + std::to_string(tensor.byteSize) + " bytes at data offset " +
                    std::to_string(tensor.offset) + ") lies outside the file, whose data section holds " +
                    std::to_string(dataBytes) + " bytes: the file is cut short (an incomplete download?); download "
                    "it again",
                at);
}

GgufParsedPart parseOrThrow(std::span<const uint8_t> bytes)
{
    ByteReader in(bytes);
    GgufParsedPart part;

    const auto magic = in.read<uint32_t>("the GGUF magic");
    if (std::memcmp(&magic, "GGUF", 4) != 0)
        in.fail("not a GGUF file (the first 4 bytes are not \"GGUF\")", 0);
    part.version = in.read<uint32_t>("the GGUF version");
    if (part.version == 1)
        in.fail("GGUF version 1 is not supported (versions 2 and 3 are); re-convert the model", 4);
    if (part.version != 2 && part.version != 3) {
        const bool bigEndian = (part.version & 0xffff) == 0 && part.version != 0;
        in.fail("unsupported GGUF version " + std::to_string(part.version) +
                    (bigEndian ? " (a big-endian file?)" : "") + "; versions 2 and 3 are supported",
                4);
    }

    const uint64_t tensorCountAt = in.position();
    const auto tensorCount = in.read<uint64_t>("the tensor count");
    const uint64_t kvCountAt = in.position();
    const auto kvCount = in.read<uint64_t>("the metadata count");
    in.checkCount(kvCount, 8 + 4 + 1, "metadata count", kvCountAt);
    in.checkCount(tensorCount, 8 + 4 + 8 + 4 + 8, "tensor count", tensorCountAt);

    std::set<std::string, std::less<>> keys;
    part.metadata.reserve(kvCount);
    for (uint64_t i = 0; i < kvCount; ++i) {
        const uint64_t keyAt = in.position();
        std::string key = in.readString("a metadata key");
        if (!keys.insert(key).second)
            in.fail("duplicate metadata key '" + key + "'", keyAt);
        const GgufValueType type = readValueType(in, "a metadata value type");
        GgufValue value = readValue(in, type, 0);
        part.metadata.push_back({std::move(key), std::move(value)});
    }
    part.alignment = alignmentFrom(part.metadata, in);

    std::vector<uint64_t> infoOffsets;
    std::set<std::string, std::less<>> names;
    part.tensors.reserve(tensorCount);
    for (uint64_t i = 0; i < tensorCount; ++i) {
        const uint64_t at = in.position();
        GgufTensorInfo tensor = readTensorInfo(in);
        if (!names.insert(tensor.name).second)
            in.fail("duplicate tensor name '" + tensor.name + "'", at);
        infoOffsets.push_back(at);
        part.tensors.push_back(std::move(tensor));
    }

    const uint64_t headerEnd = in.position();
    part.dataStart = (headerEnd + part.alignment - 1) / part.alignment * part.alignment;
    const uint64_t dataBytes = part.dataStart <= bytes.size() ? bytes.size() - part.dataStart : 0;
    for (size_t i = 0; i < part.tensors.size(); ++i)
        checkTensorPlacement(part.tensors[i], part.alignment, dataBytes, infoOffsets[i], in);
    return part;
}

}  // namespace

Result<GgufParsedPart> parseGgufPart(std::span<const uint8_t> bytes, const std::string& displayName)
{
    try {
        return parseOrThrow(bytes);
    } catch (const ParseError& e) {
        return Status::failure(displayName + ": at byte " + std::to_string(e.offset) + ": " + e.message);
    } catch (const std::bad_alloc&) {
        return Status::failure(displayName + ": out of memory while reading the header");
    }
}

}  // namespace vela
