// ChatController's documents, without widgets, on stories260K at a 512-token context (Vulkan: lavapipe in CI):
// a document refused without a model; an 8-page PDF read and planned on the worker (map-reduce, pages kept);
// its summary started into a request message with the document attached and an answer that shows the partial
// summaries as they finish; stopped after the first (partials kept, in the job and in the stored message);
// resumed in the same answer (no new messages, the earlier partials not run again) and finished (the answer
// becomes the summary); then a follow-up question whose prompt carries the passage of the page it asks about;
// and a running summary closed (stopped, its answer kept).
#include "../documents/document_fixtures.h"
#include "support/test_data.h"

#include "chat/chat_controller.h"
#include "documents/document_passages.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace vela;
using namespace vela::app;

namespace {

constexpr int kTimeoutMs = 90'000;
constexpr int kPages = 8;
// The one page that mentions it: the follow-up question's passage must come from there.
constexpr int kZeppelinPage = 5;

bool waitUntil(const std::function<bool()>& done, int timeoutMs = kTimeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < timeoutMs)
        QTest::qWait(10);
    return done();
}

QString writeReport(const QString& dir)
{
    QList<test::PdfPageText> pages;
    for (int p = 1; p <= kPages; ++p) {
        test::PdfPageText page;
        const QString prose = test::proseWords(70, unsigned(p * 7));
        // Short lines, as a PDF's text layer has them.
        QStringList words = prose.split(' ');
        while (!words.isEmpty()) {
            page.lines << QStringList(words.mid(0, 10)).join(' ');
            words = words.mid(10);
        }
        if (p == kZeppelinPage)
            page.lines << QStringLiteral("The zeppelin landed on the roof of the old mill.");
        pages << page;
    }
    const QString path = dir + "/report.pdf";
    return test::writeBytes(path, test::textPdf(pages)) ? path : QString();
}

}  // namespace

class TestChatDocuments : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ChatController> m_chat;
    QString m_pdf;
    QStringList m_partialsBeforeStop;

    SummaryJob::Stage stage() const { return m_chat->summaryJob() ? m_chat->summaryJob()->stage : SummaryJob::Stage::Failed; }

private slots:
    void initTestCase()
    {
        test::useScratchSettings();
        QVERIFY(m_dir.isValid());
        m_pdf = writeReport(m_dir.path());
        QVERIFY(!m_pdf.isEmpty());
        m_chat = std::make_unique<ChatController>();
        QVERIFY(m_chat->openStore(m_dir.path()).isOk());
    }

    void refusesADocumentWithoutAModel()
    {
        QSignalSpy failed(m_chat.get(), &ChatController::documentFailed);
        QVERIFY(!m_chat->openDocument(m_pdf));
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.front().front().toString().contains("Load a model first"), qPrintable(failed.front().front().toString()));
        QVERIFY(m_chat->summaryJob());
        QCOMPARE(m_chat->summaryJob()->stage, SummaryJob::Stage::Failed);
        m_chat->closeDocument();
        QVERIFY(!m_chat->summaryJob());
        QVERIFY(m_chat->messages().isEmpty());
    }

    void readsAndPlansOnTheWorker()
    {
        ConversationSettings settings;
        settings.temperature = 0;
        settings.contextSize = 512;
        m_chat->setDefaultSettings(settings);
        QSignalSpy ready(m_chat.get(), &ChatController::modelReady);
        m_chat->loadModel(test::requireTestFile("models/stories260K.gguf"));
        QVERIFY(ready.wait(kTimeoutMs));

        QVERIFY(m_chat->openDocument(m_pdf));
        QCOMPARE(stage(), SummaryJob::Stage::Reading);
        QVERIFY(waitUntil([&] { return stage() != SummaryJob::Stage::Reading && stage() != SummaryJob::Stage::Planning; }));
        const SummaryJob& job = *m_chat->summaryJob();
        QVERIFY2(job.stage == SummaryJob::Stage::Ready, qPrintable(job.error));
        QCOMPARE(job.document.pageCount, kPages);
        QCOMPARE(job.plan.contextLength, 512);
        QVERIFY2(job.plan.mapCount() >= 3, qPrintable(job.plan.describe()));
        QVERIFY(job.plan.reduceCount() >= 1);
        QCOMPARE(job.plan.chunks.front().source.firstPage, 1);
        QCOMPARE(job.plan.chunks.back().source.lastPage, kPages);
        QVERIFY(job.plan.speed.isKnown());  // measured on the worker for the estimate
        QVERIFY(job.plan.estimatedSeconds > 0);
    }

    void stopsWithItsPartialsKept()
    {
        QSignalSpy partial(m_chat.get(), &ChatController::summaryPartial);
        QSignalSpy added(m_chat.get(), &ChatController::messageAdded);
        QVERIFY(m_chat->startSummary());
        QVERIFY(m_chat->isSummarizing());
        QVERIFY(m_chat->isGenerating());  // the chat's other actions wait
        QCOMPARE(added.size(), 2);
        const QList<Message>& messages = m_chat->messages();
        QCOMPARE(messages.size(), 2);
        QVERIFY2(messages[0].content.startsWith(QStringLiteral("Summarize “")), qPrintable(messages[0].content));
        QCOMPARE(messages[1].role, MessageRole::Assistant);
        QVERIFY(!m_chat->send("not now"));  // refused while the summary runs

        QVERIFY(partial.wait(kTimeoutMs));
        m_chat->stop();
        QVERIFY(waitUntil([&] { return stage() == SummaryJob::Stage::Stopped; }));
        const SummaryJob& job = *m_chat->summaryJob();
        QVERIFY(job.error.isEmpty());
        QVERIFY(!job.partials.isEmpty());
        QVERIFY(job.partials.size() < job.plan.steps.size());
        QVERIFY(job.resumes());
        QVERIFY(!m_chat->isGenerating());
        const Message& answer = m_chat->messages().back();
        QCOMPARE(answer.state, MessageState::Stopped);
        QVERIFY2(answer.content.contains(QStringLiteral("Part 1 of %1 (p. 1").arg(job.plan.mapCount())),
                 qPrintable(answer.content));
        for (const PartialSummary& p : job.partials)
            m_partialsBeforeStop << p.text;

        ChatStore store;  // what a restart of the app would find
        QVERIFY(store.open(m_dir.path()).isOk());
        const Result<Message> stored = store.message(answer.id);
        QVERIFY(stored.isOk());
        QCOMPARE(stored->content, answer.content);
        QCOMPARE(stored->state, MessageState::Stopped);
    }

    void resumesAndFinishesInTheSameAnswer()
    {
        QSignalSpy added(m_chat.get(), &ChatController::messageAdded);
        QSignalSpy finished(m_chat.get(), &ChatController::summaryFinished);
        QVERIFY(!m_partialsBeforeStop.isEmpty());
        const qint64 answerId = m_chat->messages().back().id;
        const int kept = static_cast<int>(m_partialsBeforeStop.size());
        QVERIFY(m_chat->startSummary());
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(added.size(), 0);
        QCOMPARE(finished.front().front().toLongLong(), answerId);
        const SummaryJob& job = *m_chat->summaryJob();
        QCOMPARE(job.stage, SummaryJob::Stage::Finished);
        QCOMPARE(job.partials.size(), job.plan.steps.size());
        for (int i = 0; i < kept; ++i)
            QCOMPARE(job.partials[i].text, m_partialsBeforeStop[i]);  // not run again
        const Message& answer = m_chat->messages().back();
        QCOMPARE(answer.id, answerId);
        QCOMPARE(answer.state, MessageState::Complete);
        QCOMPARE(answer.content, job.partials.back().text);
        QVERIFY(!answer.content.isEmpty());
        QCOMPARE(answer.metadata.value("summary_of").toString(), job.document.title);
        const Message& question = m_chat->messages().front();
        QVERIFY(ChatController::isDocumentRequest(question));
        // Made again from the document, not as a chat turn: the chat's own actions refuse them.
        QVERIFY(!m_chat->regenerate(answerId));
        QVERIFY(!m_chat->reflect(answerId));
        QVERIFY(!m_chat->editAndResend(question.id, QStringLiteral("Summarize something else")));
        QCOMPARE(m_chat->messages().size(), 2);

        ChatStore store;
        QVERIFY(store.open(m_dir.path()).isOk());
        QCOMPARE(store.message(answerId)->content, answer.content);
        QCOMPARE(store.message(answerId)->metadata.value("summary_of").toString(), job.document.title);
        QCOMPARE(store.message(question.id)->metadata.value("document").toString(), job.document.title);
        const Result<QList<Attachment>> attachments = store.attachments(m_chat->messages().front().id);
        QVERIFY(attachments.isOk());
        QCOMPARE(attachments->size(), 1);
        QCOMPARE(attachments->front().kind, AttachmentKind::Document);
        QCOMPARE(attachments->front().path, m_pdf);
        const Result<ExtractedDocument> kept2 = documentFromJson(attachments->front().extractedText.toUtf8());
        QVERIFY(kept2.isOk());
        QCOMPARE(kept2->pageCount, kPages);
        QCOMPARE(kept2->blocks.size(), job.document.blocks.size());
    }

    void answersAFollowUpFromTheRelevantPage()
    {
        QSignalSpy finished(m_chat.get(), &ChatController::generationFinished);
        QVERIFY(m_chat->send(QStringLiteral("Where did the zeppelin land?")));
        QVERIFY(finished.wait(kTimeoutMs));
        const QString prompt = m_chat->lastPrompt();
        QVERIFY2(prompt.contains(QStringLiteral("zeppelin landed on the roof")), qPrintable(prompt));
        QVERIFY2(prompt.contains(QStringLiteral("[p. %1]").arg(kZeppelinPage)), qPrintable(prompt));
        const QJsonArray sources = m_chat->messages().back().metadata.value("sources").toArray();
        QVERIFY(!sources.isEmpty());
        QCOMPARE(sources.first().toString(), QStringLiteral("p. %1").arg(kZeppelinPage));
        QStringList cited;
        for (const QJsonValue& source : sources) {
            QVERIFY2(!cited.contains(source.toString()), "a page is named once");
            cited << source.toString();
        }
        // The stored question is the user's own words; the passages go only into the prompt.
        QCOMPARE(m_chat->messages()[m_chat->messages().size() - 2].content, QStringLiteral("Where did the zeppelin land?"));
    }

    void followUpAfterReopeningReadsTheStoredDocument()
    {
        const qint64 conversation = m_chat->currentConversation();
        m_chat->newConversation();
        m_chat->openConversation(conversation);  // the documents are read again from the attachment
        QSignalSpy finished(m_chat.get(), &ChatController::generationFinished);
        QVERIFY(m_chat->send(QStringLiteral("And the zeppelin?")));
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY2(m_chat->lastPrompt().contains(QStringLiteral("zeppelin landed on the roof")), qPrintable(m_chat->lastPrompt()));
    }

    void closingARunningSummaryStopsItAndForgetsTheJob()
    {
        QVERIFY(m_chat->openDocument(m_pdf));
        QVERIFY(waitUntil([&] { return stage() == SummaryJob::Stage::Ready; }));
        QSignalSpy partial(m_chat.get(), &ChatController::summaryPartial);
        QVERIFY(m_chat->startSummary());
        QVERIFY(partial.wait(kTimeoutMs));
        m_chat->closeDocument();
        QVERIFY(waitUntil([&] { return !m_chat->isGenerating(); }));
        QVERIFY(!m_chat->summaryJob());
        const Message& answer = m_chat->messages().back();
        QCOMPARE(answer.state, MessageState::Stopped);
        QVERIFY2(answer.content.startsWith(QStringLiteral("**Part 1 of")), qPrintable(answer.content));
    }

    void cleanupTestCase() { m_chat.reset(); }
};

QTEST_MAIN(TestChatDocuments)
#include "tst_chat_documents.moc"
