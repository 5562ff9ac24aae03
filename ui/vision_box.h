// The model panel's Images section: whether the loaded model sees images — "sees images (Gemma 3 vision)"
// with the projector's file, or "text only" — and Projector… to choose its vision projector (an mmproj GGUF)
// by hand when it does not sit beside the model; a projector that could not be used shows why.
#pragma once

#include "worker/generation_request.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;

namespace vela::ui {

class VisionBox : public QWidget {
    Q_OBJECT

public:
    explicit VisionBox(QWidget* parent = nullptr);

    // The loaded model; an empty path (no model) hides the box.
    void setModel(const vela::app::ModelSummary& summary);
    // The open-file dialog; tests replace it (a modal dialog would block them).
    void setFileChooser(std::function<QString()> chooser) { m_fileChooser = std::move(chooser); }

    QString statusText() const;
    QString problemText() const;
    QPushButton* chooseButton() const { return m_choose; }

signals:
    void projectorChosen(const QString& path);

private:
    void chooseFile();

    QString m_modelPath;
    std::function<QString()> m_fileChooser;
    QLabel* m_status;
    QLabel* m_problem;
    QPushButton* m_choose;
};

}  // namespace vela::ui
