#include "composer.h"

#include "attachment_strip.h"
#include "composer_editor.h"
#include "paligemma_tasks.h"

#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace vela::ui {

Composer::Composer(QWidget* parent)
    : QWidget(parent), m_editNote(new QLabel(this)), m_edit(new ComposerEditor(this)),
      m_button(new QPushButton(tr("Send"), this))
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(12, 6, 12, 10);
    column->setSpacing(4);
    column->addWidget(m_editNote);
    setUpImages();
    auto* layout = new QHBoxLayout();
    layout->setSpacing(8);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_button, 0, Qt::AlignBottom);
    column->addLayout(layout);
    m_editNote->setObjectName("editNote");
    m_editNote->setText(tr("Editing your message: Enter sends it as a new version (the old one stays a branch), "
                           "Esc cancels."));
    m_editNote->setWordWrap(true);
    m_editNote->hide();

    m_edit->setObjectName("composer");
    m_edit->setPlaceholderText(tr("Message (Enter sends, Shift+Enter for a new line, Esc stops, Ctrl+R answers again)"));
    m_edit->setTabChangesFocus(true);
    fitHeight();
    m_edit->installEventFilter(this);
    m_button->setMinimumWidth(80);
    m_button->setObjectName("sendButton");
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

// Three lines tall: enough to see a short paragraph, small enough to leave the chat the room. Again when
// the font size setting changes.
void Composer::fitHeight()
{
    const int lines = 3;
    m_edit->setFixedHeight(QFontMetrics(m_edit->font()).lineSpacing() * lines + 16);
}

void Composer::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange)
        fitHeight();
    QWidget::changeEvent(event);
}

void Composer::beginEdit(qint64 messageId, const QString& text)
{
    m_editing = messageId;
    m_edit->setPlainText(text);
    m_edit->moveCursor(QTextCursor::End);
    m_editNote->show();
    m_edit->setFocus();
    updateButton();
}

void Composer::cancelEdit()
{
    if (m_editing == 0)
        return;
    m_editing = 0;
    m_edit->clear();
    m_editNote->hide();
    updateButton();
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
    m_button->setText(m_generating ? tr("Stop") : m_editing != 0 ? tr("Send edit") : tr("Send"));
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
        else
            cancelEdit();
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
    if (m_generating || !m_canSend)
        return;
    if (!images().isEmpty() && m_editing == 0) {
        emit sendWithImagesRequested(text, images());
        return;
    }
    if (text.trimmed().isEmpty())
        return;
    m_edit->clear();
    if (m_editing != 0) {
        const qint64 id = m_editing;
        m_editing = 0;
        m_editNote->hide();
        updateButton();
        emit editSubmitted(id, text);
        return;
    }
    emit sendRequested(text);
}

}  // namespace vela::ui
