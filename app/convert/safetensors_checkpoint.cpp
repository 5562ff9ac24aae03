#include "convert/safetensors_checkpoint.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <set>

namespace vela {
namespace {

// The shard files of an index: the values of weight_map, each a plain file name beside the index.
Result<QStringList> shardsOfIndex(const QDir& folder, const QString& indexName)
{
    QFile file(folder.filePath(indexName));
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure("cannot open " + file.fileName().toStdString());
    const QJsonObject map = QJsonDocument::fromJson(file.readAll()).object().value("weight_map").toObject();
    std::set<QString> names;
    for (const QJsonValue& v : map) {
        const QString name = v.toString();
        if (name.isEmpty() || name.contains('/') || name.contains('\\') || name == ".." || name == ".")
            return Status::failure(file.fileName().toStdString() + ": weight_map names a shard '" +
                                   name.toStdString() + "' that is not a file beside it");
        names.insert(name);
    }
    if (names.empty())
        return Status::failure(file.fileName().toStdString() + ": no weight_map (not a safetensors index)");
    return QStringList(names.begin(), names.end());
}

}  // namespace

Result<SafetensorsCheckpoint> SafetensorsCheckpoint::open(const std::string& folderPath)
{
    const QDir folder(QString::fromStdString(folderPath));
    QStringList names;
    if (folder.exists("model.safetensors.index.json")) {
        Result<QStringList> shards = shardsOfIndex(folder, "model.safetensors.index.json");
        if (!shards)
            return shards.status();
        names = *shards;
    } else {
        names = folder.entryList({"*.safetensors"}, QDir::Files, QDir::Name);
    }
    if (names.isEmpty())
        return Status::failure(folderPath + " has no model.safetensors (nor any *.safetensors file)");

    SafetensorsCheckpoint checkpoint;
    for (const QString& name : names) {
        Result<SafetensorsFile> file = SafetensorsFile::open(folder.filePath(name).toStdString());
        if (!file)
            return file.status();
        checkpoint.m_files.push_back(std::move(file).value());
    }
    std::set<std::string_view> seen;
    for (const SafetensorsFile& file : checkpoint.m_files) {
        for (const SafetensorsTensor& tensor : file.tensors()) {
            if (!seen.insert(tensor.name).second)
                return Status::failure(file.path() + ": tensor '" + tensor.name + "' is also in another shard");
            checkpoint.m_entries.push_back({&file, &tensor});
        }
    }
    return checkpoint;
}

}  // namespace vela
