// Reading and writing GGUF files (versions 2 and 3), the model format of llama.cpp.
// Spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
//
// GgufFile maps the file read-only and validates everything before it hands out a value: a truncated or
// hostile file gives a Status naming the file, the byte offset and the problem; nothing is read outside the
// mapping and no allocation is larger than the file's size can justify. Split models
// (`name-00001-of-00003.gguf` with `split.*` keys) open as one GgufFile given any of their parts' paths.
#pragma once

#include "vela/ggml_type.h"
#include "vela/status.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vela {

enum class GgufValueType : uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};

std::string_view ggufValueTypeName(GgufValueType type);

// One metadata value: a scalar, a string or an array (of scalars, strings or arrays).
class GgufValue {
public:
    GgufValue() = default;
    static GgufValue fromUInt(GgufValueType type, uint64_t v);  // UInt8 … UInt64
    static GgufValue fromInt(GgufValueType type, int64_t v);    // Int8 … Int64
    static GgufValue fromFloat(GgufValueType type, double v);   // Float32, Float64
    static GgufValue fromBool(bool v);
    static GgufValue fromString(std::string v);
    static GgufValue fromArray(GgufValueType elementType, std::vector<GgufValue> items);
    static GgufValue fromStrings(const std::vector<std::string>& items);

    GgufValueType type() const { return m_type; }
    bool isString() const { return m_type == GgufValueType::String; }
    bool isArray() const { return m_type == GgufValueType::Array; }

    // Any integer type whose value fits; nullopt otherwise (bool and floats are not integers).
    std::optional<int64_t> asInt() const;
    // Integers and floats.
    std::optional<double> asFloat() const;
    std::optional<bool> asBool() const;
    std::optional<std::string_view> asString() const;

    // Arrays only.
    GgufValueType elementType() const { return m_elementType; }
    const std::vector<GgufValue>& items() const { return m_items; }

    // Short human-readable form; arrays show their first `maxItems` items.
    std::string toDisplayString(size_t maxItems = 8) const;

private:
    GgufValueType m_type = GgufValueType::UInt8;
    uint64_t m_bits = 0;  // integer, bool or double bits
    std::string m_string;
    GgufValueType m_elementType = GgufValueType::UInt8;
    std::vector<GgufValue> m_items;
};

struct GgufKeyValue {
    std::string key;
    GgufValue value;
};

struct GgufTensorInfo {
    std::string name;
    uint32_t nDims = 0;
    std::array<uint64_t, 4> dims{1, 1, 1, 1};  // ne[0] is the contiguous (row) dimension
    GgmlType type = GgmlType::F32;
    uint64_t offset = 0;     // from the start of its file's tensor data section
    uint64_t byteSize = 0;   // validated against the type's block layout
    uint32_t fileIndex = 0;  // which part of a split model holds the data

    uint64_t elementCount() const { return dims[0] * dims[1] * dims[2] * dims[3]; }
};

class MappedFile;

class GgufFile {
public:
    // Opens a model; for a split model, any part opens the whole set (all parts must sit side by side).
    static Result<GgufFile> open(const std::string& path);
    // Parses an in-memory image (tests, fuzzing); the bytes must outlive the returned object.
    static Result<GgufFile> parse(std::span<const uint8_t> bytes, const std::string& displayName);

    GgufFile(GgufFile&&) noexcept;
    GgufFile& operator=(GgufFile&&) noexcept;
    ~GgufFile();

    uint32_t version() const { return m_version; }
    uint64_t alignment() const { return m_alignment; }
    const std::vector<std::string>& paths() const { return m_paths; }
    uint64_t fileBytes() const;  // all parts together

    // Metadata of the first part (split parts repeat only the split.* keys).
    const std::vector<GgufKeyValue>& metadata() const { return m_metadata; }
    const GgufValue* find(std::string_view key) const;
    std::optional<int64_t> getInt(std::string_view key) const;
    std::optional<double> getFloat(std::string_view key) const;
    std::optional<bool> getBool(std::string_view key) const;
    std::optional<std::string_view> getString(std::string_view key) const;
    // `general.architecture`, or "" when absent.
    std::string architecture() const;

    // All tensors of all parts, in file order.
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const GgufTensorInfo* findTensor(std::string_view name) const;
    // The tensor's bytes inside the mapping; valid while this GgufFile lives.
    std::span<const uint8_t> tensorData(const GgufTensorInfo& tensor) const;

    struct Part;  // one mapped file of the model; defined in gguf_file.cpp

private:
    GgufFile();
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    std::vector<std::string> m_paths;
    std::vector<GgufKeyValue> m_metadata;
    std::vector<GgufTensorInfo> m_tensors;
    std::vector<std::unique_ptr<Part>> m_parts;

    friend class GgufParser;
};

// Builds a GGUF file: metadata in insertion order, tensors aligned to `general.alignment` (default 32).
// Tensors either carry their bytes (addTensor) or are only declared (declareTensor) and have their bytes
// produced one at a time while writeFile streams the file, so a model larger than memory can be written.
class GgufWriter {
public:
    // Fills `bytes` (exactly the declared tensor's byte size) with the data of declared tensor `index`
    // (its position among all tensors, in the order they were added).
    using TensorFiller = std::function<Status(size_t index, std::span<uint8_t> bytes)>;

    explicit GgufWriter(uint32_t version = 3) : m_version(version) {}

    void set(std::string key, GgufValue value);  // replaces an existing key
    void setString(std::string key, std::string value) { set(std::move(key), GgufValue::fromString(std::move(value))); }
    void setUInt32(std::string key, uint32_t value) { set(std::move(key), GgufValue::fromUInt(GgufValueType::UInt32, value)); }
    void setFloat32(std::string key, float value) { set(std::move(key), GgufValue::fromFloat(GgufValueType::Float32, value)); }
    void setBool(std::string key, bool value) { set(std::move(key), GgufValue::fromBool(value)); }

    // `dims` has 1 to 4 entries, ne[0] first; `data` must hold exactly the tensor's byte size.
    Status addTensor(std::string name, GgmlType type, std::vector<uint64_t> dims, std::vector<uint8_t> data);

    // Like addTensor, but the bytes come from writeFile's filler.
    Status declareTensor(std::string name, GgmlType type, std::vector<uint64_t> dims);

    // The whole file in memory; declared tensors' data is zeros here.
    std::vector<uint8_t> toBytes() const;
    // Writes `path` (through `path.part`, renamed when complete, so a failed write leaves no half file).
    // Holds at most one declared tensor's bytes at a time. Fails when a tensor is declared and `fill` is empty.
    Status writeFile(const std::string& path, const TensorFiller& fill = {}) const;

private:
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<uint64_t> dims;
        std::vector<uint8_t> data;
        uint64_t byteSize = 0;
        bool declared = false;  // data comes from a TensorFiller
    };
    Result<uint64_t> checkTensor(const std::string& name, GgmlType type, const std::vector<uint64_t>& dims) const;
    uint64_t alignment() const;
    std::vector<uint8_t> headerBytes() const;  // everything before the tensor data, padded
    uint32_t m_version;
    std::vector<GgufKeyValue> m_metadata;
    std::vector<Tensor> m_tensors;
};

}  // namespace vela
