#include "paligemma_tasks.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>

namespace vela::ui {
namespace {

struct TaskButton {
    PaliGemmaTasks::Task task;
    const char* objectName;
    const char* label;
    const char* tip;
};

constexpr TaskButton kButtons[] = {
    {PaliGemmaTasks::Task::Caption, "taskCaption", QT_TRANSLATE_NOOP("PaliGemmaTasks", "Caption"),
     QT_TRANSLATE_NOOP("PaliGemmaTasks", "Describe the image (caption en)")},
    {PaliGemmaTasks::Task::Answer, "taskAnswer", QT_TRANSLATE_NOOP("PaliGemmaTasks", "Answer…"),
     QT_TRANSLATE_NOOP("PaliGemmaTasks", "Ask a question about the image (answer en …): type it after the prefix")},
    {PaliGemmaTasks::Task::Ocr, "taskOcr", QT_TRANSLATE_NOOP("PaliGemmaTasks", "Read text"),
     QT_TRANSLATE_NOOP("PaliGemmaTasks", "Read the text in the image (ocr)")},
    {PaliGemmaTasks::Task::Detect, "taskDetect", QT_TRANSLATE_NOOP("PaliGemmaTasks", "Detect…"),
     QT_TRANSLATE_NOOP("PaliGemmaTasks", "Find things and box them (detect …): type what, e.g. cat ; dog")},
};

}  // namespace

PaliGemmaTasks::PaliGemmaTasks(QPlainTextEdit* editor, QWidget* parent) : QWidget(parent), m_editor(editor)
{
    setObjectName("paligemmaTasks");
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    auto* label = new QLabel(tr("PaliGemma task:"), this);
    label->setForegroundRole(QPalette::PlaceholderText);
    row->addWidget(label);
    for (const TaskButton& b : kButtons) {
        auto* button = new QPushButton(tr(b.label), this);
        button->setObjectName(QLatin1String(b.objectName));
        button->setToolTip(tr(b.tip));
        button->setFocusPolicy(Qt::NoFocus);  // the cursor stays in the message box
        const Task task = b.task;
        connect(button, &QPushButton::clicked, this, [this, task] { fill(task); });
        row->addWidget(button);
    }
    row->addStretch(1);
}

QPushButton* PaliGemmaTasks::button(Task task) const
{
    for (const TaskButton& b : kButtons) {
        if (b.task == task)
            return findChild<QPushButton*>(QLatin1String(b.objectName));
    }
    return nullptr;
}

QString PaliGemmaTasks::prefix(Task task)
{
    switch (task) {
    case Task::Caption: return QStringLiteral("caption en");
    case Task::Answer: return QStringLiteral("answer en ");
    case Task::Ocr: return QStringLiteral("ocr");
    case Task::Detect: return QStringLiteral("detect ");
    }
    return {};
}

// What was typed stays as the question or the things to detect, without another task's prefix.
void PaliGemmaTasks::fill(Task task)
{
    QString rest = m_editor->toPlainText().trimmed();
    for (Task other : {Task::Caption, Task::Answer, Task::Ocr, Task::Detect}) {
        const QString p = prefix(other).trimmed();
        if (rest == p || rest.startsWith(p + QLatin1Char(' ')))
            rest = rest.mid(p.size()).trimmed();
    }
    const bool takesText = task == Task::Answer || task == Task::Detect;
    m_editor->setPlainText(prefix(task) + (takesText ? rest : QString()));
    m_editor->moveCursor(QTextCursor::End);
    m_editor->setFocus();
}

}  // namespace vela::ui
