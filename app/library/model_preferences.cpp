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

}  // namespace vela::app
