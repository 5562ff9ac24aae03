#include "adapter_box.h"

#include "library/model_library.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace vela::ui {

using vela::app::LoraChoice;

namespace {

constexpr int kVisibleRows = 4;
constexpr double kScaleLimit = 10.0;  // LoRA scales in use are around 0…2; negative ones subtract an adapter

}  // namespace

AdapterBox::AdapterBox(QWidget* parent)
    : QWidget(parent),
      m_table(new QTableWidget(0, 2, this)),
      m_hint(new QLabel(tr("None. Add a LoRA adapter made for this model (llama.cpp adapter GGUF)."), this)),
      m_problem(new QLabel(this)),
      m_add(new QPushButton(tr("Add…"), this)),
      m_remove(new QPushButton(tr("Remove"), this))
{
    setObjectName("adapterBox");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* heading = new QLabel(tr("<b>Adapters (LoRA)</b>"), this);
    heading->setContentsMargins(0, 8, 0, 0);
    layout->addWidget(heading);

    m_table->setObjectName("adapterList");
    m_table->setHorizontalHeaderLabels({tr("File"), tr("Scale")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);  // a long file name is elided in the middle, its tooltip has the whole path
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    layout->addWidget(m_table);
    m_hint->setObjectName("adapterHint");
    m_hint->setWordWrap(true);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_hint);

    m_problem->setObjectName("adapterProblem");
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet("QLabel { color: #b3261e; background: #fdecea; border-radius: 4px; padding: 6px; }");
    m_problem->hide();

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_remove->setObjectName("removeAdapter");
    m_add->setObjectName("addAdapter");
    m_add->setToolTip(tr("Apply a LoRA adapter (.gguf) to this model; it reloads with it"));
    buttons->addWidget(m_remove);
    buttons->addWidget(m_add);
    layout->addLayout(buttons);
    layout->addWidget(m_problem);

    m_scaleSettle.setSingleShot(true);
    m_scaleSettle.setInterval(kScaleSettleMs);
    connect(&m_scaleSettle, &QTimer::timeout, this, [this] { emit adaptersChanged(adapters()); });
    connect(m_add, &QPushButton::clicked, this, &AdapterBox::chooseFile);
    connect(m_remove, &QPushButton::clicked, this, &AdapterBox::removeSelected);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &AdapterBox::updateButtons);
    hide();
}

void AdapterBox::setModel(const QString& modelPath, const QList<LoraChoice>& adapters)
{
    m_scaleSettle.stop();
    m_modelPath = modelPath;
    m_table->setRowCount(0);
    for (const LoraChoice& adapter : adapters)
        appendRow(adapter);
    showProblems({});
    updateButtons();
    setVisible(!modelPath.isEmpty());
}

void AdapterBox::appendRow(const LoraChoice& adapter)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto* name = new QTableWidgetItem(QFileInfo(adapter.path).fileName());
    name->setData(Qt::UserRole, adapter.path);
    name->setToolTip(QDir::toNativeSeparators(adapter.path));
    m_table->setItem(row, 0, name);
    auto* scale = new QDoubleSpinBox(m_table);
    scale->setRange(-kScaleLimit, kScaleLimit);
    scale->setDecimals(2);
    scale->setSingleStep(0.1);
    scale->setValue(adapter.scale);
    scale->setKeyboardTracking(false);  // typed digits count once the edit is done
    scale->setFrame(false);
    scale->setToolTip(tr("How strongly the adapter applies: 0 = not at all, 1 = as trained"));
    connect(scale, &QDoubleSpinBox::valueChanged, this, [this] { m_scaleSettle.start(); });
    m_table->setCellWidget(row, 1, scale);
}

void AdapterBox::updateButtons()
{
    m_remove->setEnabled(!m_table->selectedItems().isEmpty());
    const int rows = m_table->rowCount();
    m_remove->setVisible(rows > 0);
    m_table->setVisible(rows > 0);
    m_hint->setVisible(rows == 0);
    // Tall enough for the rows (up to a few, then it scrolls): a short list leaves no empty space.
    const int rowHeight = rows > 0 ? m_table->rowHeight(0) : 0;
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + rowHeight * std::min(rows, kVisibleRows) +
                            2 * m_table->frameWidth());
}

QList<LoraChoice> AdapterBox::adapters() const
{
    QList<LoraChoice> list;
    for (int row = 0; row < m_table->rowCount(); ++row)
        list.append({m_table->item(row, 0)->data(Qt::UserRole).toString(), scaleBox(row)->value()});
    return list;
}

QDoubleSpinBox* AdapterBox::scaleBox(int row) const
{
    return qobject_cast<QDoubleSpinBox*>(m_table->cellWidget(row, 1));
}

void AdapterBox::chooseFile()
{
    const QString folder = QFileInfo(m_modelPath).absolutePath();
    const QString path = m_fileChooser ? m_fileChooser()
                                       : QFileDialog::getOpenFileName(this, tr("Add a LoRA adapter"), folder,
                                                                      tr("GGUF adapters (*.gguf);;All files (*)"));
    if (!path.isEmpty())
        addAdapter(path);
}

void AdapterBox::addAdapter(const QString& path)
{
    // Checked before anything reloads: a refused adapter leaves the model as it is.
    const QString problem = vela::app::ModelLibrary::checkAdapter(m_modelPath, path);
    if (!problem.isEmpty()) {
        showProblems({tr("Not added: %1").arg(problem)});
        return;
    }
    showProblems({});
    appendRow({path, 1.0});
    updateButtons();
    emit adaptersChanged(adapters());
}

void AdapterBox::removeSelected()
{
    const QList<QTableWidgetItem*> selected = m_table->selectedItems();
    if (selected.isEmpty())
        return;
    m_table->removeRow(selected.front()->row());
    updateButtons();
    emit adaptersChanged(adapters());
}

void AdapterBox::showProblems(const QStringList& problems)
{
    m_problem->setText(problems.join(QLatin1Char('\n')));
    m_problem->setVisible(!problems.isEmpty());
}

QString AdapterBox::problemText() const
{
    return m_problem->text();
}

bool AdapterBox::isProblemShown() const
{
    return !m_problem->isHidden();
}

}  // namespace vela::ui
