// The right column: the loaded model, how to load another (Open…, a .gguf dropped on the window, a recent
// one, or one from the models folder), the device to load on (DevicePicker), what a model would cost before
// it is loaded (ModelLibrary's memory estimate against the device's free memory: a model that cannot fit is
// refused here, with advice), the load's progress with Cancel, the prompt format in use with a template
// override (TemplateBox), the LoRA adapters applied to it (AdapterBox), whether it sees images and through
// which projector (VisionBox), and a load error in words.
#pragma once

#include "library/device_catalog.h"
#include "library/model_library.h"
#include "worker/generation_request.h"

#include <QList>
#include <QStringList>

#include <functional>
#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace vela::ui {

class AdapterBox;
class DevicePicker;
class TemplateBox;
class VisionBox;

class ModelPanel : public QWidget {
    Q_OBJECT

public:
    explicit ModelPanel(QWidget* parent = nullptr);

    // Lists the folder's models (not recursing); an empty or missing folder shows a hint.
    void setModelsFolder(const QString& folder);
    QString modelsFolder() const { return m_folder; }
    int listedModels() const;

    // Describes `path`; a file that cannot be used, or that cannot fit the chosen device, shows why (and
    // what would help); anything else is requested for loading.
    void openModel(const QString& path);
    // The context the chat will load with (estimates are made at it).
    void setContextLength(uint32_t tokens);
    // The open-file dialog; tests replace it (a modal dialog would block them).
    void setFileChooser(std::function<QString()> chooser) { m_fileChooser = std::move(chooser); }

    DevicePicker* devicePicker() const { return m_devices; }
    TemplateBox* templateBox() const { return m_template; }
    AdapterBox* adapterBox() const { return m_adapters; }
    VisionBox* visionBox() const { return m_vision; }
    QListWidget* recentList() const { return m_recent; }
    QListWidget* modelList() const { return m_list; }
    QPushButton* loadButton() const { return m_loadButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QString detailsText() const;
    QString currentText() const;
    void refreshRecent();

    // From the controller.
    void setLoading(bool loading);
    void setProgress(double fraction);
    void showModel(const vela::app::ModelSummary& summary);
    void showError(const QString& message);  // leaves the loaded model as it is
    void showNoModel();                       // after a failed load: the old model is gone too
    void showPromptFormat(const QString& description);
    void showCancelled();                     // a cancelled load: no model, no error

    QString errorText() const;
    bool isErrorShown() const;
    bool isLoading() const { return m_loading; }

    static QString formatBytes(quint64 bytes);
    static QString formatParameters(quint64 parameters);

signals:
    void loadRequested(const QString& path);
    // The loaded model's LoRA adapters changed (AdapterBox): it is to be reloaded with them.
    void adaptersRequested(const QList<vela::app::LoraChoice>& adapters);
    // A vision projector chosen by hand (VisionBox): the model is to be reloaded with it.
    void projectorRequested(const QString& path);
    void cancelRequested();

private:
    void chooseFile();
    void showEntry(const vela::app::ModelEntry& entry);
    void clearError();
    // The chosen device's verdict on `entry`; an always-fitting one when no device is usable (the engine
    // then says why it cannot load).
    vela::app::MemoryFit fitOf(const vela::app::ModelEntry& entry) const;

    QString m_folder;
    QString m_loadedPath;
    QList<vela::app::ModelEntry> m_entries;
    QStringList m_recentPaths;
    quint64 m_loadedBytes = 0;
    uint32_t m_contextLength = 4096;
    std::function<QString()> m_fileChooser;
    QLabel* m_current;
    QLabel* m_error;
    QLabel* m_details;
    QLabel* m_folderLabel;
    QListWidget* m_list;
    QPushButton* m_openButton;
    QPushButton* m_loadButton;
    QProgressBar* m_progress;
    QPushButton* m_cancelButton;
    QWidget* m_progressRow;
    DevicePicker* m_devices;
    TemplateBox* m_template;
    AdapterBox* m_adapters;
    VisionBox* m_vision;
    QListWidget* m_recent;
    bool m_loading = false;
};

}  // namespace vela::ui
