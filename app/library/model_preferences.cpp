#include "library/model_preferences.h"

#include <QFileInfo>
#include <QSettings>
#include <QVariantMap>

namespace vela::app {
namespace {

constexpr auto kRecentKey = "models/recent";
constexpr auto kDeviceKey = "models/device";
// One map, path → template: paths hold '/', which QSettings would read as nested groups in a key.
constexpr auto kOverridesKey = "models/templateOverrides";
// Likewise path → list of {path, scale}.
constexpr auto kAdaptersKey = "models/loraAdapters";
// And path → projector path.
constexpr auto kProjectorsKey = "models/projectors";

QString canonical(const QString& path)
{
    return QFileInfo(path).absoluteFilePath();
}

}  // namespace

QStringList ModelPreferences::recentModels() const
{
    QSettings settings;
    const QStringList stored = settings.value(kRecentKey).toStringList();
    QStringList existing;
    for (const QString& path : stored) {
        if (QFileInfo(path).isFile())
            existing << path;
    }
    if (existing.size() != stored.size())
        settings.setValue(kRecentKey, existing);
    return existing;
}

void ModelPreferences::addRecentModel(const QString& path)
{
    QStringList list = recentModels();
    const QString file = canonical(path);
    list.removeAll(file);
    list.prepend(file);
    while (list.size() > kRecentLimit)
        list.removeLast();
    QSettings().setValue(kRecentKey, list);
}

QString ModelPreferences::device() const
{
    return QSettings().value(kDeviceKey).toString();
}

void ModelPreferences::setDevice(const QString& name)
{
    QSettings().setValue(kDeviceKey, name);
}

QString ModelPreferences::templateOverride(const QString& modelPath) const
{
    return QSettings().value(kOverridesKey).toMap().value(canonical(modelPath)).toString();
}

void ModelPreferences::setTemplateOverride(const QString& modelPath, const QString& source)
{
    QSettings settings;
    QVariantMap overrides = settings.value(kOverridesKey).toMap();
    if (source.trimmed().isEmpty())
        overrides.remove(canonical(modelPath));
    else
        overrides.insert(canonical(modelPath), source);
    settings.setValue(kOverridesKey, overrides);
}

QList<LoraChoice> ModelPreferences::adapters(const QString& modelPath) const
{
    QList<LoraChoice> list;
    const QVariantList stored = QSettings().value(kAdaptersKey).toMap().value(canonical(modelPath)).toList();
    for (const QVariant& item : stored) {
        const QVariantMap adapter = item.toMap();
        if (!adapter.value("path").toString().isEmpty())
            list.append({adapter.value("path").toString(), adapter.value("scale", 1.0).toDouble()});
    }
    return list;
}

void ModelPreferences::setAdapters(const QString& modelPath, const QList<LoraChoice>& adapters)
{
    QSettings settings;
    QVariantMap all = settings.value(kAdaptersKey).toMap();
    QVariantList list;
    for (const LoraChoice& adapter : adapters)
        list.append(QVariantMap{{"path", adapter.path}, {"scale", adapter.scale}});
    if (list.isEmpty())
        all.remove(canonical(modelPath));
    else
        all.insert(canonical(modelPath), list);
    settings.setValue(kAdaptersKey, all);
}

QString ModelPreferences::projector(const QString& modelPath) const
{
    return QSettings().value(kProjectorsKey).toMap().value(canonical(modelPath)).toString();
}

void ModelPreferences::setProjector(const QString& modelPath, const QString& projectorPath)
{
    QSettings settings;
    QVariantMap all = settings.value(kProjectorsKey).toMap();
    if (projectorPath.isEmpty())
        all.remove(canonical(modelPath));
    else
        all.insert(canonical(modelPath), canonical(projectorPath));
    settings.setValue(kProjectorsKey, all);
}

}  // namespace vela::app
