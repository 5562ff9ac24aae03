#include "model_panel.h"

#include "adapter_box.h"
#include "device_picker.h"
#include "template_box.h"
#include "vision_box.h"

#include "library/model_preferences.h"
#include "vela/device.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace vela::ui {

using vela::app::ModelEntry;
using vela::app::ModelLibrary;

namespace {

QLabel* makeWrappingLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QLabel* makeHeading(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped()), parent);
    label->setContentsMargins(0, 8, 0, 0);
    return label;
}

}  // namespace

ModelPanel::ModelPanel(QWidget* parent)
    : QWidget(parent),
      m_current(makeWrappingLabel(this)),
      m_error(makeWrappingLabel(this)),
      m_details(makeWrappingLabel(this)),
      m_folderLabel(new QLabel(this)),
      m_list(new QListWidget(this)),
      m_openButton(new QPushButton(tr("Open…"), this)),
      m_loadButton(new QPushButton(tr("Load"), this)),
      m_progress(new QProgressBar(this)),
      m_cancelButton(new QPushButton(tr("Cancel"), this)),
      m_progressRow(new QWidget(this)),
      m_devices(new DevicePicker(this)),
      m_template(new TemplateBox(this)),
      m_adapters(new AdapterBox(this)),
      m_vision(new VisionBox(this)),
      m_recent(new QListWidget(this))
{
    setObjectName("modelPanel");
    // Everything scrolls together: a short window must not squeeze the error or the template box.
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);
    auto* content = new QWidget(scroll);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 8, 8, 8);
    layout->setSpacing(6);

    layout->addWidget(makeHeading(tr("Model"), this));
    m_current->setObjectName("currentModel");
    m_current->setText(tr("No model loaded."));
    layout->addWidget(m_current);

    auto* progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancelButton);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progressRow->hide();
    layout->addWidget(m_progressRow);

    m_error->setObjectName("modelError");
    m_error->setStyleSheet("QLabel { color: #b3261e; background: #fdecea; border-radius: 4px; padding: 6px; }");
    m_error->hide();
    layout->addWidget(m_error);

    m_openButton->setToolTip(tr("Load a .gguf file (or drop one on the window)"));
    layout->addWidget(m_openButton);

    layout->addWidget(m_template);
    layout->addWidget(m_vision);
    layout->addWidget(m_adapters);

    layout->addWidget(makeHeading(tr("Device"), this));
    layout->addWidget(m_devices);

    auto* recentHeading = makeHeading(tr("Recent"), this);
    recentHeading->setObjectName("recentHeading");
    layout->addWidget(recentHeading);
    m_recent->setObjectName("recentModels");
    m_recent->setMaximumHeight(m_recent->fontMetrics().lineSpacing() * 4 + 12);
    m_recent->setTextElideMode(Qt::ElideMiddle);
    layout->addWidget(m_recent);

    layout->addWidget(makeHeading(tr("Models folder"), this));
    m_folderLabel->setObjectName("modelsFolder");
    m_folderLabel->setWordWrap(true);
    m_folderLabel->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_folderLabel);
    m_list->setObjectName("modelList");
    m_list->setWordWrap(true);
    m_list->setSpacing(2);
    m_list->setAlternatingRowColors(true);
    m_list->setMinimumHeight(m_list->fontMetrics().lineSpacing() * 7);
    layout->addWidget(m_list, 1);
    m_details->setObjectName("modelDetails");
    layout->addWidget(m_details);
    m_loadButton->setEnabled(false);
    layout->addWidget(m_loadButton);
    scroll->setWidget(content);

    connect(m_openButton, &QPushButton::clicked, this, &ModelPanel::chooseFile);
    connect(m_recent, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (!m_loading)
            openModel(item->data(Qt::UserRole).toString());
    });
    connect(m_devices, &DevicePicker::deviceChanged, this, [this] {
        if (m_list->currentRow() >= 0 && m_list->currentRow() < m_entries.size())
            showEntry(m_entries[m_list->currentRow()]);
    });
    refreshRecent();
    connect(m_cancelButton, &QPushButton::clicked, this, &ModelPanel::cancelRequested);
    connect(m_adapters, &AdapterBox::adaptersChanged, this, [this](const QList<vela::app::LoraChoice>& adapters) {
        clearError();
        setLoading(true);
        emit adaptersRequested(adapters);
    });
    connect(m_vision, &VisionBox::projectorChosen, this, [this](const QString& path) {
        clearError();
        setLoading(true);
        emit projectorRequested(path);
    });
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row < m_entries.size())
            showEntry(m_entries[row]);
    });
    connect(m_list, &QListWidget::itemDoubleClicked, this, [this] { m_loadButton->click(); });
    connect(m_loadButton, &QPushButton::clicked, this, [this] {
        const int row = m_list->currentRow();
        if (row >= 0 && row < m_entries.size())
            openModel(m_entries[row].path);
    });
}

void ModelPanel::setModelsFolder(const QString& folder)
{
    m_folder = folder;
    m_entries = folder.isEmpty() ? QList<ModelEntry>{} : ModelLibrary::scanFolder(folder, m_contextLength);
    m_list->clear();
    for (const ModelEntry& e : m_entries) {
        QString detail = e.problem.isEmpty()
                             ? QStringLiteral("%1 · %2 · %3").arg(e.quantization, formatParameters(e.parameters),
                                                                   formatBytes(e.fileBytes))
                             : e.problem;
        if (!e.mmprojPath.isEmpty() && e.problem.isEmpty())
            detail += tr(" · sees images");  // its projector sits beside it
        auto* item = new QListWidgetItem(QStringLiteral("%1\n%2").arg(e.name, detail), m_list);
        item->setToolTip(e.path);
        if (!e.supported)
            item->setForeground(palette().placeholderText());
    }
    const QString shown = folder.isEmpty() ? tr("(none)") : QDir::toNativeSeparators(folder);
    m_folderLabel->setText(m_entries.isEmpty() ? tr("%1 — no .gguf files").arg(shown) : shown);
    m_details->clear();
    m_loadButton->setEnabled(false);
}

int ModelPanel::listedModels() const
{
    return m_entries.size();
}

void ModelPanel::chooseFile()
{
    const QString path = m_fileChooser ? m_fileChooser()
                                       : QFileDialog::getOpenFileName(this, tr("Open a model"), m_folder,
                                                                      tr("GGUF models (*.gguf);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void ModelPanel::setContextLength(uint32_t tokens)
{
    if (tokens == m_contextLength || tokens == 0)
        return;
    m_contextLength = tokens;
    const int row = m_list->currentRow();
    setModelsFolder(m_folder);  // the estimates depend on it
    if (row >= 0 && row < m_entries.size())
        m_list->setCurrentRow(row);
}

void ModelPanel::refreshRecent()
{
    m_recentPaths = vela::app::ModelPreferences().recentModels();
    m_recent->clear();
    for (const QString& path : m_recentPaths) {
        auto* item = new QListWidgetItem(QFileInfo(path).fileName(), m_recent);
        item->setData(Qt::UserRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
    }
    m_recent->setVisible(!m_recentPaths.isEmpty());
    if (QWidget* heading = findChild<QWidget*>("recentHeading"))
        heading->setVisible(!m_recentPaths.isEmpty());
}

vela::app::MemoryFit ModelPanel::fitOf(const ModelEntry& entry) const
{
    const vela::DeviceDescription* device = m_devices->chosen();
    if (!device)
        return {};
    // The loaded model is freed before the next one loads: its memory counts as free.
    return vela::app::DeviceCatalog::checkFit(entry, *device, m_loadedPath.isEmpty() ? 0 : m_loadedBytes);
}

void ModelPanel::showEntry(const ModelEntry& entry)
{
    if (!entry.problem.isEmpty()) {
        m_details->setText(entry.problem.toHtmlEscaped());
        m_loadButton->setEnabled(false);
        return;
    }
    const vela::app::MemoryFit fit = fitOf(entry);
    QString memory;
    if (!fit.summary.isEmpty())
        memory = fit.fits ? tr("<br>Fits: %1").arg(fit.summary.toHtmlEscaped())
                          : tr("<br><span style='color:#b3261e'><b>Does not fit</b>: %1. %2</span>")
                                .arg(fit.summary.toHtmlEscaped(), fit.advice.toHtmlEscaped());
    m_details->setText(tr("<b>%1</b><br>%2, %3 parameters, %4<br>Needs about <b>%5</b> "
                          "(weights + KV cache for %6 tokens)%7")
                           .arg(entry.name.toHtmlEscaped(), entry.architecture, formatParameters(entry.parameters),
                                entry.quantization, formatBytes(entry.estimatedBytes))
                           .arg(entry.contextLength)
                           .arg(memory));
    const bool loaded = !m_loadedPath.isEmpty() && QFileInfo(entry.path) == QFileInfo(m_loadedPath);
    m_loadButton->setEnabled(entry.supported && fit.fits && !m_loading && !loaded);
}

void ModelPanel::openModel(const QString& path)
{
    clearError();
    const ModelEntry entry = ModelLibrary::describe(path, m_contextLength);
    if (!entry.problem.isEmpty() || !entry.supported) {
        const QString why = entry.problem.isEmpty() ? tr("the architecture “%1” is not supported yet").arg(entry.architecture)
                                                    : entry.problem;
        showError(tr("Cannot load %1: %2").arg(QFileInfo(path).fileName(), why));
        return;
    }
    m_devices->refresh();  // free memory changes as this and other programs allocate
    const vela::app::MemoryFit fit = fitOf(entry);
    if (!fit.fits) {
        showError(tr("Cannot load %1: it %2. %3").arg(QFileInfo(path).fileName(), fit.summary, fit.advice));
        return;
    }
    showEntry(entry);
    setLoading(true);
    emit loadRequested(path);
}

void ModelPanel::setLoading(bool loading)
{
    m_loading = loading;
    m_progress->setValue(0);
    m_progressRow->setVisible(loading);
    m_openButton->setEnabled(!loading);
    m_adapters->setEnabled(!loading);
    m_vision->setEnabled(!loading);
    m_loadButton->setEnabled(!loading && m_list->currentRow() >= 0);
    if (loading)
        m_current->setText(tr("Loading…"));
}

void ModelPanel::setProgress(double fraction)
{
    m_progress->setValue(static_cast<int>(fraction * m_progress->maximum()));
}

void ModelPanel::showModel(const vela::app::ModelSummary& s)
{
    setLoading(false);
    clearError();
    m_current->setText(tr("<b>%1</b><br>%2 · %3 parameters · %4<br>%5<br>context %6 tokens · %7 in use")
                           .arg(s.name.toHtmlEscaped(), s.architecture, formatParameters(s.parameters), s.quant,
                                s.device.toHtmlEscaped())
                           .arg(s.context)
                           .arg(formatBytes(s.memory)));
    if (!s.adapters.isEmpty())
        m_current->setText(m_current->text() + (s.adapters.size() == 1
                                                    ? tr("<br>with 1 LoRA adapter")
                                                    : tr("<br>with %1 LoRA adapters").arg(s.adapters.size())));
    m_current->setText(m_current->text() + (s.seesImages() ? tr("<br>sees images (%1)").arg(vela::app::visionKindName(s.vision))
                                                            : tr("<br>text only")));
    m_current->setToolTip(s.path);
    m_loadedPath = s.path;
    m_loadedBytes = s.memory;
    m_template->setModel(s.path, vela::app::ModelPreferences().templateOverride(s.path));
    m_adapters->setModel(s.path, s.adapters);
    m_vision->setModel(s);
    QStringList leftOut;
    for (const QString& problem : s.adapterProblems)
        leftOut << tr("Left out: %1").arg(problem);
    m_adapters->showProblems(leftOut);
    refreshRecent();
    for (int row = 0; row < m_entries.size(); ++row) {
        if (QFileInfo(m_entries[row].path) == QFileInfo(s.path))
            m_list->setCurrentRow(row);
    }
    m_loadButton->setEnabled(false);
}

void ModelPanel::showError(const QString& message)
{
    setLoading(false);
    m_error->setText(message);
    m_error->show();
}

void ModelPanel::showNoModel()
{
    setLoading(false);
    m_loadedPath.clear();
    m_loadedBytes = 0;
    m_current->setText(tr("No model loaded."));
    m_current->setToolTip(QString());
    m_template->setModel(QString(), QString());
    m_adapters->setModel(QString(), {});
    m_vision->setModel({});
}

void ModelPanel::showCancelled()
{
    m_current->setText(tr("Loading cancelled. No model loaded."));
}

void ModelPanel::showPromptFormat(const QString& description)
{
    if (m_loadedPath.isEmpty())
        return;
    m_template->setFormat(description);
}

QString ModelPanel::detailsText() const
{
    return m_details->text();
}

QString ModelPanel::currentText() const
{
    return m_current->text();
}

void ModelPanel::clearError()
{
    m_error->clear();
    m_error->hide();
}

QString ModelPanel::errorText() const
{
    return m_error->text();
}

bool ModelPanel::isErrorShown() const
{
    return !m_error->isHidden();
}

QString ModelPanel::formatBytes(quint64 bytes)
{
    return QLocale::system().formattedDataSize(static_cast<qint64>(bytes), 1);
}

QString ModelPanel::formatParameters(quint64 n)
{
    if (n >= 1'000'000'000)
        return QString::number(n / 1e9, 'f', 1) + QLatin1Char('B');
    if (n >= 1'000'000)
        return QString::number(n / 1e6, 'f', 0) + QLatin1Char('M');
    if (n >= 1'000)
        return QString::number(n / 1e3, 'f', 0) + QLatin1Char('K');
    return QString::number(n);
}

}  // namespace vela::ui
