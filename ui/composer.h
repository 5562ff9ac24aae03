// The message box under the chat: Enter sends, Shift+Enter starts a new line, Esc stops the answer being
// generated. Its button reads "Send" or "Stop" to match.
#pragma once

#include <QWidget>

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

signals:
    void sendRequested(const QString& text);
    void stopRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void submit();
    void updateButton();

    QPlainTextEdit* m_edit;
    QPushButton* m_button;
    bool m_generating = false;
    bool m_canSend = false;
};

}  // namespace vela::ui
