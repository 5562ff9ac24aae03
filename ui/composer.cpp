#include "composer.h"

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QPushButton>

namespace vela::ui {

Composer::Composer(QWidget* parent)
    : QWidget(parent), m_edit(new QPlainTextEdit(this)), m_button(new QPushButton(tr("Send"), this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 10);
    layout->setSpacing(8);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_button, 0, Qt::AlignBottom);

    m_edit->setObjectName("composer");
    m_edit->setPlaceholderText(tr("Message (Enter sends, Shift+Enter for a new line, Esc stops, Ctrl+R answers again)"));
    m_edit->setTabChangesFocus(true);
    // Three lines tall: enough to see a short paragraph, small enough to leave the chat the room.
    const int lines = 3;
    m_edit->setFixedHeight(QFontMetrics(m_edit->font()).lineSpacing() * lines + 16);
    m_edit->installEventFilter(this);
    m_button->setMinimumWidth(80);
    connect(m_button, &QPushButton::clicked, this, [this] {
        if (m_generating)
            emit stopRequested();
        else
            submit();
    });
    updateButton();
}

QString Composer::text() const
{
    return m_edit->toPlainText();
}

void Composer::setGenerating(bool generating)
{
    m_generating = generating;
    updateButton();
}

void Composer::setCanSend(bool canSend)
{
    m_canSend = canSend;
    updateButton();
}

void Composer::updateButton()
{
    m_button->setText(m_generating ? tr("Stop") : tr("Send"));
    m_button->setEnabled(m_generating || m_canSend);
}

bool Composer::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != m_edit || event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Escape) {
        if (m_generating)
            emit stopRequested();
        return true;
    }
    const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
    if (enter && !(key->modifiers() & Qt::ShiftModifier)) {
        submit();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

// The text stays in the box when it cannot be sent yet (no model, an answer still streaming).
void Composer::submit()
{
    const QString text = m_edit->toPlainText();
    if (m_generating || !m_canSend || text.trimmed().isEmpty())
        return;
    m_edit->clear();
    emit sendRequested(text);
}

}  // namespace vela::ui
