#include "library/model_library.h"

#include "vela/gguf.h"
#include "vela/language_model.h"
#include "vela/model_info.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace vela::app {
namespace {

bool isProjector(const QString& fileName)
{
    return fileName.contains("mmproj", Qt::CaseInsensitive);
}

QString dominantType(const ModelInfo& info)
{
    const auto largest = std::max_element(info.tensorTypes.begin(), info.tensorTypes.end(),
                                          [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
    if (largest == info.tensorTypes.end())
        return {};
    const std::string_view name = ggmlTypeName(largest->type);
    return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
}

// A projector sits beside its model and shares a prefix of its name ("gemma3-…-mmproj.gguf").
QString projectorFor(const QString& modelPath, const QStringList& projectors)
{
    const QString stem = QFileInfo(modelPath).completeBaseName();
    QString found;
    for (const QString& p : projectors) {
        const QString other = QFileInfo(p).completeBaseName();
        if (other.startsWith(stem) || other.startsWith(stem.section('-', 0, -2) + "-mmproj"))
            found = p;
    }
    return found;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

ModelEntry ModelLibrary::describe(const QString& path, uint32_t contextLength)
{
    ModelEntry entry;
    const QFileInfo file(path);
    entry.path = file.absoluteFilePath();
    entry.name = file.completeBaseName();
    entry.fileBytes = static_cast<uint64_t>(file.size());
    Result<GgufFile> gguf = GgufFile::open(path.toStdString());
    if (!gguf) {
        // The panel names the file already: "<path>: " would say it twice.
        entry.problem = QString::fromStdString(gguf.message());
        const QString prefix = path + QLatin1String(": ");
        if (entry.problem.startsWith(prefix))
            entry.problem.remove(0, prefix.size());
        return entry;
    }
    const ModelInfo info = describeModel(*gguf);
    if (!info.name.empty())
        entry.name = QString::fromStdString(info.name);
    entry.architecture = QString::fromStdString(info.architecture);
    entry.parameters = info.parameterCount;
    entry.quantization = dominantType(info);
    entry.fileBytes = gguf->fileBytes();
    const MemoryEstimate estimate = estimateMemory(info, std::min(contextLength, std::max(info.contextLength, 1u)));
    entry.contextLength = estimate.contextLength;
    entry.estimatedBytes = estimate.totalBytes();
    entry.weightBytes = estimate.weightBytes;
    entry.kvCacheBytes = estimate.kvCacheBytes;
    const std::vector<std::string> supported = LanguageModel::supportedArchitectures();
    entry.supported = std::find(supported.begin(), supported.end(), info.architecture) != supported.end();
    if (!entry.supported)
        entry.problem = QStringLiteral("unsupported architecture '%1' (Vela runs %2 models so far)")
                            .arg(entry.architecture, QString::fromStdString(joined(supported)));
    return entry;
}

QList<ModelEntry> ModelLibrary::scanFolder(const QString& folder, uint32_t contextLength)
{
    const QDir dir(folder);
    const QStringList files = dir.entryList({"*.gguf"}, QDir::Files | QDir::Readable, QDir::Name);
    QStringList projectors;
    QList<ModelEntry> entries;
    for (const QString& f : files) {
        if (isProjector(f))
            projectors << dir.absoluteFilePath(f);
        else
            entries << describe(dir.absoluteFilePath(f), contextLength);
    }
    for (ModelEntry& e : entries)
        e.mmprojPath = projectorFor(e.path, projectors);
    return entries;
}

QString ModelLibrary::pairedProjector(const QString& modelPath)
{
    const QFileInfo model(modelPath);
    const QDir dir = model.absoluteDir();
    QStringList projectors;
    for (const QString& f : dir.entryList({"*.gguf"}, QDir::Files | QDir::Readable, QDir::Name)) {
        if (isProjector(f))
            projectors << dir.absoluteFilePath(f);
    }
    return projectorFor(model.absoluteFilePath(), projectors);
}

QString ModelLibrary::checkAdapter(const QString& modelPath, const QString& adapterPath)
{
    const Status checked = LanguageModel::checkLoraAdapter(QFile::encodeName(modelPath).toStdString(),
                                                           QFile::encodeName(adapterPath).toStdString());
    return checked ? QString() : QString::fromStdString(checked.message());
}

}  // namespace vela::app
