#include "convert/safetensors_file.h"

#include "vela/half.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <variant>

namespace vela {
namespace {

// The safetensors library's own limit; a longer header is a damaged or hostile file.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Bytes per element of every dtype the format defines; 0 for a dtype we do not know (newer packed formats),
// whose byte range is then checked only against the file.
uint64_t dtypeBytes(const QString& dtype)
{
    static const std::pair<const char*, uint64_t> kSizes[] = {
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2},  {"U16", 2}, {"F16", 2},
        {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4},     {"F64", 8},     {"I64", 8}, {"U64", 8}};
    for (const auto& [name, bytes] : kSizes) {
        if (dtype == QLatin1String(name))
            return bytes;
    }
    return 0;
}

// A JSON number that is a whole, non-negative value a double holds exactly.
std::optional<uint64_t> wholeNumber(const QJsonValue& v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!(d >= 0) || d > 9007199254740992.0 || std::floor(d) != d)
        return std::nullopt;
    return static_cast<uint64_t>(d);
}

std::optional<uint64_t> checkedProduct(const std::vector<uint64_t>& values, uint64_t factor)
{
    uint64_t product = factor;
    for (uint64_t v : values) {
        if (v != 0 && product > UINT64_MAX / v)
            return std::nullopt;
        product *= v;
    }
    return product;
}

// One header entry → a tensor whose byte range lies inside the data section; an error message otherwise.
std::variant<SafetensorsTensor, std::string> parseTensor(const QString& name, const QJsonValue& entry,
                                                         uint64_t dataBytes)
{
    SafetensorsTensor t;
    t.name = name.toStdString();
    const std::string where = "tensor '" + t.name + "': ";
    const QJsonObject o = entry.toObject();
    if (!entry.isObject() || !o.value("dtype").isString() || !o.value("shape").isArray() ||
        !o.value("data_offsets").isArray())
        return where + "needs dtype, shape and data_offsets";
    t.dtype = o.value("dtype").toString().toStdString();
    for (const QJsonValue& d : o.value("shape").toArray()) {
        const std::optional<uint64_t> dim = wholeNumber(d);
        if (!dim)
            return where + "the shape holds something other than a size";
        t.shape.push_back(*dim);
    }
    const QJsonArray offsets = o.value("data_offsets").toArray();
    const std::string badOffsets = where + "data_offsets must be [begin, end] with begin <= end";
    if (offsets.size() != 2)
        return badOffsets;
    const std::optional<uint64_t> begin = wholeNumber(offsets[0]);
    const std::optional<uint64_t> end = wholeNumber(offsets[1]);
    if (!begin || !end || *begin > *end)
        return badOffsets;
    if (*end > dataBytes)
        return where + "its data ends at byte " + std::to_string(*end) + " of the data section, but the file holds " +
               std::to_string(dataBytes) + " (truncated file?)";
    t.begin = *begin;
    t.end = *end;
    if (const uint64_t elementBytes = dtypeBytes(o.value("dtype").toString())) {
        const std::optional<uint64_t> bytes = checkedProduct(t.shape, elementBytes);
        if (!bytes || *bytes != t.end - t.begin)
            return where + "a " + t.dtype + " tensor of this shape does not take the " +
                   std::to_string(t.end - t.begin) + " bytes of its data_offsets";
    }
    return t;
}

}  // namespace

uint64_t SafetensorsTensor::elementCount() const
{
    return checkedProduct(shape, 1).value_or(0);
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;
SafetensorsFile::~SafetensorsFile() = default;

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    const auto fail = [&](const std::string& message) { return Status::failure(path + ": " + message); };
    SafetensorsFile f;
    f.m_path = path;
    f.m_file = std::make_unique<QFile>(QString::fromStdString(path));
    if (!f.m_file->open(QIODevice::ReadOnly))
        return fail("cannot open: " + f.m_file->errorString().toStdString());
    const uint64_t fileBytes = static_cast<uint64_t>(f.m_file->size());
    if (fileBytes < 8)
        return fail("not a safetensors file: " + std::to_string(fileBytes) +
                    " bytes, too short for the 8-byte header length (truncated file?)");
    const uint8_t* mapped = f.m_file->map(0, static_cast<qint64>(fileBytes));
    if (!mapped)
        return fail("cannot map: " + f.m_file->errorString().toStdString());
    uint64_t headerBytes = 0;
    std::memcpy(&headerBytes, mapped, 8);  // little-endian, like every machine we build for
    if (headerBytes > kMaxHeaderBytes)
        return fail("not a safetensors file: its header claims " + std::to_string(headerBytes) +
                    " bytes (the format allows at most 100 MB)");
    if (headerBytes > fileBytes - 8)
        return fail("truncated safetensors file: the header needs " + std::to_string(headerBytes) +
                    " bytes, the file has " + std::to_string(fileBytes - 8) + " after the length");

    QJsonParseError error;
    const QJsonDocument header = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char*>(mapped + 8), static_cast<qsizetype>(headerBytes)),
        &error);
    if (error.error != QJsonParseError::NoError || !header.isObject())
        return fail("not a safetensors file: the header is not a JSON object (" +
                    (error.error != QJsonParseError::NoError ? error.errorString().toStdString() + " at byte " +
                                                                   std::to_string(8 + error.offset)
                                                             : std::string("JSON of another kind")) +
                    ")");
    f.m_data = std::span<const uint8_t>(mapped + 8 + headerBytes, fileBytes - 8 - headerBytes);
    const QJsonObject entries = header.object();
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (it.key() == QLatin1String("__metadata__"))
            continue;
        auto parsed = parseTensor(it.key(), it.value(), f.m_data.size());
        if (std::string* message = std::get_if<std::string>(&parsed))
            return fail(*message);
        f.m_tensors.push_back(std::move(std::get<SafetensorsTensor>(parsed)));
    }
    // QJsonObject iterates by key; the data order is what a reader of the file expects to see.
    std::sort(f.m_tensors.begin(), f.m_tensors.end(),
              [](const SafetensorsTensor& a, const SafetensorsTensor& b) { return a.begin < b.begin; });
    return f;
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const
{
    for (const SafetensorsTensor& t : m_tensors) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

std::span<const uint8_t> SafetensorsFile::data(const SafetensorsTensor& tensor) const
{
    return m_data.subspan(tensor.begin, tensor.end - tensor.begin);
}

Status SafetensorsFile::readFloat32(const SafetensorsTensor& tensor, uint64_t first, std::span<float> out) const
{
    const uint64_t count = tensor.elementCount();
    if (first > count || out.size() > count - first)
        return Status::failure("tensor '" + tensor.name + "': values " + std::to_string(first) + " to " +
                               std::to_string(first + out.size()) + " lie past its " + std::to_string(count));
    const bool f32 = tensor.dtype == "F32";
    const bool f16 = tensor.dtype == "F16";
    if (!f32 && !f16 && tensor.dtype != "BF16")
        return Status::failure(m_path + ": tensor '" + tensor.name + "' has dtype " + tensor.dtype +
                               "; the converter reads " + std::string(kFloatDtypes));
    const std::span<const uint8_t> bytes = data(tensor);
    if (f32) {
        std::memcpy(out.data(), bytes.data() + 4 * first, 4 * out.size());
        return {};
    }
    for (size_t i = 0; i < out.size(); ++i) {
        uint16_t h = 0;
        std::memcpy(&h, bytes.data() + 2 * (first + i), 2);
        out[i] = f16 ? fp16ToFp32(h) : bf16ToFp32(h);
    }
    return {};
}

}  // namespace vela
