// The right column: the loaded model, how to load another (Open…, a .gguf dropped on the window, or one
// from the models folder), what a model would cost before it is loaded (ModelLibrary's memory estimate),
// the load's progress with Cancel, and a load error in words.
#pragma once

#include "library/model_library.h"
#include "worker/generation_request.h"

#include <QList>
#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace vela::ui {

class ModelPanel : public QWidget {
    Q_OBJECT

public:
    explicit ModelPanel(QWidget* parent = nullptr);

    // Lists the folder's models (not recursing); an empty or missing folder shows a hint.
    void setModelsFolder(const QString& folder);
    QString modelsFolder() const { return m_folder; }
    int listedModels() const;

    // Describes `path`; a file that cannot be used shows why, anything else is requested for loading.
    void openModel(const QString& path);

    // From the controller.
    void setLoading(bool loading);
    void setProgress(double fraction);
    void showModel(const vela::app::ModelSummary& summary);
    void showError(const QString& message);  // leaves the loaded model as it is
    void showNoModel();                       // after a failed load: the old model is gone too

    QString errorText() const;
    bool isErrorShown() const;
    bool isLoading() const { return m_loading; }

    static QString formatBytes(quint64 bytes);
    static QString formatParameters(quint64 parameters);

signals:
    void loadRequested(const QString& path);
    void cancelRequested();

private:
    void chooseFile();
    void showEntry(const vela::app::ModelEntry& entry);
    void clearError();

    QString m_folder;
    QString m_loadedPath;
    QList<vela::app::ModelEntry> m_entries;
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
    bool m_loading = false;
};

}  // namespace vela::ui
