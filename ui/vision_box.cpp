#include "vision_box.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace vela::ui {

VisionBox::VisionBox(QWidget* parent)
    : QWidget(parent), m_status(new QLabel(this)), m_problem(new QLabel(this)), m_choose(new QPushButton(tr("Projector…"), this))
{
    setObjectName("visionBox");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* heading = new QLabel(tr("<b>Images</b>"), this);
    heading->setContentsMargins(0, 8, 0, 0);
    layout->addWidget(heading);
    m_status->setObjectName("visionStatus");
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    m_problem->setObjectName("visionProblem");
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet("QLabel { color: #b3261e; background: #fdecea; border-radius: 4px; padding: 6px; }");
    m_problem->hide();
    layout->addWidget(m_problem);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_choose->setObjectName("chooseProjector");
    m_choose->setToolTip(tr("Choose this model's vision projector (an mmproj .gguf file); the model reloads with it"));
    buttons->addWidget(m_choose);
    layout->addLayout(buttons);
    connect(m_choose, &QPushButton::clicked, this, &VisionBox::chooseFile);
    hide();
}

void VisionBox::setModel(const vela::app::ModelSummary& summary)
{
    m_modelPath = summary.path;
    setVisible(!m_modelPath.isEmpty());
    if (summary.seesImages())
        m_status->setText(tr("Sees images (%1)<br><span style='color:%3'>projector %2</span>")
                              .arg(vela::app::visionKindName(summary.vision),
                                   QFileInfo(summary.projectorPath).fileName().toHtmlEscaped(),
                                   palette().color(QPalette::PlaceholderText).name()));
    else
        m_status->setText(tr("Text only — no vision projector. Drop images on a vision model (its mmproj file "
                             "beside it), or choose the projector here."));
    m_status->setToolTip(QDir::toNativeSeparators(summary.projectorPath));
    m_problem->setText(summary.visionProblem.isEmpty() ? QString() : tr("Projector left out: %1").arg(summary.visionProblem));
    m_problem->setVisible(!summary.visionProblem.isEmpty());
}

QString VisionBox::statusText() const
{
    return m_status->text();
}

QString VisionBox::problemText() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void VisionBox::chooseFile()
{
    const QString folder = QFileInfo(m_modelPath).absolutePath();
    const QString path = m_fileChooser ? m_fileChooser()
                                       : QFileDialog::getOpenFileName(this, tr("Choose the vision projector"), folder,
                                                                      tr("Vision projectors (*mmproj*.gguf *.gguf)"));
    if (!path.isEmpty())
        emit projectorChosen(path);
}

}  // namespace vela::ui
