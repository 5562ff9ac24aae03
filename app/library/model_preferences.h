// What the user chose about models, remembered across runs (QSettings): the recently opened files, the
// Vulkan device to load on, and per model file a chat-template override, the LoRA adapters to apply and a
// vision projector chosen by hand.
#pragma once

#include "worker/generation_request.h"

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

    // The LoRA adapters loaded with the model, in order; an empty list is removed.
    QList<LoraChoice> adapters(const QString& modelPath) const;
    void setAdapters(const QString& modelPath, const QList<LoraChoice>& adapters);

    // The vision projector the user chose by hand for the model; "" = the one beside it, if any
    // (ModelLibrary::pairedProjector). Setting "" forgets the choice.
    QString projector(const QString& modelPath) const;
    void setProjector(const QString& modelPath, const QString& projectorPath);
};

}  // namespace vela::app
