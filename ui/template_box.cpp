#include "template_box.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace vela::ui {

TemplateBox::TemplateBox(QWidget* parent)
    : QWidget(parent),
      m_format(new QLabel(this)),
      m_editor(new QPlainTextEdit(this)),
      m_apply(new QPushButton(tr("Apply"), this)),
      m_reset(new QPushButton(tr("Use the model's"), this)),
      m_overrideRow(new QWidget(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_format->setObjectName("promptFormat");
    m_format->setWordWrap(true);
    m_format->setTextFormat(Qt::RichText);
    m_format->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_format);

    auto* row = new QVBoxLayout(m_overrideRow);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(4);
    m_editor->setObjectName("templateOverride");
    m_editor->setPlaceholderText(tr("Template override (Jinja) for this model — empty: the model's own"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setTabChangesFocus(true);
    m_editor->setFixedHeight(m_editor->fontMetrics().lineSpacing() * 4 + 12);
    row->addWidget(m_editor);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_reset);
    buttons->addWidget(m_apply);
    row->addLayout(buttons);
    layout->addWidget(m_overrideRow);
    m_overrideRow->hide();

    connect(m_apply, &QPushButton::clicked, this, [this] { emit overrideApplied(m_editor->toPlainText()); });
    connect(m_reset, &QPushButton::clicked, this, [this] {
        m_editor->clear();
        emit overrideApplied(QString());
    });
}

void TemplateBox::setModel(const QString& path, const QString& savedOverride)
{
    m_editor->setPlainText(savedOverride);
    m_overrideRow->setVisible(!path.isEmpty());
    if (path.isEmpty()) {
        m_format->clear();
        m_description.clear();
    }
}

void TemplateBox::setFormat(const QString& description)
{
    m_description = description;
    m_format->setText(tr("<b>Prompt format:</b> %1").arg(description.toHtmlEscaped()));
}

QString TemplateBox::formatText() const
{
    return m_description.isEmpty() ? QString() : tr("Prompt format: %1").arg(m_description);
}

}  // namespace vela::ui
