// PaliGemma's tasks as buttons above the message box, shown while a PaliGemma model is loaded: each fills the
// box with its prefix (PaliGemma was trained on these, not on chat), leaving the cursor where the rest goes —
// "caption en", "answer en <question>", "ocr", "detect <thing>" (whose boxes the chat view draws); text
// already typed becomes the question or the thing to detect.
#pragma once

#include <QWidget>

class QPlainTextEdit;
class QPushButton;

namespace vela::ui {

class PaliGemmaTasks : public QWidget {
    Q_OBJECT

public:
    enum class Task { Caption, Answer, Ocr, Detect };

    PaliGemmaTasks(QPlainTextEdit* editor, QWidget* parent = nullptr);

    QPushButton* button(Task task) const;
    static QString prefix(Task task);  // "caption en", "answer en ", "ocr", "detect "

private:
    void fill(Task task);

    QPlainTextEdit* m_editor;
};

}  // namespace vela::ui
