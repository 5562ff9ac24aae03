#include "vela/gguf.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace vela {
namespace {

class ByteWriter {
public:
    template <class T>
    void put(T value)
    {
        const size_t at = m_bytes.size();
        m_bytes.resize(at + sizeof(T));
        std::memcpy(m_bytes.data() + at, &value, sizeof(T));
    }
    void putString(std::string_view s)
    {
        put<uint64_t>(s.size());
        m_bytes.insert(m_bytes.end(), s.begin(), s.end());
    }
    void putBytes(const std::vector<uint8_t>& bytes) { m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end()); }
    void padTo(uint64_t alignment)
    {
        while (m_bytes.size() % alignment != 0)
            m_bytes.push_back(0);
    }
    std::vector<uint8_t> take() { return std::move(m_bytes); }

    void putValue(const GgufValue& v)
    {
        switch (v.type()) {
        case GgufValueType::UInt8: put<uint8_t>(static_cast<uint8_t>(*v.asInt())); break;
        case GgufValueType::Int8: put<int8_t>(static_cast<int8_t>(*v.asInt())); break;
        case GgufValueType::UInt16: put<uint16_t>(static_cast<uint16_t>(*v.asInt())); break;
        case GgufValueType::Int16: put<int16_t>(static_cast<int16_t>(*v.asInt())); break;
        case GgufValueType::UInt32: put<uint32_t>(static_cast<uint32_t>(*v.asInt())); break;
        case GgufValueType::Int32: put<int32_t>(static_cast<int32_t>(*v.asInt())); break;
        case GgufValueType::UInt64: put<uint64_t>(static_cast<uint64_t>(v.asInt().value_or(0))); break;
        case GgufValueType::Int64: put<int64_t>(*v.asInt()); break;
        case GgufValueType::Float32: put<float>(static_cast<float>(*v.asFloat())); break;
        case GgufValueType::Float64: put<double>(*v.asFloat()); break;
        case GgufValueType::Bool: put<uint8_t>(*v.asBool() ? 1 : 0); break;
        case GgufValueType::String: putString(*v.asString()); break;
        case GgufValueType::Array:
            put<uint32_t>(static_cast<uint32_t>(v.elementType()));
            put<uint64_t>(v.items().size());
            for (const GgufValue& item : v.items())
                putValue(item);
            break;
        }
    }

private:
    std::vector<uint8_t> m_bytes;
};

}  // namespace

void GgufWriter::set(std::string key, GgufValue value)
{
    for (GgufKeyValue& kv : m_metadata) {
        if (kv.key == key) {
            kv.value = std::move(value);
            return;
        }
    }
    m_metadata.push_back({std::move(key), std::move(value)});
}

Result<uint64_t> GgufWriter::checkTensor(const std::string& name, GgmlType type,
                                         const std::vector<uint64_t>& dims) const
{
    if (dims.empty() || dims.size() > 4)
        return Status::failure("tensor '" + name + "' must have 1 to 4 dimensions");
    uint64_t elements = 1;
    for (uint64_t d : dims)
        elements *= d;
    const std::optional<uint64_t> bytes = ggmlRowBytes(type, elements);
    if (!bytes || dims[0] % ggmlTypeInfo(type).blockSize != 0)
        return Status::failure("tensor '" + name + "': row length is not a multiple of the " +
                               std::string(ggmlTypeName(type)) + " block size");
    return *bytes;
}

Status GgufWriter::addTensor(std::string name, GgmlType type, std::vector<uint64_t> dims, std::vector<uint8_t> data)
{
    const Result<uint64_t> bytes = checkTensor(name, type, dims);
    if (!bytes)
        return bytes.status();
    if (*bytes != data.size())
        return Status::failure("tensor '" + name + "' needs " + std::to_string(*bytes) + " bytes, got " +
                               std::to_string(data.size()));
    m_tensors.push_back({std::move(name), type, std::move(dims), std::move(data), *bytes, false});
    return {};
}

Status GgufWriter::declareTensor(std::string name, GgmlType type, std::vector<uint64_t> dims)
{
    const Result<uint64_t> bytes = checkTensor(name, type, dims);
    if (!bytes)
        return bytes.status();
    m_tensors.push_back({std::move(name), type, std::move(dims), {}, *bytes, true});
    return {};
}

uint64_t GgufWriter::alignment() const
{
    for (const GgufKeyValue& kv : m_metadata) {
        if (kv.key == "general.alignment" && kv.value.asInt() && *kv.value.asInt() > 0)
            return static_cast<uint64_t>(*kv.value.asInt());
    }
    return 32;
}

std::vector<uint8_t> GgufWriter::headerBytes() const
{
    const uint64_t align = alignment();
    ByteWriter out;
    out.put<uint32_t>(0x46554747);  // "GGUF" little-endian
    out.put<uint32_t>(m_version);
    out.put<uint64_t>(m_tensors.size());
    out.put<uint64_t>(m_metadata.size());
    for (const GgufKeyValue& kv : m_metadata) {
        out.putString(kv.key);
        out.put<uint32_t>(static_cast<uint32_t>(kv.value.type()));
        out.putValue(kv.value);
    }
    uint64_t offset = 0;
    for (const Tensor& t : m_tensors) {
        out.putString(t.name);
        out.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
        for (uint64_t d : t.dims)
            out.put<uint64_t>(d);
        out.put<uint32_t>(static_cast<uint32_t>(t.type));
        out.put<uint64_t>(offset);
        offset += (t.byteSize + align - 1) / align * align;
    }
    out.padTo(align);
    return out.take();
}

std::vector<uint8_t> GgufWriter::toBytes() const
{
    const uint64_t align = alignment();
    std::vector<uint8_t> bytes = headerBytes();
    for (const Tensor& t : m_tensors) {
        if (t.declared)
            bytes.resize(bytes.size() + t.byteSize, 0);
        else
            bytes.insert(bytes.end(), t.data.begin(), t.data.end());
        bytes.resize((bytes.size() + align - 1) / align * align, 0);
    }
    return bytes;
}

Status GgufWriter::writeFile(const std::string& path, const TensorFiller& fill) const
{
    for (const Tensor& t : m_tensors) {
        if (t.declared && !fill)
            return Status::failure("cannot write '" + path + "': tensor '" + t.name + "' has no data");
    }
    const std::string partPath = path + ".part";
    std::ofstream file(partPath, std::ios::binary | std::ios::trunc);
    if (!file)
        return Status::failure("cannot create '" + partPath + "'");
    const auto fail = [&](const std::string& message) {
        file.close();
        std::error_code ignored;
        std::filesystem::remove(partPath, ignored);
        return Status::failure(message);
    };
    const auto put = [&](const uint8_t* data, uint64_t size) {
        file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    };

    const uint64_t align = alignment();
    const std::vector<uint8_t> header = headerBytes();
    put(header.data(), header.size());
    const std::vector<uint8_t> zeros(align, 0);
    std::vector<uint8_t> buffer;  // one declared tensor's bytes at a time
    for (size_t i = 0; i < m_tensors.size() && file; ++i) {
        const Tensor& t = m_tensors[i];
        if (t.declared) {
            buffer.assign(t.byteSize, 0);
            if (Status status = fill(i, std::span<uint8_t>(buffer)); !status)
                return fail("cannot write '" + path + "': tensor '" + t.name + "': " + status.message());
            put(buffer.data(), buffer.size());
        } else {
            put(t.data.data(), t.data.size());
        }
        put(zeros.data(), (align - t.byteSize % align) % align);
    }
    if (!file.flush())
        return fail("cannot write '" + path + "' (disk full?)");
    file.close();
    std::error_code error;
    std::filesystem::rename(partPath, path, error);
    if (error)
        return fail("cannot rename '" + partPath + "' to '" + path + "': " + error.message());
    return {};
}

}  // namespace vela
