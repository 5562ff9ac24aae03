// The inference worker on its thread, driven as the UI drives it: queued calls in, signals out. Uses
// stories260K (models/README.md) and llama.cpp's greedy continuation of it (reference/logits/).
#include "support/test_data.h"
#include "worker_events.h"
#include "worker/inference_thread.h"
#include "worker/text_batcher.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace vela::app;

namespace {

constexpr int kLoadTimeoutMs = 30000;
constexpr int kGenerateTimeoutMs = 60000;

GenerationRequest greedyRequest(const QString& prompt, int maxTokens)
{
    GenerationRequest r;
    r.prompt = prompt;
    r.sampling.temperature = 0;
    r.maxTokens = maxTokens;
    r.ignoreEndOfGeneration = true;  // as the reference: llama.cpp's greedy run does not stop at EOG
    return r;
}

LoadRequest withContext(uint32_t contextLength)
{
    LoadRequest r;
    r.contextLength = contextLength;
    return r;
}

QString joined(const QSignalSpy& tokens)
{
    QString text;
    for (const QList<QVariant>& args : tokens)
        text += args.at(0).toString();
    return text;
}

GenerationStats statsOf(const QSignalSpy& finished)
{
    return finished.isEmpty() ? GenerationStats{} : finished.first().at(0).value<GenerationStats>();
}

// The engine's own message for a file, to compare the worker's loadFailed with.
QString engineLoadMessage(const QString& path)
{
    auto model = vela::LanguageModel::load(QFile::encodeName(path).toStdString());
    return model ? QString() : QString::fromStdString(model.message());
}

}  // namespace

using vela::test::WorkerEvents;

// An inference thread and the main-thread mirror of its signals.
struct Inference {
    std::unique_ptr<InferenceThread> thread = std::make_unique<InferenceThread>();
    std::unique_ptr<WorkerEvents> events = std::make_unique<WorkerEvents>(thread->worker());

    InferenceWorker* worker() const { return thread->worker(); }
    void loadModel(const QString& path, const LoadRequest& request = {}) { thread->loadModel(path, request); }
    void generate(const GenerationRequest& request) { thread->generate(request); }
    void requestStop() { thread->requestStop(); }
};

class TestInferenceWorker : public QObject {
    Q_OBJECT

private:
    // A thread with stories260K loaded, or null (the test has failed then).
    std::unique_ptr<Inference> startLoaded(uint32_t contextLength = 0)
    {
        const QString path = vela::test::requireTestFile(QStringLiteral("models/stories260K.gguf"));
        if (path.isEmpty())
            return nullptr;
        auto thread = std::make_unique<Inference>();
        QSignalSpy ready(thread->events.get(), &WorkerEvents::modelReady);
        QSignalSpy loadFailed(thread->events.get(), &WorkerEvents::loadFailed);
        thread->loadModel(path, withContext(contextLength));
        if (!ready.wait(kLoadTimeoutMs) || ready.count() != 1) {
            qWarning() << "load failed:" << (loadFailed.isEmpty() ? QString() : loadFailed.first().at(0).toString());
            return nullptr;
        }
        return thread;
    }

private slots:
    void textBatcherHoldsTextForTheInterval()
    {
        using namespace std::chrono_literals;
        TextBatcher batcher(30ms);
        const TextBatcher::Clock::time_point t0{};
        batcher.append("Once");
        QCOMPARE(batcher.takeIfDue(t0 + 1s), std::string("Once"));  // the first batch goes at once
        batcher.append(" upon");
        QCOMPARE(batcher.takeIfDue(t0 + 1s + 10ms), std::string());
        batcher.append(" a");
        QCOMPARE(batcher.takeIfDue(t0 + 1s + 29ms), std::string());
        QCOMPARE(batcher.takeIfDue(t0 + 1s + 30ms), std::string(" upon a"));
        QCOMPARE(batcher.takeIfDue(t0 + 2s), std::string());  // nothing pending
        batcher.append(" time");
        QCOMPARE(batcher.takeAll(), std::string(" time"));
    }

    void loadReportsSummaryAndProgress()
    {
        VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
        Inference thread;
        QSignalSpy progress(thread.events.get(), &WorkerEvents::loadProgress);
        QSignalSpy ready(thread.events.get(), &WorkerEvents::modelReady);
        thread.loadModel(path, withContext(256));
        QVERIFY(ready.wait(kLoadTimeoutMs));
        const ModelSummary s = ready.first().at(0).value<ModelSummary>();
        QCOMPARE(s.architecture, QStringLiteral("llama"));
        QCOMPARE(s.context, 256u);
        QVERIFY2(s.parameters > 200'000 && s.parameters < 320'000, qPrintable(QString::number(s.parameters)));
        QVERIFY(!s.quant.isEmpty());
        QVERIFY(!s.device.isEmpty());
        QVERIFY(s.memory > 0);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toDouble(), 1.0);
        for (qsizetype i = 1; i < progress.count(); ++i)
            QVERIFY(progress.at(i).at(0).toDouble() >= progress.at(i - 1).at(0).toDouble());
    }

    void greedyMatchesLlamaCpp()
    {
        VELA_REQUIRE_FILE(goldenPath, "reference/logits/stories260K__once64.json");
        QFile golden(goldenPath);
        QVERIFY(golden.open(QIODevice::ReadOnly));
        const QJsonObject reference = QJsonDocument::fromJson(golden.readAll()).object();
        const QString expected = reference.value("greedy").toObject().value("text").toString();
        QVERIFY(!expected.isEmpty());

        auto thread = startLoaded(256);
        QVERIFY(thread);
        QSignalSpy tokens(thread->events.get(), &WorkerEvents::token);
        QSignalSpy finished(thread->events.get(), &WorkerEvents::finished);
        GenerationRequest request = greedyRequest(reference.value("prompt_text").toString(), 64);
        request.requestId = 42;
        thread->generate(request);
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        QCOMPARE(joined(tokens), expected);
        const GenerationStats stats = statsOf(finished);
        QCOMPARE(stats.requestId, quint64(42));
        QCOMPARE(stats.promptTokens, 5);
        QCOMPARE(stats.generatedTokens, 64);
        QCOMPARE(stats.stopReason, StopReason::Limit);
        QVERIFY(stats.tokensPerSecond > 0);
        // Batched: one signal per ~30 ms at most, plus the final flush.
        const double allowed = stats.generationMilliseconds / 30.0 + 2;
        QVERIFY2(tokens.count() <= allowed, qPrintable(QStringLiteral("%1 token signals in %2 ms")
                                                            .arg(tokens.count()).arg(stats.generationMilliseconds)));
        qInfo("greedy: %d tokens in %.1f ms (%.1f tokens/s), %lld token signals", stats.generatedTokens,
              stats.generationMilliseconds, stats.tokensPerSecond, static_cast<long long>(tokens.count()));

        // The same request again reuses the cached prompt and gives the same text.
        tokens.clear();
        finished.clear();
        thread->generate(request);
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        QCOMPARE(joined(tokens), expected);
        QCOMPARE(statsOf(finished).reusedTokens, 4);
    }

    void stopStringEndsGeneration()
    {
        auto thread = startLoaded(256);
        QVERIFY(thread);
        QSignalSpy tokens(thread->events.get(), &WorkerEvents::token);
        QSignalSpy finished(thread->events.get(), &WorkerEvents::finished);
        GenerationRequest request = greedyRequest(QStringLiteral("Once upon a time"), 64);
        request.stopStrings = {QStringLiteral("Lily")};
        thread->generate(request);
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        QCOMPARE(joined(tokens), QStringLiteral(", there was a little girl named "));
        QCOMPARE(statsOf(finished).stopReason, StopReason::StopString);
        QCOMPARE(statsOf(finished).stopString, QStringLiteral("Lily"));
    }

    void stopMidAnswerIsQuick()
    {
        auto thread = startLoaded(512);
        QVERIFY(thread);
        QSignalSpy tokens(thread->events.get(), &WorkerEvents::token);
        QSignalSpy finished(thread->events.get(), &WorkerEvents::finished);
        GenerationRequest request;
        request.prompt = QStringLiteral("Once upon a time");
        request.sampling.seed = 7;
        request.maxTokens = 500;
        request.ignoreEndOfGeneration = true;
        thread->generate(request);
        // Stop once a few batches arrived: well inside the answer, not at its first token.
        while (tokens.count() < 3)
            QVERIFY(tokens.wait(kGenerateTimeoutMs));
        QElapsedTimer timer;
        timer.start();
        thread->requestStop();
        QVERIFY(finished.wait(5000));
        const double ms = timer.nsecsElapsed() / 1e6;
        const GenerationStats stats = statsOf(finished);
        qInfo("stop: finished %.2f ms after requestStop(), after %d tokens", ms, stats.generatedTokens);
        QCOMPARE(stats.stopReason, StopReason::Cancelled);
        QVERIFY(stats.generatedTokens < 500);
        QVERIFY2(ms < 100, qPrintable(QString::number(ms)));

        // A stop while idle is forgotten: the next request runs to its end.
        thread->requestStop();
        finished.clear();
        thread->generate(greedyRequest(QStringLiteral("Once upon a time"), 16));
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        QCOMPARE(statsOf(finished).stopReason, StopReason::Limit);
        QCOMPARE(statsOf(finished).generatedTokens, 16);
    }

    void contextFullEndsGeneration()
    {
        auto thread = startLoaded(16);
        QVERIFY(thread);
        QSignalSpy finished(thread->events.get(), &WorkerEvents::finished);
        QSignalSpy failed(thread->events.get(), &WorkerEvents::failed);
        thread->generate(greedyRequest(QStringLiteral("Once upon a time"), 100));
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        // 5 prompt positions, then one per token until all 16 are used; the last token needs no position.
        QCOMPARE(statsOf(finished).stopReason, StopReason::ContextFull);
        QCOMPARE(statsOf(finished).generatedTokens, 16 - 5 + 1);

        // A prompt the context cannot hold fails before anything runs.
        GenerationRequest tooLong = greedyRequest(QString(), 4);
        tooLong.tokens.assign(16, 403);
        thread->generate(tooLong);
        QVERIFY(failed.wait(kGenerateTimeoutMs));
        QCOMPARE(failed.first().at(0).toString(), QStringLiteral("the prompt has 16 tokens, the context holds 16"));
    }

    void loadFailureIsReported_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("keyword");  // a word the engine's message must hold
        const QString scratch = vela::test::scratchDir();
        const QString notGguf = scratch + "/not-a-model.gguf";
        QFile text(notGguf);
        if (text.open(QIODevice::WriteOnly))
            text.write("this is plain text, not a GGUF file\n");
        text.close();
        const QString truncated = scratch + "/truncated.gguf";
        QFile source(vela::test::requireTestFile(QStringLiteral("models/stories260K.gguf")));
        QFile cut(truncated);
        if (source.open(QIODevice::ReadOnly) && cut.open(QIODevice::WriteOnly))
            cut.write(source.read(source.size() / 2));
        cut.close();
        QTest::newRow("not a GGUF") << notGguf << "";
        QTest::newRow("unsupported architecture")
            << vela::test::requireTestFile(QStringLiteral("models/vocab/ggml-vocab-starcoder.gguf")) << "starcoder2";
        QTest::newRow("truncated") << truncated << "";
        QTest::newRow("missing") << scratch + "/no-such-model.gguf" << "no-such-model.gguf";
    }

    void loadFailureIsReported()
    {
        QFETCH(QString, file);
        QFETCH(QString, keyword);
        QVERIFY(!file.isEmpty());
        const QString expected = engineLoadMessage(file);
        QVERIFY2(!expected.isEmpty(), "the engine loaded a broken file");
        QVERIFY2(expected.contains(keyword), qPrintable(expected));

        auto thread = std::make_unique<Inference>();
        QSignalSpy failed(thread->events.get(), &WorkerEvents::loadFailed);
        QSignalSpy ready(thread->events.get(), &WorkerEvents::modelReady);
        thread->loadModel(file);
        QVERIFY(failed.wait(kLoadTimeoutMs));
        QCOMPARE(failed.first().at(0).toString(), expected);
        qInfo("loadFailed: %s", qPrintable(expected));
        QCOMPARE(ready.count(), 0);

        // The worker stays usable.
        VELA_REQUIRE_FILE(good, "models/stories260K.gguf");
        QSignalSpy tokens(thread->events.get(), &WorkerEvents::token);
        QSignalSpy finished(thread->events.get(), &WorkerEvents::finished);
        thread->loadModel(good, withContext(128));
        QVERIFY(ready.wait(kLoadTimeoutMs));
        thread->generate(greedyRequest(QStringLiteral("Once upon a time"), 8));
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        QVERIFY(joined(tokens).startsWith(QStringLiteral(", there was")));
    }

    void cancelledLoadLeavesNoModel()
    {
        VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
        Inference thread;
        InferenceWorker* worker = thread.worker();
        // Direct: runs on the worker thread inside the load, as a user's click would land mid-way.
        QObject::connect(worker, &InferenceWorker::loadProgress, worker, [worker](double fraction) {
            if (fraction < 1.0)
                worker->requestStop();
        }, Qt::DirectConnection);
        QSignalSpy progress(thread.events.get(), &WorkerEvents::loadProgress);
        QSignalSpy failed(thread.events.get(), &WorkerEvents::loadFailed);
        QSignalSpy ready(thread.events.get(), &WorkerEvents::modelReady);
        thread.loadModel(path);
        QVERIFY(failed.wait(kLoadTimeoutMs));
        QCOMPARE(failed.first().at(0).toString(), QStringLiteral("loading cancelled"));
        QCOMPARE(ready.count(), 0);
        QVERIFY(progress.last().at(0).toDouble() < 1.0);

        QSignalSpy generateFailed(thread.events.get(), &WorkerEvents::failed);
        thread.generate(greedyRequest(QStringLiteral("Once upon a time"), 4));
        QVERIFY(generateFailed.wait(kGenerateTimeoutMs));
        QCOMPARE(generateFailed.first().at(0).toString(), QStringLiteral("no model loaded"));
    }

    void destroyingOwnerMidGenerationIsClean()
    {
        auto thread = startLoaded(512);
        QVERIFY(thread);
        QSignalSpy tokens(thread->events.get(), &WorkerEvents::token);
        GenerationRequest request = greedyRequest(QStringLiteral("Once upon a time"), 500);
        thread->generate(request);
        thread->generate(request);  // queued behind: must not run during destruction
        QVERIFY(tokens.wait(kGenerateTimeoutMs));
        QElapsedTimer timer;
        timer.start();
        thread.reset();
        qInfo("destroyed mid-generation in %lld ms", static_cast<long long>(timer.elapsed()));
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        // Signals already queued to this thread must find nothing dangling.
        QCoreApplication::processEvents();
    }

    // The main thread must stay responsive while the worker generates: the longest gap between two ticks
    // of a 5 ms timer is the longest the event loop was kept from running.
    void mainThreadNeverStalls()
    {
        auto thread = startLoaded(512);
        QVERIFY(thread);
        QSignalSpy finished(thread->events.get(), &WorkerEvents::finished);
        QString text;
        QObject::connect(thread->events.get(), &WorkerEvents::token, thread->events.get(), [&text](const QString& t) { text += t; });
        QElapsedTimer clock;
        qint64 last = -1;
        qint64 longestGap = 0;
        int ticks = 0;
        QTimer timer;
        timer.setTimerType(Qt::PreciseTimer);
        timer.setInterval(5);
        QObject::connect(&timer, &QTimer::timeout, [&] {
            const qint64 now = clock.nsecsElapsed();
            if (last >= 0)
                longestGap = std::max(longestGap, now - last);
            last = now;
            ++ticks;
        });
        clock.start();
        timer.start();
        GenerationRequest request = greedyRequest(QStringLiteral("Once upon a time"), 256);
        thread->generate(request);
        QVERIFY(finished.wait(kGenerateTimeoutMs));
        timer.stop();
        const GenerationStats stats = statsOf(finished);
        QCOMPARE(stats.generatedTokens, 256);
        QVERIFY(!text.isEmpty());
        const double gapMs = longestGap / 1e6;
        qInfo("event loop: longest gap %.2f ms over %d ticks in %.0f ms; generation %.1f tokens/s", gapMs, ticks,
              clock.nsecsElapsed() / 1e6, stats.tokensPerSecond);
        QVERIFY(ticks > 10);
        QVERIFY2(gapMs < 50.0, qPrintable(QString::number(gapMs)));
    }
};

QTEST_GUILESS_MAIN(TestInferenceWorker)
#include "tst_inference_worker.moc"
