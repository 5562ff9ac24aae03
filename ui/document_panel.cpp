#include "document_panel.h"

#include "documents/document_extractor.h"
#include "vela/model_info.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace vela::ui {

using vela::app::PartialSummary;
using vela::app::SummaryJob;
using vela::app::SummaryLength;
using vela::app::SummaryOptions;
using vela::app::SummaryPass;
using vela::app::SummaryPlan;

namespace {

constexpr int kProgressSteps = 1000;  // the bar's range: fractions to a tenth of a percent
constexpr int kVisiblePartials = 4;   // the list's height in rows; more scroll
const char* const kErrorStyle =
    "QLabel { color: #8a1c1c; background: #fde8e8; border: 1px solid #f2b8b8; border-radius: 4px; padding: 4px 6px; }";

QString formatLabel(vela::app::DocumentFormat format)
{
    using vela::app::DocumentFormat;
    switch (format) {
    case DocumentFormat::PlainText:
        return QObject::tr("Text");
    case DocumentFormat::Markdown:
        return QObject::tr("Markdown");
    default:
        return vela::app::documentFormatName(format).toUpper();
    }
}

QString number(qint64 value)
{
    return QLocale().toString(value);
}

bool sameOptions(const SummaryOptions& a, const SummaryOptions& b)
{
    return a.length == b.length && a.focus == b.focus && a.language == b.language;
}

// "chunk 3 of 12", "combining pass 1 of 2", "one pass over the whole document": what each step does.
QStringList stepNames(const SummaryPlan& plan)
{
    QStringList names;
    int maps = 0;
    int reduces = 0;
    for (const vela::app::SummaryStep& step : plan.steps) {
        switch (step.pass) {
        case SummaryPass::Single:
            names << QObject::tr("one pass over the whole document");
            break;
        case SummaryPass::Map:
            names << QObject::tr("chunk %1 of %2").arg(++maps).arg(plan.mapCount());
            break;
        case SummaryPass::Reduce:
            names << QObject::tr("combining pass %1 of %2").arg(++reduces).arg(plan.reduceCount());
            break;
        }
    }
    return names;
}

// The plan in two short lines; the tooltip has describe()'s every detail.
QString compactPlan(const SummaryPlan& plan)
{
    QString passes;
    if (plan.isSinglePass())
        passes = QObject::tr("One pass: the whole document fits the context (%1 prompt tokens).")
                     .arg(number(plan.finalStep().promptTokens));
    else
        passes = (plan.reduceCount() == 1 ? QObject::tr("%1 chunks, then %2 combining pass: %3 passes in all.")
                                          : QObject::tr("%1 chunks, then %2 combining passes: %3 passes in all."))
                     .arg(number(plan.mapCount()), number(plan.reduceCount()), number(plan.steps.size()));
    QStringList costs;
    costs << (plan.estimatedSeconds >= 0 ? QObject::tr("about %1").arg(vela::app::formatDuration(plan.estimatedSeconds))
                                         : QObject::tr("time unknown until it starts"));
    if (plan.memory.totalBytes() > 0)
        costs << QObject::tr("%1 of device memory").arg(QString::fromStdString(vela::formatBytes(plan.memory.totalBytes())));
    costs << QObject::tr("context %1 tokens").arg(number(plan.contextLength));
    return passes + QLatin1Char('\n') + costs.join(QStringLiteral(" · "));
}

// "Chunk 2 · pp. 3–4: Tim went to the park." — the first line of the text.
QString partialLine(const PartialSummary& partial)
{
    QString kind;
    switch (partial.pass) {
    case SummaryPass::Single:
        kind = QObject::tr("Summary");
        break;
    case SummaryPass::Map:
        kind = QObject::tr("Chunk %1").arg(partial.number);
        break;
    case SummaryPass::Reduce:
        kind = QObject::tr("Combined %1").arg(partial.number);
        break;
    }
    const QString firstLine = partial.text.section(QLatin1Char('\n'), 0, 0).trimmed();
    return QStringLiteral("%1 · %2: %3").arg(kind, partial.source.citation(), firstLine);
}

}  // namespace

QString documentFileFilter()
{
    QStringList patterns;
    for (const QString& suffix : vela::app::supportedDocumentSuffixes())
        patterns << QStringLiteral("*.") + suffix;
    return QObject::tr("Documents (%1);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
}

DocumentPanel::DocumentPanel(QWidget* parent)
    : QFrame(parent), m_title(new QLabel(this)), m_details(new QLabel(this)), m_close(new QToolButton(this)),
      m_plan(new QLabel(this)), m_status(new QLabel(this)), m_error(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_progressLabel(new QLabel(this)), m_options(nullptr),
      m_length(new QComboBox(this)), m_focus(new QLineEdit(this)), m_language(new QLineEdit(this)),
      m_start(new QPushButton(tr("Summarize"), this)), m_cancel(new QPushButton(tr("Cancel"), this)),
      m_partials(new QListWidget(this))
{
    setObjectName("documentPanel");
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    buildLayout();
    connect(m_start, &QPushButton::clicked, this, &DocumentPanel::startRequested);
    connect(m_cancel, &QPushButton::clicked, this, &DocumentPanel::cancelRequested);
    connect(m_close, &QToolButton::clicked, this, &DocumentPanel::dismiss);
    connect(m_length, &QComboBox::currentIndexChanged, this, &DocumentPanel::emitOptionsIfChanged);
    // Text is applied when the user is done with it (Enter or leaving the field): each change plans again.
    connect(m_focus, &QLineEdit::editingFinished, this, &DocumentPanel::emitOptionsIfChanged);
    connect(m_language, &QLineEdit::editingFinished, this, &DocumentPanel::emitOptionsIfChanged);
    hide();
}

void DocumentPanel::buildLayout()
{
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(10, 6, 6, 8);
    column->setSpacing(5);

    auto* header = new QHBoxLayout();
    m_title->setObjectName("documentTitle");
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_details->setObjectName("documentDetails");
    m_details->setForegroundRole(QPalette::PlaceholderText);
    m_close->setObjectName("closeDocument");
    m_close->setText(QStringLiteral("×"));
    m_close->setAutoRaise(true);
    m_close->setToolTip(tr("Close the document"));
    header->addWidget(m_title);
    header->addWidget(m_details, 1);
    header->addWidget(m_close, 0, Qt::AlignTop);
    column->addLayout(header);

    m_plan->setObjectName("documentPlan");
    m_plan->setWordWrap(true);
    column->addWidget(m_plan);
    column->addWidget(buildOptionsRow());

    auto* progressRow = new QHBoxLayout();
    m_progress->setObjectName("documentProgress");
    m_progress->setRange(0, kProgressSteps);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);
    m_progressLabel->setObjectName("documentProgressText");
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_progressLabel);
    column->addLayout(progressRow);

    m_status->setObjectName("documentStatus");
    m_status->setWordWrap(true);
    m_error->setObjectName("documentError");
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QLatin1String(kErrorStyle));
    column->addWidget(m_status);
    column->addWidget(m_error);

    m_partials->setObjectName("partialSummaries");
    m_partials->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_partials->setTextElideMode(Qt::ElideRight);
    m_partials->setUniformItemSizes(true);
    m_partials->setFixedHeight(m_partials->fontMetrics().height() * kVisiblePartials + 12);
    column->addWidget(m_partials);
}

QWidget* DocumentPanel::buildOptionsRow()
{
    m_options = new QWidget(this);
    auto* row = new QHBoxLayout(m_options);
    row->setContentsMargins(0, 0, 0, 0);
    m_length->setObjectName("summaryLength");
    m_length->addItem(tr("Short"), QVariant::fromValue(int(SummaryLength::Short)));
    m_length->addItem(tr("Medium"), QVariant::fromValue(int(SummaryLength::Medium)));
    m_length->addItem(tr("Detailed"), QVariant::fromValue(int(SummaryLength::Detailed)));
    m_length->setCurrentIndex(int(SummaryLength::Medium));
    m_focus->setObjectName("summaryFocus");
    m_focus->setPlaceholderText(tr("Focus: everything"));
    m_focus->setToolTip(tr("What the summary should concentrate on, e.g. “the financial results”"));
    m_language->setObjectName("summaryLanguage");
    m_language->setPlaceholderText(tr("Language: the document's"));
    m_language->setToolTip(tr("The language to write the summary in, e.g. “French”"));
    for (QLineEdit* edit : {m_focus, m_language})  // the placeholder says what empty means: keep it whole
        edit->setMinimumWidth(edit->fontMetrics().horizontalAdvance(edit->placeholderText()) + 24);
    m_start->setObjectName("startSummary");
    m_cancel->setObjectName("cancelSummary");
    row->addWidget(new QLabel(tr("Length"), m_options));
    row->addWidget(m_length);
    row->addWidget(m_focus, 2);
    row->addWidget(m_language, 1);
    row->addSpacing(6);
    row->addWidget(m_start);
    row->addWidget(m_cancel);
    return m_options;
}

void DocumentPanel::showJob(const SummaryJob* job, bool canStart)
{
    if (!job) {
        m_running = false;
        if (!m_refusal)
            hide();
        return;
    }
    m_refusal = false;
    showTitle(*job);
    showOptions(job->options);
    if (job->stage >= SummaryJob::Stage::Ready && job->stage != SummaryJob::Stage::Failed) {
        m_plan->setText(compactPlan(job->plan));
        m_plan->setToolTip(job->plan.describe());
        rememberSteps(job->plan);
    }
    m_plan->setVisible(job->stage >= SummaryJob::Stage::Ready && job->stage != SummaryJob::Stage::Failed);
    showPartials(job->partials);
    showStage(*job, canStart);
    show();
}

void DocumentPanel::showTitle(const SummaryJob& job)
{
    const bool read = job.stage != SummaryJob::Stage::Reading && !job.document.blocks.isEmpty();
    m_title->setText(read && !job.document.title.isEmpty() ? job.document.title : QFileInfo(job.path).fileName());
    m_title->setToolTip(job.path);
    QStringList details;
    if (read) {
        details << formatLabel(job.document.format);
        if (job.document.pageCount > 0)
            details << (job.document.pageCount == 1 ? tr("1 page") : tr("%1 pages").arg(number(job.document.pageCount)));
    }
    if (job.plan.documentTokens > 0 && job.stage >= SummaryJob::Stage::Ready)
        details << tr("%1 tokens").arg(number(job.plan.documentTokens));
    m_details->setText(details.join(QStringLiteral(" · ")));
}

void DocumentPanel::showStage(const SummaryJob& job, bool canStart)
{
    using Stage = SummaryJob::Stage;
    const Stage stage = job.stage;
    const bool wasRunning = m_running;
    m_running = stage == Stage::Running;

    const bool choosing = stage == Stage::Ready || stage == Stage::Stopped;
    m_options->setVisible(stage != Stage::Finished && stage != Stage::Failed);
    for (QWidget* option : {static_cast<QWidget*>(m_length), static_cast<QWidget*>(m_focus),
                            static_cast<QWidget*>(m_language)})
        option->setEnabled(choosing);
    m_start->setText(job.resumes() ? tr("Resume") : tr("Summarize"));
    m_start->setEnabled(job.canStart() && canStart);
    m_cancel->setEnabled(m_running);

    m_progress->setVisible(stage == Stage::Reading || stage == Stage::Planning || m_running);
    m_progressLabel->setVisible(m_running);
    if (stage == Stage::Reading) {
        m_progress->setRange(0, kProgressSteps);
        m_progress->setValue(qRound(job.readFraction * kProgressSteps));
    } else if (stage == Stage::Planning) {
        m_progress->setRange(0, 0);  // busy: tokenizing takes a moment on a long document
    } else if (m_running && !wasRunning) {
        showProgress({.stepsDone = int(job.partials.size()), .stepsTotal = int(job.plan.steps.size())});
    }

    switch (stage) {
    case Stage::Reading:
        m_status->setText(tr("Reading the document… %1%").arg(qRound(job.readFraction * 100)));
        break;
    case Stage::Planning:
        m_status->setText(tr("Planning the summary with the model's tokenizer…"));
        break;
    case Stage::Ready:
        m_status->setText(canStart ? tr("Nothing runs until you press Summarize.")
                                   : tr("Summarize is available once a model is loaded and no answer is being written."));
        break;
    case Stage::Running:
        m_status->setText(tr("Summarizing: the partial summaries appear below and in the chat as they finish."));
        break;
    case Stage::Stopped:
        m_status->setText(job.partials.isEmpty()
                              ? tr("Stopped before the first pass finished.")
                              : tr("Stopped after %1 of %2 passes: Resume goes on from there.")
                                    .arg(job.partials.size())
                                    .arg(job.plan.steps.size()));
        break;
    case Stage::Finished:
        m_status->setText(tr("Summary added to the chat. Ask about the document there; × closes this panel."));
        break;
    case Stage::Failed:
        m_status->setText(tr("This document cannot be summarized."));
        break;
    }
    showError(job.error);
}

void DocumentPanel::showOptions(const SummaryOptions& options)
{
    if (sameOptions(options, m_shownOptions))
        return;
    // A field the user is typing in keeps its text: it is said when the user is done.
    const auto setUnlessTyping = [](QLineEdit* edit, const QString& shown, const QString& text) {
        if (!edit->hasFocus() || edit->text() == shown)
            edit->setText(text);
    };
    setUnlessTyping(m_focus, m_shownOptions.focus, options.focus);
    setUnlessTyping(m_language, m_shownOptions.language, options.language);
    m_shownOptions = options;
    const QSignalBlocker blockLength(m_length);
    m_length->setCurrentIndex(m_length->findData(int(options.length)));
}

void DocumentPanel::showPartials(const QList<PartialSummary>& partials)
{
    m_partials->setVisible(!partials.isEmpty());
    // Rebuilt only when the list grew or was reset: the user may be hovering an item's tooltip.
    if (m_partials->count() == partials.size()
        && (partials.isEmpty() || m_partials->item(m_partials->count() - 1)->toolTip() == partials.back().text))
        return;
    m_partials->clear();
    for (const PartialSummary& partial : partials) {
        auto* item = new QListWidgetItem(partialLine(partial), m_partials);
        item->setToolTip(partial.text);
    }
    m_partials->scrollToBottom();
}

void DocumentPanel::rememberSteps(const SummaryPlan& plan)
{
    m_stepNames = stepNames(plan);
}

void DocumentPanel::showProgress(const vela::app::SummaryProgressInfo& progress)
{
    if (!m_running || progress.stepsTotal <= 0)
        return;
    const double done = std::min(1.0, (progress.stepsDone + progress.stepFraction) / progress.stepsTotal);
    m_progress->setRange(0, kProgressSteps);
    m_progress->setValue(qRound(done * kProgressSteps));
    QStringList parts;
    if (progress.stepsDone < m_stepNames.size())
        parts << m_stepNames[progress.stepsDone];
    else
        parts << tr("pass %1 of %2").arg(std::min(progress.stepsDone + 1, progress.stepsTotal)).arg(progress.stepsTotal);
    parts << tr("%1 elapsed").arg(vela::app::formatDuration(progress.elapsedSeconds));
    parts << (progress.remainingSeconds >= 0 ? tr("about %1 left").arg(vela::app::formatDuration(progress.remainingSeconds))
                                             : tr("estimating the time left"));
    m_progressLabel->setText(parts.join(QStringLiteral(" · ")));
}

void DocumentPanel::showRefusal(const QString& path, const QString& message)
{
    m_refusal = true;
    m_running = false;
    m_title->setText(QFileInfo(path).fileName());
    m_title->setToolTip(path);
    m_details->clear();
    m_plan->hide();
    m_options->hide();
    m_progress->hide();
    m_progressLabel->hide();
    m_partials->clear();
    m_partials->hide();
    m_status->setText(tr("This document was not opened."));
    showError(message);
    show();
}

void DocumentPanel::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void DocumentPanel::dismiss()
{
    if (m_refusal) {
        m_refusal = false;
        hide();
    }
    emit closeRequested();
}

SummaryOptions DocumentPanel::chosenOptions() const
{
    SummaryOptions options = m_shownOptions;  // keeps what the panel does not show (temperature, seed)
    options.length = static_cast<SummaryLength>(m_length->currentData().toInt());
    options.focus = m_focus->text().trimmed();
    options.language = m_language->text().trimmed();
    return options;
}

void DocumentPanel::emitOptionsIfChanged()
{
    const SummaryOptions options = chosenOptions();
    if (sameOptions(options, m_shownOptions))
        return;
    m_shownOptions = options;
    emit optionsChanged(options);
}

QString DocumentPanel::titleText() const
{
    return m_details->text().isEmpty() ? m_title->text() : m_title->text() + QStringLiteral(" · ") + m_details->text();
}

QString DocumentPanel::planText() const
{
    return m_plan->isHidden() ? QString() : m_plan->text();
}

QString DocumentPanel::statusText() const
{
    return m_status->text();
}

QString DocumentPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString DocumentPanel::progressText() const
{
    return m_progressLabel->isHidden() ? QString() : m_progressLabel->text();
}

QStringList DocumentPanel::partialTexts() const
{
    QStringList lines;
    for (int i = 0; i < m_partials->count(); ++i)
        lines << m_partials->item(i)->text();
    return lines;
}

}  // namespace vela::ui
