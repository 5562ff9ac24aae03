#include "vela/gguf.h"

#include "gguf/gguf_parser.h"
#include "gguf/mapped_file.h"

#include <cstdio>
#include <regex>
#include <set>

namespace vela {

// One file of the model: its mapping (absent for an in-memory image) and where its tensor data starts.
struct GgufFile::Part {
    std::unique_ptr<MappedFile> mapping;
    std::span<const uint8_t> bytes;
    uint64_t dataStart = 0;
};

// Builds a GgufFile from parsed parts; a friend of GgufFile so construction stays out of the public API.
class GgufParser {
public:
    static GgufFile assemble(std::vector<std::string> paths, std::vector<std::unique_ptr<GgufFile::Part>> parts,
                             std::vector<GgufParsedPart> parsed)
    {
        GgufFile file;
        file.m_paths = std::move(paths);
        file.m_version = parsed[0].version;
        file.m_alignment = parsed[0].alignment;
        file.m_metadata = std::move(parsed[0].metadata);
        for (uint32_t i = 0; i < parsed.size(); ++i) {
            for (GgufTensorInfo& tensor : parsed[i].tensors) {
                tensor.fileIndex = i;
                file.m_tensors.push_back(std::move(tensor));
            }
        }
        file.m_parts = std::move(parts);
        return file;
    }
};

GgufFile::GgufFile() = default;
GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;
GgufFile::~GgufFile() = default;

namespace {

struct SplitName {
    std::string prefix;
    int count = 0;
};

// llama.cpp names split parts "PREFIX-00001-of-00003.gguf".
std::optional<SplitName> parseSplitName(const std::string& path)
{
    static const std::regex pattern(R"((.*)-(\d{5})-of-(\d{5})\.gguf)");
    std::smatch match;
    if (!std::regex_match(path, match, pattern))
        return std::nullopt;
    return SplitName{match[1].str(), std::stoi(match[3].str())};
}

std::string splitPartPath(const std::string& prefix, int index1, int count)
{
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%05d-of-%05d.gguf", index1, count);
    return prefix + suffix;
}

std::optional<int64_t> intKey(const GgufParsedPart& part, std::string_view key)
{
    for (const GgufKeyValue& kv : part.metadata) {
        if (kv.key == key)
            return kv.value.asInt();
    }
    return std::nullopt;
}

struct LoadedPart {
    std::unique_ptr<GgufFile::Part> part;
    GgufParsedPart parsed;
};

Result<LoadedPart> loadPart(const std::string& path)
{
    Result<std::unique_ptr<MappedFile>> mapping = MappedFile::open(path);
    if (!mapping)
        return mapping.status();
    auto part = std::make_unique<GgufFile::Part>();
    part->mapping = std::move(mapping).value();
    part->bytes = part->mapping->bytes();
    Result<GgufParsedPart> parsed = parseGgufPart(part->bytes, path);
    if (!parsed)
        return parsed.status();
    part->dataStart = parsed->dataStart;
    return LoadedPart{std::move(part), std::move(parsed).value()};
}

// Checks that part `index` (0-based) of `count` carries matching split.* keys.
Status checkSplitKeys(const GgufParsedPart& part, const std::string& path, int index, int count)
{
    const std::optional<int64_t> no = intKey(part, "split.no");
    const std::optional<int64_t> total = intKey(part, "split.count");
    if (!no || !total)
        return Status::failure(path + ": split part without split.no / split.count keys");
    if (*no != index || *total != count)
        return Status::failure(path + ": split.no " + std::to_string(*no) + " of " + std::to_string(*total) +
                               ", expected part " + std::to_string(index) + " of " + std::to_string(count));
    return {};
}

}  // namespace

Result<GgufFile> GgufFile::open(const std::string& path)
{
    const std::optional<SplitName> split = parseSplitName(path);
    const std::string firstPath = split ? splitPartPath(split->prefix, 1, split->count) : path;
    Result<LoadedPart> first = loadPart(firstPath);
    if (!first)
        return first.status();

    const std::optional<int64_t> count = intKey(first->parsed, "split.count");
    std::vector<std::string> paths{firstPath};
    std::vector<std::unique_ptr<Part>> parts;
    std::vector<GgufParsedPart> parsed;
    parts.push_back(std::move(first->part));
    parsed.push_back(std::move(first->parsed));

    if (count && *count > 1) {
        if (!split)
            return Status::failure(path + ": the model is split into " + std::to_string(*count) +
                                   " files, but the name does not follow NAME-00001-of-0000N.gguf");
        if (*count != split->count)
            return Status::failure(path + ": split.count is " + std::to_string(*count) + " but the file name says " +
                                   std::to_string(split->count));
        if (Status s = checkSplitKeys(parsed[0], firstPath, 0, split->count); !s)
            return s;
        std::set<std::string, std::less<>> names;
        for (const GgufTensorInfo& t : parsed[0].tensors)
            names.insert(t.name);
        for (int i = 1; i < split->count; ++i) {
            const std::string partPath = splitPartPath(split->prefix, i + 1, split->count);
            Result<LoadedPart> next = loadPart(partPath);
            if (!next)
                return Status::failure(next.message() + " (part " + std::to_string(i + 1) + " of a split model)");
            if (Status s = checkSplitKeys(next->parsed, partPath, i, split->count); !s)
                return s;
            for (const GgufTensorInfo& t : next->parsed.tensors) {
                if (!names.insert(t.name).second)
                    return Status::failure(partPath + ": tensor '" + t.name + "' also appears in an earlier part");
            }
            paths.push_back(partPath);
            parts.push_back(std::move(next->part));
            parsed.push_back(std::move(next->parsed));
        }
        const std::optional<int64_t> expected = intKey(parsed[0], "split.tensors.count");
        if (expected && static_cast<uint64_t>(*expected) != names.size())
            return Status::failure(firstPath + ": split.tensors.count is " + std::to_string(*expected) + " but the " +
                                   std::to_string(split->count) + " parts hold " + std::to_string(names.size()) +
                                   " tensors");
    }
    return GgufParser::assemble(std::move(paths), std::move(parts), std::move(parsed));
}

Result<GgufFile> GgufFile::parse(std::span<const uint8_t> bytes, const std::string& displayName)
{
    Result<GgufParsedPart> parsed = parseGgufPart(bytes, displayName);
    if (!parsed)
        return parsed.status();
    auto part = std::make_unique<Part>();
    part->bytes = bytes;
    part->dataStart = parsed->dataStart;
    std::vector<std::unique_ptr<Part>> parts;
    parts.push_back(std::move(part));
    std::vector<GgufParsedPart> all;
    all.push_back(std::move(parsed).value());
    return GgufParser::assemble({displayName}, std::move(parts), std::move(all));
}

uint64_t GgufFile::fileBytes() const
{
    uint64_t total = 0;
    for (const auto& part : m_parts)
        total += part->bytes.size();
    return total;
}

const GgufValue* GgufFile::find(std::string_view key) const
{
    for (const GgufKeyValue& kv : m_metadata) {
        if (kv.key == key)
            return &kv.value;
    }
    return nullptr;
}

std::optional<int64_t> GgufFile::getInt(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asInt() : std::nullopt;
}

std::optional<double> GgufFile::getFloat(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asFloat() : std::nullopt;
}

std::optional<bool> GgufFile::getBool(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asBool() : std::nullopt;
}

std::optional<std::string_view> GgufFile::getString(std::string_view key) const
{
    const GgufValue* v = find(key);
    return v ? v->asString() : std::nullopt;
}

std::string GgufFile::architecture() const
{
    return std::string(getString("general.architecture").value_or(""));
}

const GgufTensorInfo* GgufFile::findTensor(std::string_view name) const
{
    for (const GgufTensorInfo& t : m_tensors) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

std::span<const uint8_t> GgufFile::tensorData(const GgufTensorInfo& tensor) const
{
    const Part& part = *m_parts.at(tensor.fileIndex);
    // The parser checked that offset + size lies inside the data section.
    return part.bytes.subspan(part.dataStart + tensor.offset, tensor.byteSize);
}

}  // namespace vela
