// The model panel's prompt-format row: which template renders the chat (the model's, a built-in format
// standing in for one that cannot be parsed — and where it failed —, the user's override, or plain text),
// and a box to override the template for this model file (empty = the model's own), applied at once.
#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace vela::ui {

class TemplateBox : public QWidget {
    Q_OBJECT

public:
    explicit TemplateBox(QWidget* parent = nullptr);

    // The loaded model's saved override goes into the box; no model ("") hides the box.
    void setModel(const QString& path, const QString& savedOverride);
    void setFormat(const QString& description);

    QString formatText() const;  // "Prompt format: …" as plain text
    QPlainTextEdit* editor() const { return m_editor; }
    QPushButton* applyButton() const { return m_apply; }
    QPushButton* resetButton() const { return m_reset; }

signals:
    void overrideApplied(const QString& source);  // "" = back to the model's own

private:
    QLabel* m_format;
    QPlainTextEdit* m_editor;
    QPushButton* m_apply;
    QPushButton* m_reset;
    QWidget* m_overrideRow;
    QString m_description;
};

}  // namespace vela::ui
