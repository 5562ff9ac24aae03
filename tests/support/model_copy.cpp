#include "support/model_copy.h"

namespace vela::test {

QString writeModelCopy(const QString& source, const QString& target, const std::function<void(GgufWriter&)>& edit,
                       const std::map<std::string, std::string>& dataFrom)
{
    Result<GgufFile> file = GgufFile::open(source.toStdString());
    if (!file.isOk())
        return {};
    GgufWriter writer;
    for (const GgufKeyValue& kv : file->metadata())
        writer.set(kv.key, kv.value);
    if (edit)
        edit(writer);
    for (const GgufTensorInfo& t : file->tensors()) {
        const auto other = dataFrom.find(t.name);
        const GgufTensorInfo* data = other == dataFrom.end() ? &t : file->findTensor(other->second);
        if (!data || data->type != t.type || data->byteSize != t.byteSize)
            return {};
        const std::span<const uint8_t> bytes = file->tensorData(*data);
        const std::vector<uint64_t> dims(t.dims.begin(), t.dims.begin() + t.nDims);
        if (!writer.addTensor(t.name, t.type, dims, {bytes.begin(), bytes.end()}).isOk())
            return {};
    }
    return writer.writeFile(target.toStdString()).isOk() ? target : QString();
}

}  // namespace vela::test
