#include "undo_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>

namespace vela::ui {

UndoBar::UndoBar(QWidget* parent)
    : QFrame(parent), m_label(new QLabel(this)), m_button(new QPushButton(tr("Undo"), this)),
      m_shortcut(new QShortcut(QKeySequence::Undo, this))
{
    setObjectName("undoBar");
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_button);
    m_label->setWordWrap(true);
    m_button->setToolTip(tr("Undo (Ctrl+Z)"));
    // The bar is a child of the window, so the shortcut works wherever the focus is, while the bar shows.
    m_shortcut->setContext(Qt::WindowShortcut);
    m_shortcut->setEnabled(false);
    m_timer.setSingleShot(true);
    m_timer.setInterval(kDefaultTimeoutMs);
    connect(&m_timer, &QTimer::timeout, this, &UndoBar::dismiss);
    connect(m_button, &QPushButton::clicked, this, &UndoBar::undo);
    connect(m_shortcut, &QShortcut::activated, this, &UndoBar::undo);
    hide();
}

void UndoBar::offer(const QString& text)
{
    m_label->setText(text);
    m_shortcut->setEnabled(true);
    show();
    m_timer.start();
}

void UndoBar::dismiss()
{
    m_timer.stop();
    m_shortcut->setEnabled(false);
    hide();
}

QString UndoBar::text() const
{
    return m_label->text();
}

void UndoBar::undo()
{
    dismiss();
    emit undoRequested();
}

}  // namespace vela::ui
