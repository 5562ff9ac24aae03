#include "support/model_copy.h"

namespace vela::test {

QString writeModelCopy(const QString& source, const QString& target, const std::function<void(GgufWriter&)>& edit)
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
        const std::span<const uint8_t> bytes = file->tensorData(t);
        const std::vector<uint64_t> dims(t.dims.begin(), t.dims.begin() + t.nDims);
        if (!writer.addTensor(t.name, t.type, dims, {bytes.begin(), bytes.end()}).isOk())
            return {};
    }
    return writer.writeFile(target.toStdString()).isOk() ? target : QString();
}

}  // namespace vela::test
