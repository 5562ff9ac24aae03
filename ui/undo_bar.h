// A strip that offers to undo something for a few seconds ("Deleted “Trip plans”.  [Undo]"), then hides.
// Ctrl+Z anywhere in the window undoes too while it shows (unless a text field takes the key for itself).
#pragma once

#include <QTimer>
#include <QFrame>

class QLabel;
class QPushButton;
class QShortcut;

namespace vela::ui {

class UndoBar : public QFrame {
    Q_OBJECT

public:
    static constexpr int kDefaultTimeoutMs = 8000;

    explicit UndoBar(QWidget* parent = nullptr);

    void offer(const QString& text);  // shows `text` and the Undo button, restarting the timer
    void dismiss();
    void setTimeout(int ms) { m_timer.setInterval(ms); }
    QString text() const;
    QPushButton* undoButton() const { return m_button; }

signals:
    void undoRequested();

private:
    void undo();

    QLabel* m_label;
    QPushButton* m_button;
    QShortcut* m_shortcut;
    QTimer m_timer;
};

}  // namespace vela::ui
