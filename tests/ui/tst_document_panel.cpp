// The document panel on its own, given summary jobs at each stage as the controller holds them: what it shows
// (title line, plan, progress line, partial summaries, errors) and what the user's clicks and edits ask for.
// The whole flow with a model, through the window, is tst_document_summary.
#include "document_panel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest>

using namespace vela::app;
using vela::ui::DocumentPanel;

namespace {

SummaryStep step(SummaryPass pass, int chunk, int firstPage, int lastPage)
{
    SummaryStep s;
    s.pass = pass;
    s.level = pass == SummaryPass::Reduce ? 1 : 0;
    s.chunk = chunk;
    s.source.firstPage = firstPage;
    s.source.lastPage = lastPage;
    s.promptTokens = 200;
    s.answer = {.words = 30, .maxTokens = 60};
    return s;
}

// A 4-page PDF planned as 3 chunks and one combining pass.
SummaryJob readyJob()
{
    SummaryJob job;
    job.path = "/tmp/report.pdf";
    job.stage = SummaryJob::Stage::Ready;
    job.document.path = job.path;
    job.document.title = "Quarterly Report";
    job.document.format = DocumentFormat::Pdf;
    job.document.pageCount = 4;
    job.document.blocks = {DocumentBlock{.text = "Some text.", .page = 1}};
    job.plan.title = job.document.title;
    job.plan.documentTokens = 1234;
    job.plan.pageCount = 4;
    job.plan.contextLength = 256;
    job.plan.chunks.resize(3);
    job.plan.steps = {step(SummaryPass::Map, 0, 1, 1), step(SummaryPass::Map, 1, 2, 3), step(SummaryPass::Map, 2, 4, 4),
                      step(SummaryPass::Reduce, -1, 1, 4)};
    job.plan.steps.back().inputs = {0, 1, 2};
    job.plan.reduceLevels = 1;
    job.plan.estimatedSeconds = 200;
    return job;
}

PartialSummary partial(int stepIndex, int number, int firstPage, int lastPage, const QString& text)
{
    PartialSummary p;
    p.step = stepIndex;
    p.pass = SummaryPass::Map;
    p.number = number;
    p.source.firstPage = firstPage;
    p.source.lastPage = lastPage;
    p.text = text;
    return p;
}

}  // namespace

class TestDocumentPanel : public QObject {
    Q_OBJECT

private slots:
    void hiddenWithoutJob()
    {
        DocumentPanel panel;
        panel.show();
        panel.showJob(nullptr, true);
        QVERIFY(panel.isHidden());
    }

    void readingShowsTheFractionRead()
    {
        DocumentPanel panel;
        SummaryJob job;
        job.path = "/tmp/big.pdf";
        job.readFraction = 0.25;
        panel.showJob(&job, true);
        QVERIFY(!panel.isHidden());
        QCOMPARE(panel.titleText(), QString("big.pdf"));
        QVERIFY(!panel.progressBar()->isHidden());
        QCOMPARE(panel.progressBar()->value(), panel.progressBar()->maximum() / 4);
        QCOMPARE(panel.statusText(), QString("Reading the document… 25%"));
        QVERIFY(panel.planText().isEmpty());
        QVERIFY(!panel.startButton()->isEnabled());
    }

    void readyShowsThePlanAndStarts()
    {
        DocumentPanel panel;
        const SummaryJob job = readyJob();
        panel.showJob(&job, false);
        QCOMPARE(panel.titleText(), QString("Quarterly Report · PDF · 4 pages · 1,234 tokens"));
        QVERIFY2(panel.planText().startsWith("3 chunks, then 1 combining pass: 4 passes in all.\nabout 3 min 20 s"),
                 qPrintable(panel.planText()));
        QVERIFY(panel.planText().contains("context 256 tokens"));
        QVERIFY(panel.partialList()->isHidden());  // no empty box before the first partial
        QVERIFY(!panel.startButton()->isEnabled());  // no model, or an answer being written
        QVERIFY(!panel.cancelButton()->isEnabled());

        panel.showJob(&job, true);
        QCOMPARE(panel.startButton()->text(), QString("Summarize"));
        QVERIFY(panel.startButton()->isEnabled());
        QSignalSpy start(&panel, &DocumentPanel::startRequested);
        QTest::mouseClick(panel.startButton(), Qt::LeftButton);
        QCOMPARE(start.size(), 1);
    }

    void optionsAreSaidOnceDone()
    {
        DocumentPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowActive(&panel));  // focus decides which fields keep their text
        SummaryJob job = readyJob();
        panel.showJob(&job, true);
        QSignalSpy changed(&panel, &DocumentPanel::optionsChanged);

        panel.lengthBox()->setFocus();
        QTest::keyClick(panel.lengthBox(), Qt::Key_Down);  // Medium → Detailed
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.last().front().value<SummaryOptions>().length, SummaryLength::Detailed);
        job.options.length = SummaryLength::Detailed;  // the controller plans again with them
        job.stage = SummaryJob::Stage::Planning;
        panel.showJob(&job, true);
        QVERIFY(!panel.lengthBox()->isEnabled());
        job.stage = SummaryJob::Stage::Ready;
        panel.showJob(&job, true);
        QCOMPARE(panel.lengthBox()->currentText(), QString("Detailed"));

        panel.focusEdit()->setFocus();
        QTest::keyClicks(panel.focusEdit(), "the dragon");
        QCOMPARE(changed.size(), 1);  // not while typing
        // An update meanwhile leaves the typing alone, even one with other options.
        panel.showJob(&job, true);
        SummaryJob french = job;
        french.options.language = "French";
        panel.showJob(&french, true);
        QCOMPARE(panel.focusEdit()->text(), QString("the dragon"));
        QCOMPARE(panel.languageEdit()->text(), QString("French"));
        panel.showJob(&job, true);
        QCOMPARE(panel.languageEdit()->text(), QString(""));
        QTest::keyClick(panel.focusEdit(), Qt::Key_Return);
        QCOMPARE(changed.size(), 2);
        const auto options = changed.last().front().value<SummaryOptions>();
        QCOMPARE(options.focus, QString("the dragon"));
        QCOMPARE(options.length, SummaryLength::Detailed);
        QTest::keyClick(panel.focusEdit(), Qt::Key_Return);
        QCOMPARE(changed.size(), 2);  // nothing new

        // The controller's options come back: the fields show them.
        panel.lengthBox()->setFocus();
        SummaryJob planned = readyJob();
        planned.options.language = "German";
        panel.showJob(&planned, true);
        QCOMPARE(panel.languageEdit()->text(), QString("German"));
        QCOMPARE(panel.focusEdit()->text(), QString(""));
        QCOMPARE(panel.lengthBox()->currentText(), QString("Medium"));
        QCOMPARE(changed.size(), 2);  // shown, not asked for
    }

    void runningShowsProgressAndCancels()
    {
        DocumentPanel panel;
        SummaryJob job = readyJob();
        job.stage = SummaryJob::Stage::Running;
        job.partials = {partial(0, 1, 1, 1, "Tim found a red ball.\nHe kept it.")};
        panel.showJob(&job, false);
        QVERIFY(!panel.startButton()->isEnabled());
        QVERIFY(panel.cancelButton()->isEnabled());
        QVERIFY(!panel.lengthBox()->isEnabled());
        QCOMPARE(panel.progressText(), QString("chunk 2 of 3 · 0 s elapsed · estimating the time left"));

        panel.showProgress({.stepsDone = 1, .stepsTotal = 4, .stepFraction = 0.5, .elapsedSeconds = 65,
                            .remainingSeconds = 180});
        QCOMPARE(panel.progressText(), QString("chunk 2 of 3 · 1 min 5 s elapsed · about 3 min 0 s left"));
        QCOMPARE(panel.progressBar()->value(), qRound(1.5 / 4 * panel.progressBar()->maximum()));
        panel.showProgress({.stepsDone = 3, .stepsTotal = 4, .elapsedSeconds = 130, .remainingSeconds = 20});
        QCOMPARE(panel.progressText(), QString("combining pass 1 of 1 · 2 min 10 s elapsed · about 20 s left"));

        QCOMPARE(panel.partialTexts(), QStringList{"Chunk 1 · p. 1: Tim found a red ball."});
        QCOMPARE(panel.partialList()->item(0)->toolTip(), QString("Tim found a red ball.\nHe kept it."));

        QSignalSpy cancel(&panel, &DocumentPanel::cancelRequested);
        QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
        QCOMPARE(cancel.size(), 1);
    }

    void stoppedOffersResume()
    {
        DocumentPanel panel;
        SummaryJob job = readyJob();
        job.stage = SummaryJob::Stage::Stopped;
        job.partials = {partial(0, 1, 1, 1, "One."), partial(1, 2, 2, 3, "Two.")};
        panel.showJob(&job, true);
        QCOMPARE(panel.startButton()->text(), QString("Resume"));
        QVERIFY(panel.startButton()->isEnabled());
        QVERIFY(!panel.cancelButton()->isEnabled());
        QVERIFY(panel.progressText().isEmpty());
        QCOMPARE(panel.statusText(), QString("Stopped after 2 of 4 passes: Resume goes on from there."));
        QCOMPARE(panel.partialTexts(), (QStringList{"Chunk 1 · p. 1: One.", "Chunk 2 · pp. 2–3: Two."}));
        QVERIFY(panel.errorText().isEmpty());

        job.error = "the device ran out of memory";  // stopped by a failure, not the user
        panel.showJob(&job, true);
        QCOMPARE(panel.errorText(), job.error);
    }

    void finishedSaysWhereTheSummaryIs()
    {
        DocumentPanel panel;
        SummaryJob job = readyJob();
        job.stage = SummaryJob::Stage::Finished;
        panel.showJob(&job, true);
        QVERIFY(panel.statusText().startsWith("Summary added to the chat."));
        QVERIFY(panel.progressText().isEmpty());
        QVERIFY(panel.progressBar()->isHidden());
    }

    void failedShowsTheErrorAndCloses()
    {
        DocumentPanel panel;
        SummaryJob job;
        job.path = "/tmp/locked.pdf";
        job.stage = SummaryJob::Stage::Failed;
        job.error = "locked.pdf is encrypted";
        panel.showJob(&job, true);
        QCOMPARE(panel.errorText(), job.error);
        QCOMPARE(panel.titleText(), QString("locked.pdf"));
        QVERIFY(panel.planText().isEmpty());
        QVERIFY(!panel.startButton()->isEnabled());
        QSignalSpy close(&panel, &DocumentPanel::closeRequested);
        QTest::mouseClick(panel.closeButton(), Qt::LeftButton);
        QCOMPARE(close.size(), 1);
        panel.showJob(nullptr, true);  // the controller forgot it
        QVERIFY(panel.isHidden());
    }

    void refusalShowsUntilDismissed()
    {
        DocumentPanel panel;
        panel.showRefusal("/tmp/notes.txt", "Load a model first.");
        QVERIFY(!panel.isHidden());
        QCOMPARE(panel.errorText(), QString("Load a model first."));
        panel.showJob(nullptr, true);  // e.g. an answer finished meanwhile
        QVERIFY(!panel.isHidden());
        QTest::mouseClick(panel.closeButton(), Qt::LeftButton);
        QVERIFY(panel.isHidden());
    }
};

QTEST_MAIN(TestDocumentPanel)
#include "tst_document_panel.moc"
