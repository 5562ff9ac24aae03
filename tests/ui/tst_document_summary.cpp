// Document summaries through the window, offscreen, as a user makes them (issue 7): a multi-page PDF written
// with QPdfWriter is dropped on the window, its plan shows in the document panel, Summarize starts it, Cancel
// stops it after the first partial summary (the partials stay, in the panel and in the chat), Resume finishes
// it, and the summary is the chat's answer with the document attached to the question. Bad documents (an
// encrypted PDF, binary data named .txt, an empty file, a 0-page PDF, a 300 MB file) each show their message in
// the panel while the window keeps responding. stories260K at a 256-token context, so the PDF is map-reduced.
#include "chat_view.h"
#include "composer.h"
#include "document_panel.h"
#include "image_drops.h"
#include "main_window.h"
#include "window_fixture.h"

#include "app/documents/document_fixtures.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QtTest>

#include <memory>

using vela::app::ChatController;
using vela::app::MessageRole;
using vela::app::MessageState;
using vela::app::SummaryJob;
using vela::ui::DocumentPanel;
using vela::ui::MainWindow;

namespace {

constexpr int kPlanTimeoutMs = 30'000;
constexpr int kRunTimeoutMs = 60'000;
// The GUI thread never waits on reading or planning: a tick of a 10 ms timer comes at least this often.
constexpr qint64 kLongestStallMs = 1000;
constexpr int kContext = 512;  // the least a summary's instructions leave room in

// Four pages, each of three paragraphs that say something of their own (a page-numbered story).
QList<QStringList> storyPages()
{
    const QStringList names{"Lily", "Tom", "Max", "Sue"};
    const QStringList places{"the park", "the farm", "the beach", "the forest"};
    const QStringList things{"a red ball", "a small dog", "a big boat", "a green frog"};
    QList<QStringList> pages;
    for (int p = 0; p < 4; ++p) {
        const QString name = names[p];
        pages << QStringList{
            QStringLiteral("One day %1 went to %2. %1 saw %3 and was very happy. The sun was warm and the sky was "
                           "blue.").arg(name, places[p], things[p]),
            QStringLiteral("%1 played with %2 all day long. A friend came to play too, and they laughed and ran "
                           "around until they were tired.").arg(name, things[p]),
            QStringLiteral("When it was time to go home, %1 said goodbye to %2. Mom made soup, and %1 told her "
                           "all about the day at %3.").arg(name, things[p], places[p]),
        };
    }
    return pages;
}

bool dropFile(QWidget* target, const QString& path)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    return vela::test::dropOn(target, mime);
}

// For failure messages: where the job is.
QString jobState(const ChatController* chat)
{
    const SummaryJob* job = chat->summaryJob();
    if (!job)
        return QStringLiteral("no summary job");
    return QStringLiteral("stage %1, read %2, error \"%3\"").arg(int(job->stage)).arg(job->readFraction).arg(job->error);
}

const SummaryJob* waitForStage(ChatController* chat, SummaryJob::Stage stage, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        const SummaryJob* job = chat->summaryJob();
        if (job && job->stage == stage)
            return job;
        if (job && job->stage == SummaryJob::Stage::Failed && stage != SummaryJob::Stage::Failed)
            return job;  // the caller's check says what failed
        QTest::qWait(10);
    }
    return chat->summaryJob();
}

// The longest wait between two ticks of a 10 ms timer while `work` runs: how long the window did not respond.
template <typename Work>
qint64 longestStall(Work work)
{
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 longest = 0;
    QTimer tick;
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        longest = std::max(longest, clock.elapsed() - last);
        last = clock.elapsed();
    });
    tick.start();
    work();
    longest = std::max(longest, clock.elapsed() - last);
    return longest;
}

}  // namespace

class TestDocumentSummary : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        vela::test::useScratchSettings();
        QVERIFY(m_data.isValid());
        QVERIFY(m_files.isValid());
        m_window = vela::test::openWindow(m_data.path(), m_data.filePath("settings.ini"));
        QVERIFY(m_window);
        QVERIFY(vela::test::loadStoriesGreedy(*m_window, kContext));
        m_chat = m_window->chat();
        m_panel = m_window->documentPanel();
        QVERIFY(m_panel->isHidden());
        QVERIFY(m_window->chatView()->placeholderText().contains("drop a document"));  // the empty chat says so
    }

    void dropSummarizeCancelResume()
    {
        const QString pdf = m_files.filePath("story.pdf");
        QVERIFY(vela::test::writeQtPdf(pdf, storyPages(), "Four Friends"));

        // Dropped on the window: read and planned on the worker, the plan shown before anything runs.
        QVERIFY(dropFile(m_window.get(), pdf));
        QVERIFY(m_panel->isVisible());
        const SummaryJob* job = waitForStage(m_chat, SummaryJob::Stage::Ready, kPlanTimeoutMs);
        QVERIFY2(job && job->stage == SummaryJob::Stage::Ready, qPrintable(jobState(m_chat)));
        QVERIFY(!m_panel->planText().isEmpty());
        qInfo("%s", qPrintable(job->plan.describe()));
        QVERIFY2(job->plan.mapCount() >= 3 && job->plan.mapCount() <= 6, qPrintable(job->plan.describe()));
        QVERIFY(job->plan.reduceCount() >= 1);
        QCOMPARE(m_panel->titleText(), QStringLiteral("Four Friends · PDF · 4 pages · %1 tokens")
                                           .arg(QLocale().toString(job->plan.documentTokens)));
        QVERIFY2(m_panel->planText().startsWith(QStringLiteral("%1 chunks, then").arg(job->plan.mapCount())),
                 qPrintable(m_panel->planText()));
        QCOMPARE(m_panel->planText().count('\n'), 1);
        QCOMPARE(m_panel->startButton()->text(), QString("Summarize"));
        QVERIFY(m_panel->startButton()->isEnabled());
        const int steps = int(job->plan.steps.size());

        // Summarize, then Cancel once the first partial summary is in.
        QSignalSpy partials(m_chat, &ChatController::summaryPartial);
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        QCOMPARE(m_chat->summaryJob()->stage, SummaryJob::Stage::Running);
        QVERIFY(m_chat->isGenerating());
        QVERIFY(m_panel->cancelButton()->isEnabled());
        QVERIFY(!m_panel->startButton()->isEnabled());
        QVERIFY(partials.wait(kRunTimeoutMs) || !partials.isEmpty());
        QVERIFY(m_panel->progressText().startsWith("chunk "));
        QTest::mouseClick(m_panel->cancelButton(), Qt::LeftButton);
        job = waitForStage(m_chat, SummaryJob::Stage::Stopped, kRunTimeoutMs);
        QVERIFY(job);
        QCOMPARE(job->stage, SummaryJob::Stage::Stopped);
        QVERIFY(!m_chat->isGenerating());
        QVERIFY(!job->partials.isEmpty());
        QVERIFY2(job->partials.size() < steps, "the run finished before Cancel reached it");
        QTRY_COMPARE(m_panel->partialTexts().size(), job->partials.size());
        const vela::app::PartialSummary& first = job->partials.front();
        QCOMPARE(first.source.firstPage, 1);
        QCOMPARE(m_panel->partialTexts().front(),
                 QStringLiteral("Chunk 1 · %1: %2").arg(first.source.citation(), first.text.section('\n', 0, 0)));
        QCOMPARE(m_panel->partialList()->item(0)->toolTip(), job->partials.front().text);
        QCOMPARE(m_panel->startButton()->text(), QString("Resume"));
        QVERIFY(m_panel->startButton()->isEnabled());

        // The chat's answer shows the partials, stopped; the question carries the document.
        const qint64 answerId = job->answerMessageId;
        const qint64 questionId = job->questionMessageId;
        const vela::app::Message* answer = m_chat->findMessage(answerId);
        QVERIFY(answer);
        QCOMPARE(answer->role, MessageRole::Assistant);
        QCOMPARE(answer->state, MessageState::Stopped);
        QVERIFY2(answer->content.contains(job->partials.front().text), qPrintable(answer->content));
        QVERIFY2(m_window->chatView()->toPlainText().contains(job->partials.front().text.section('\n', 0, 0)),
                 qPrintable(m_window->chatView()->toPlainText()));

        // Resume: only the steps after the partials run, and the summary replaces them in the answer.
        const int kept = int(job->partials.size());
        QSignalSpy finished(m_chat, &ChatController::summaryFinished);
        partials.clear();
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        QVERIFY(finished.wait(kRunTimeoutMs) || !finished.isEmpty());
        QCOMPARE(finished.front().front().toLongLong(), answerId);
        QCOMPARE(partials.size(), steps - kept);
        job = m_chat->summaryJob();
        QVERIFY(job);
        QCOMPARE(job->stage, SummaryJob::Stage::Finished);
        QCOMPARE(job->partials.size(), steps);
        QVERIFY(!m_chat->isGenerating());
        answer = m_chat->findMessage(answerId);
        QVERIFY(answer);
        QCOMPARE(answer->content, job->partials.back().text);
        QCOMPARE(answer->state, MessageState::Complete);
        QVERIFY(m_window->chatView()->toPlainText().contains(job->partials.back().text.section('\n', 0, 0)));
        QVERIFY(m_panel->statusText().startsWith("Summary added to the chat."));
        const vela::app::PartialSummary& last = job->partials.back();
        QVERIFY2(m_window->statusText().contains(
                     QStringLiteral("context %1 / %2").arg(last.promptTokens + last.generatedTokens).arg(kContext)),
                 qPrintable(m_window->statusText()));
        QCOMPARE(m_panel->partialTexts().size(), steps);
        // The summary names its document, and offers no chat actions that would answer its request as a chat turn.
        const QString shown = m_window->chatView()->toPlainText();
        QVERIFY2(shown.contains(QStringLiteral("summary of “")), qPrintable(shown));
        QVERIFY2(!shown.contains(QStringLiteral("Regenerate")) && !shown.contains(QStringLiteral("Edit")), qPrintable(shown));

        const vela::app::Message* question = m_chat->findMessage(questionId);
        QVERIFY(question);
        QCOMPARE(question->role, MessageRole::User);
        QVERIFY2(question->content.contains("Four Friends"), qPrintable(question->content));
        vela::app::ChatStore store;
        QVERIFY(store.open(m_data.path()).isOk());
        const auto attachments = store.attachments(questionId);
        QVERIFY(attachments.isOk());
        QCOMPARE(attachments->size(), 1);
        QCOMPARE(attachments->front().kind, vela::app::AttachmentKind::Document);
        QCOMPARE(attachments->front().path, pdf);
        QVERIFY(attachments->front().extractedText.contains("One day Lily went to the park."));

        // × forgets the document; the summary stays in the chat.
        QTest::mouseClick(m_panel->closeButton(), Qt::LeftButton);
        QVERIFY(!m_chat->summaryJob());
        QVERIFY(m_panel->isHidden());
        QVERIFY(m_chat->findMessage(answerId));
    }

    void composerStopCancelsToo()
    {
        const QString pdf = m_files.filePath("story-2.pdf");
        QVERIFY(vela::test::writeQtPdf(pdf, storyPages(), "Four Friends Again"));
        QVERIFY(dropFile(m_window->composer()->editor()->viewport(), pdf));  // on the composer this time
        const SummaryJob* ready = waitForStage(m_chat, SummaryJob::Stage::Ready, kPlanTimeoutMs);
        QVERIFY2(ready && ready->stage == SummaryJob::Stage::Ready, qPrintable(jobState(m_chat)));
        QVERIFY(m_panel->startButton()->isEnabled());
        QVERIFY(m_window->composer()->editor()->toPlainText().isEmpty());  // not pasted as a file name
        QSignalSpy partials(m_chat, &ChatController::summaryPartial);
        QTest::mouseClick(m_panel->startButton(), Qt::LeftButton);
        QVERIFY(partials.wait(kRunTimeoutMs) || !partials.isEmpty());
        auto* send = m_window->composer()->findChild<QPushButton*>("sendButton");
        QVERIFY(send);
        QCOMPARE(send->text(), QString("Stop"));
        QTest::mouseClick(send, Qt::LeftButton);
        const SummaryJob* job = waitForStage(m_chat, SummaryJob::Stage::Stopped, kRunTimeoutMs);
        QVERIFY(job && job->stage == SummaryJob::Stage::Stopped);
        QTRY_COMPARE(send->text(), QString("Send"));
        QTest::mouseClick(m_panel->closeButton(), Qt::LeftButton);
        QVERIFY(!m_chat->summaryJob());
    }

    void badDocumentsSayWhy_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("message");
        QTest::newRow("encrypted PDF") << "locked.pdf" << "locked.pdf is encrypted: it needs a password to open";
        QTest::newRow("binary renamed .txt") << "photo.txt" << "photo.txt does not look like text: it holds binary data.";
        QTest::newRow("empty file") << "empty.txt" << "empty.txt is empty: the document has no text.";
        QTest::newRow("0-page PDF") << "nothing.pdf" << "nothing.pdf has no pages: there is nothing to read.";
        QTest::newRow("300 MB") << "huge.txt" << "huge.txt is 300 MB; Vela reads documents up to 200 MB.";
    }

    void badDocumentsSayWhy()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, message);
        const QString path = m_files.filePath(fileName);
        QVERIFY(writeBadDocument(path));

        QSignalSpy failed(m_chat, &ChatController::documentFailed);
        bool dropped = false;
        const qint64 stall = longestStall([&] {
            dropped = dropFile(m_window.get(), path);
            if (failed.isEmpty())
                failed.wait(kPlanTimeoutMs);
        });
        QVERIFY(dropped);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.front().front().toString().contains(message), qPrintable(failed.front().front().toString()));
        const SummaryJob* job = m_chat->summaryJob();
        QVERIFY(job);
        QCOMPARE(job->stage, SummaryJob::Stage::Failed);
        QVERIFY(m_panel->isVisible());
        QVERIFY2(m_panel->errorText().contains(message), qPrintable(m_panel->errorText()));
        QVERIFY(!m_panel->startButton()->isVisible());
        QVERIFY2(stall < kLongestStallMs, qPrintable(QStringLiteral("the window stalled for %1 ms").arg(stall)));

        // The window still answers: keys reach the composer, and × dismisses the message.
        QPlainTextEdit* editor = m_window->composer()->editor();
        editor->clear();
        editor->setFocus();
        QTest::keyClicks(editor, "still here");
        QCOMPARE(editor->toPlainText(), QString("still here"));
        editor->clear();
        QTest::mouseClick(m_panel->closeButton(), Qt::LeftButton);
        QVERIFY(!m_chat->summaryJob());
        QVERIFY(m_panel->isHidden());
    }

    void fileMenuChoosesADocument()
    {
        const QString text = m_files.filePath("notes.md");
        QVERIFY(vela::test::writeBytes(text, "# Notes\n\nTom had a red ball. He played in the park.\n"));
        QList<MainWindow::FileRole> asked;
        m_window->setFileChooser([&](MainWindow::FileRole role, const QString&) {
            asked << role;
            return text;
        });
        auto* action = m_window->findChild<QAction*>("actionSummarizeDocument");
        QVERIFY(action);
        action->trigger();
        QCOMPARE(asked, QList<MainWindow::FileRole>{MainWindow::FileRole::SummarizeDocument});
        const SummaryJob* ready = waitForStage(m_chat, SummaryJob::Stage::Ready, kPlanTimeoutMs);
        QVERIFY2(ready && ready->stage == SummaryJob::Stage::Ready, qPrintable(jobState(m_chat)));
        QVERIFY2(m_panel->planText().startsWith("One pass"), qPrintable(m_panel->planText()));
        QVERIFY(m_panel->titleText().startsWith("Notes · Markdown"));

        // Options: each one the user is done with plans the summary again.
        m_panel->lengthBox()->setFocus();
        QTest::keyClick(m_panel->lengthBox(), Qt::Key_Up);  // Medium → Short
        QCOMPARE(m_chat->summaryJob()->stage, SummaryJob::Stage::Planning);
        ready = waitForStage(m_chat, SummaryJob::Stage::Ready, kPlanTimeoutMs);
        QVERIFY2(ready && ready->stage == SummaryJob::Stage::Ready, qPrintable(jobState(m_chat)));
        QCOMPARE(ready->options.length, vela::app::SummaryLength::Short);
        m_panel->focusEdit()->setFocus();
        QTest::keyClicks(m_panel->focusEdit(), "the ball");
        QCOMPARE(m_chat->summaryJob()->options.focus, QString());  // not while typing
        QTest::keyClick(m_panel->focusEdit(), Qt::Key_Return);
        ready = waitForStage(m_chat, SummaryJob::Stage::Ready, kPlanTimeoutMs);
        QVERIFY2(ready && ready->stage == SummaryJob::Stage::Ready, qPrintable(jobState(m_chat)));
        QCOMPARE(ready->options.focus, QString("the ball"));
        QCOMPARE(ready->options.length, vela::app::SummaryLength::Short);
        QCOMPARE(m_panel->focusEdit()->text(), QString("the ball"));
        QTest::mouseClick(m_panel->closeButton(), Qt::LeftButton);
        QVERIFY(!m_chat->summaryJob());
        m_window->setFileChooser({});
    }

    void withoutAModelSaysToLoadOne()
    {
        QTemporaryDir data;
        auto window = vela::test::openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        const QString text = m_files.filePath("plain.txt");
        QVERIFY(vela::test::writeBytes(text, "Tom had a red ball.\n"));
        QVERIFY(dropFile(window.get(), text));
        DocumentPanel* panel = window->documentPanel();
        QTRY_VERIFY(!panel->errorText().isEmpty());
        QVERIFY2(panel->errorText().contains("Load a model"), qPrintable(panel->errorText()));
        QVERIFY(panel->isVisible());
        QTest::mouseClick(panel->closeButton(), Qt::LeftButton);
        QVERIFY(panel->isHidden());
    }

    void cleanupTestCase() { m_window.reset(); }

private:
    bool writeBadDocument(const QString& path)
    {
        const QString name = QFileInfo(path).fileName();
        if (name == "locked.pdf")
            return vela::test::writeBytes(path, vela::test::encryptedTextPdf({{{"Secret page text."}}}, "secret"));
        if (name == "nothing.pdf")
            return vela::test::writeBytes(path, vela::test::zeroPagePdf());
        if (name == "empty.txt")
            return vela::test::writeBytes(path, {});
        if (name == "photo.txt") {
            QByteArray bytes(65536, Qt::Uninitialized);
            QRandomGenerator random(7);
            for (char& b : bytes)
                b = char(random.bounded(256));
            return vela::test::writeBytes(path, bytes);
        }
        QFile huge(path);  // sparse: no disk space taken
        return huge.open(QIODevice::WriteOnly) && huge.resize(300ll * 1024 * 1024);
    }

    QTemporaryDir m_data;
    QTemporaryDir m_files;
    std::unique_ptr<MainWindow> m_window;
    ChatController* m_chat = nullptr;
    DocumentPanel* m_panel = nullptr;
};

QTEST_MAIN(TestDocumentSummary)
#include "tst_document_summary.moc"
