// The message box under the chat: Enter sends, Shift+Enter starts a new line, Esc stops the answer being
// generated. Its button reads "Send" or "Stop" to match. Editing a sent message happens here too: the box
// takes the old text, says so above it, and Enter sends the new version (Esc leaves it as it was).
#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace vela::ui {

class Composer : public QWidget {
    Q_OBJECT

public:
    explicit Composer(QWidget* parent = nullptr);

    QPlainTextEdit* editor() const { return m_edit; }
    QString text() const;
    void setGenerating(bool generating);
    void setCanSend(bool canSend);  // false while no model is loaded

    void beginEdit(qint64 messageId, const QString& text);
    void cancelEdit();
    qint64 editingMessage() const { return m_editing; }  // 0: composing a new message

signals:
    void sendRequested(const QString& text);
    void editSubmitted(qint64 messageId, const QString& text);
    void stopRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void submit();
    void updateButton();
    void fitHeight();

    QLabel* m_editNote;
    QPlainTextEdit* m_edit;
    QPushButton* m_button;
    qint64 m_editing = 0;
    bool m_generating = false;
    bool m_canSend = false;
};

}  // namespace vela::ui
