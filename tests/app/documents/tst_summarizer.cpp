// The summary runner on stories260K (Vulkan, lavapipe in CI) at a 512-token context, so a small document
// takes several chunks: progress in order, partial summaries as they finish, the final summary, cancel half-way
// (finished partials kept) and a restart from them that ends where an uninterrupted run does, the instructions kept
// in the session between chunks, device memory that does not grow, a long single pass processed in batches,
// and sampling at a low temperature that repeats with its seed.
#include "document_fixtures.h"
#include "support/test_data.h"

#include "documents/summarizer.h"

#include <QtTest>

#include <memory>
#include <optional>

using namespace vela;
using namespace vela::app;

namespace {

struct Event {
    SummaryProgress progress;
    std::optional<PartialSummary> finished;  // a copy: the pointer lives only during the call
};

ExtractedDocument sectionedDocument(int sections, int paragraphs, int words)
{
    ExtractedDocument d;
    d.title = QStringLiteral("Town report");
    for (int s = 1; s <= sections; ++s) {
        DocumentBlock h;
        h.kind = DocumentBlock::Kind::Heading;
        h.text = h.section = QStringLiteral("Section %1").arg(s);
        h.headingLevel = 2;
        d.blocks << h;
        for (int p = 0; p < paragraphs; ++p) {
            DocumentBlock b;
            b.text = test::proseWords(words, unsigned(s * 10 + p));
            b.section = h.section;
            d.blocks << b;
        }
    }
    return d;
}

}  // namespace

class TestSummarizer : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<LanguageModel> m_model;
    std::unique_ptr<Session> m_session;  // 512 tokens
    QString m_path;

    SummaryPrompts prompts(const ExtractedDocument& d, SummaryOptions o = {}) const
    {
        return SummaryPrompts(PromptBuilder::forModel(m_path), m_model->tokenizer(), o, d.title);
    }

    static SummaryOptions shortOptions()
    {
        SummaryOptions o;
        o.length = SummaryLength::Short;
        return o;
    }

    SummaryOutcome run(Session& session, const SummaryPrompts& p, const SummaryPlan& plan, QList<Event>& events,
                       const std::function<bool(const SummaryProgress&)>& cancelWhen = {},
                       const QList<PartialSummary>& resume = {})
    {
        std::atomic<bool> cancel{false};
        SummaryRunOptions options;
        options.cancel = &cancel;
        options.resume = resume;
        options.progress = [&](const SummaryProgress& progress) {
            Event e{progress, std::nullopt};
            if (progress.finished)
                e.finished = *progress.finished;
            e.progress.finished = nullptr;
            events << e;
            if (cancelWhen && cancelWhen(progress))
                cancel = true;
        };
        return Summarizer(session, p).run(plan, options);
    }

private slots:
    void initTestCase()
    {
        VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
        m_path = path;
        auto model = LanguageModel::load(path.toStdString(), {.contextLength = 512});
        QVERIFY2(model, model.message().c_str());
        m_model = std::move(model).value();
        auto session = m_model->createSession({.contextLength = 512});
        QVERIFY2(session, session.message().c_str());
        m_session = std::move(session).value();
    }

    void measuresSpeed()
    {
        const ExtractedDocument d = sectionedDocument(1, 2, 40);
        const SummaryPrompts p = prompts(d);
        const auto speed = Summarizer(*m_session, p).measureSpeed(d.plainText());
        QVERIFY2(speed, speed.message().c_str());
        QVERIFY(speed->promptTokensPerSecond > 0);
        QVERIFY(speed->generatedTokensPerSecond > 0);
        QCOMPARE(m_session->position(), 0u);
    }

    void cancelsHalfWayThenRestartsToTheEnd()
    {
        const ExtractedDocument d = sectionedDocument(3, 2, 24);
        const SummaryPrompts p = prompts(d, shortOptions());
        const auto plan = planSummary(d, p, {512, &m_model->info(), {}});
        QVERIFY2(plan, plan.message().c_str());
        QVERIFY2(plan->mapCount() >= 3 && plan->reduceCount() >= 1, qPrintable(plan->describe()));
        const uint64_t deviceBytes = m_session->deviceBytes();

        // Cancelled when the first chunk's summary is in: that one is kept, nothing after it runs.
        QList<Event> events;
        const SummaryOutcome cancelled = run(*m_session, p, *plan, events, [](const SummaryProgress& e) { return e.finished != nullptr; });
        QVERIFY(cancelled.cancelled);
        QVERIFY(cancelled.status.isOk());
        QVERIFY(!cancelled.isComplete());
        QVERIFY(cancelled.summary.isEmpty());
        QCOMPARE(cancelled.partials.size(), 1);
        QCOMPARE(cancelled.partials[0].step, 0);
        QVERIFY(!cancelled.partials[0].text.isEmpty());

        // Restarted with the finished partial: it goes on from the second step, to the end.
        events.clear();
        const SummaryOutcome outcome = run(*m_session, p, *plan, events, {}, cancelled.partials);
        QVERIFY2(outcome.isComplete(), outcome.status.message().c_str());
        QCOMPARE(outcome.partials.size(), plan->steps.size());
        QCOMPARE(outcome.partials[0].text, cancelled.partials[0].text);
        QVERIFY(!outcome.summary.isEmpty());
        QCOMPARE(outcome.summary, outcome.partials.back().text);
        QCOMPARE(m_session->deviceBytes(), deviceBytes);  // nothing allocated per step

        // Progress: every step after the resumed one reported once, in order, after its prompt's progress;
        // time only goes on.
        int finished = 1;
        double elapsed = 0;
        for (const Event& e : events) {
            QCOMPARE(e.progress.stepsTotal, int(plan->steps.size()));
            QVERIFY(e.progress.elapsedSeconds >= elapsed);
            elapsed = e.progress.elapsedSeconds;
            if (!e.finished) {
                QCOMPARE(e.progress.stepsDone, finished);
                QVERIFY(e.progress.stepFraction > 0 && e.progress.stepFraction <= 1);
                continue;
            }
            const PartialSummary& s = *e.finished;
            QCOMPARE(s.step, finished);
            QCOMPARE(e.progress.stepsDone, ++finished);
            QVERIFY(e.progress.remainingSeconds >= 0);
            QCOMPARE(s.text, outcome.partials[s.step].text);
        }
        QCOMPARE(finished, int(plan->steps.size()));
        QCOMPARE(events.back().progress.remainingSeconds, 0.0);

        // An uninterrupted run ends with the same summary (greedy, and the session's cached prefix changes
        // nothing).
        QList<Event> ignored;
        const SummaryOutcome uninterrupted = run(*m_session, p, *plan, ignored);
        QVERIFY(uninterrupted.isComplete());
        for (int i = 0; i < plan->steps.size(); ++i)
            QCOMPARE(uninterrupted.partials[i].text, outcome.partials[i].text);
        // A resume list from another plan is refused.
        PartialSummary stranger = cancelled.partials[0];
        stranger.step = 3;
        QVERIFY(!run(*m_session, p, *plan, ignored, {}, {stranger}).status.isOk());

        int maps = 0, reduces = 0;
        for (const PartialSummary& s : outcome.partials) {
            const SummaryStep& step = plan->steps[s.step];
            QCOMPARE(s.pass, step.pass);
            QCOMPARE(s.source, step.source);
            QCOMPARE(s.number, s.pass == SummaryPass::Reduce ? ++reduces : ++maps);
            QVERIFY(s.generatedTokens >= 1 && s.generatedTokens <= step.answer.maxTokens);
            QCOMPARE(s.truncated, s.generatedTokens == step.answer.maxTokens);
            if (s.pass == SummaryPass::Map) {
                QCOMPARE(s.promptTokens, step.promptTokens);  // the plan counted exactly what was sent
                if (s.number > 1)  // the instructions stayed in the session
                    QVERIFY2(s.reusedTokens >= 30, qPrintable(QString::number(s.reusedTokens)));
            } else {
                QVERIFY(s.promptTokens <= step.promptTokens);  // within the plan's bound
            }
        }
        QCOMPARE(maps, plan->mapCount());
        int generated = 0;  // this run's: the resumed step's tokens are not counted again
        for (int i = 1; i < outcome.partials.size(); ++i)
            generated += outcome.partials[i].generatedTokens;
        QCOMPARE(outcome.generatedTokens, generated);
    }

    void cancelsDuringAPrompt()
    {
        const ExtractedDocument d = sectionedDocument(3, 2, 24);
        const SummaryPrompts p = prompts(d, shortOptions());
        const auto plan = planSummary(d, p, {512, nullptr, {}});
        QVERIFY2(plan, plan.message().c_str());
        QList<Event> events;
        const SummaryOutcome outcome = run(*m_session, p, *plan, events, [](const SummaryProgress& e) { return !e.finished; });
        QVERIFY(outcome.cancelled);
        QVERIFY(outcome.partials.isEmpty());
        QCOMPARE(outcome.generatedTokens, 0);
    }

    void runsALongDocumentInOnePassInBatches()
    {
        // A 1024-token session: the whole document fits, and its prompt goes through in 512-token batches.
        auto session = m_model->createSession({.contextLength = 1024});
        QVERIFY2(session, session.message().c_str());
        const uint64_t deviceBytes = (*session)->deviceBytes();
        const ExtractedDocument d = sectionedDocument(2, 3, 25);
        const SummaryPrompts p = prompts(d, shortOptions());
        const auto plan = planSummary(d, p, {1024, nullptr, {}});
        QVERIFY2(plan, plan.message().c_str());
        QVERIFY2(plan->isSinglePass(), qPrintable(plan->describe()));
        QVERIFY2(plan->steps[0].promptTokens > 600, qPrintable(plan->describe()));
        QList<Event> events;
        const SummaryOutcome outcome = run(**session, p, *plan, events);
        QVERIFY2(outcome.isComplete(), outcome.status.message().c_str());
        QVERIFY(!outcome.summary.isEmpty());
        QList<double> fractions;
        for (const Event& e : events)
            if (!e.finished)
                fractions << e.progress.stepFraction;
        QVERIFY2(fractions.size() >= 2, qPrintable(QString::number(fractions.size())));
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QCOMPARE((*session)->deviceBytes(), deviceBytes);
    }

    void repeatsALowTemperatureRunWithItsSeed()
    {
        const ExtractedDocument d = sectionedDocument(1, 1, 20);
        SummaryOptions o = shortOptions();
        o.temperature = 0.4f;
        o.seed = 7;
        const SummaryPrompts p = prompts(d, o);
        const auto plan = planSummary(d, p, {512, nullptr, {}});
        QVERIFY2(plan, plan.message().c_str());
        QVERIFY(plan->isSinglePass());
        QList<Event> events;
        const SummaryOutcome first = run(*m_session, p, *plan, events);
        const SummaryOutcome second = run(*m_session, p, *plan, events);
        QVERIFY(first.isComplete() && second.isComplete());
        QVERIFY(!first.summary.isEmpty());
        QCOMPARE(second.summary, first.summary);
    }
};

QTEST_MAIN(TestSummarizer)
#include "tst_summarizer.moc"
