// What the user chose about models, remembered across runs (QSettings): the recently opened files, the
// Vulkan device to load on, and a chat-template override per model file.
#pragma once

#include <QString>
#include <QStringList>

namespace vela::app {

class ModelPreferences {
public:
    static constexpr int kRecentLimit = 8;

    // Newest first; files that no longer exist are left out (and forgotten).
    QStringList recentModels() const;
    void addRecentModel(const QString& path);

    // The device's name as Vulkan reports it ("" = the best device).
    QString device() const;
    void setDevice(const QString& name);

    // The template to use instead of the model's own; "" = the model's (an empty override is removed).
    QString templateOverride(const QString& modelPath) const;
    void setTemplateOverride(const QString& modelPath, const QString& source);
};

}  // namespace vela::app
