// The inference worker with images, driven as the UI drives it (queued calls in, signals out): a model loads
// with its vision projector and says so, a request with images gives exactly vela-cli's greedy answer for the
// same prompt and image (Gemma 3 and PaliGemma fixtures, models/vision/README.md), a chat's next turn reuses
// the image rows already in the cache, and bad images or a text-only model fail with the reason.
#include "support/cli_runner.h"
#include "support/test_data.h"
#include "worker_events.h"
#include "worker/inference_thread.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace vela::app;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kAnswerTokens = 16;

using vela::test::WorkerEvents;

struct Inference {
    InferenceThread thread;
    WorkerEvents events{thread.worker()};
};

struct Answer {
    QString text;
    GenerationStats stats;
    QString error;
};

QString fixture(const QString& relative)
{
    return vela::test::requireTestFile(relative);
}

// Loads `model` (with `projector`) and returns its summary; fails the test when it does not load.
ModelSummary load(Inference& inference, const QString& model, const QString& projector)
{
    QSignalSpy ready(&inference.events, &WorkerEvents::modelReady);
    QSignalSpy failed(&inference.events, &WorkerEvents::loadFailed);
    LoadRequest request;
    request.contextLength = 512;
    request.projector = projector;
    inference.thread.loadModel(model, request);
    if (!ready.wait(kTimeoutMs) && ready.isEmpty()) {
        qWarning() << "load failed:" << (failed.isEmpty() ? QString() : failed.first().at(0).toString());
        return {};
    }
    return ready.first().at(0).value<ModelSummary>();
}

GenerationRequest imageRequest(const QString& prompt, const QStringList& imagePaths)
{
    GenerationRequest r;
    r.prompt = prompt;
    r.sampling.temperature = 0;
    r.maxTokens = kAnswerTokens;
    r.ignoreEndOfGeneration = true;  // as vela-cli generate -n
    for (const QString& path : imagePaths)
        r.images.append({QFileInfo(path).fileName(), {}, path});
    return r;
}

Answer ask(Inference& inference, const GenerationRequest& request)
{
    QSignalSpy tokens(&inference.events, &WorkerEvents::token);
    QSignalSpy finished(&inference.events, &WorkerEvents::finished);
    QSignalSpy failed(&inference.events, &WorkerEvents::failed);
    inference.thread.generate(request);
    QElapsedTimer timer;
    timer.start();
    while (finished.isEmpty() && failed.isEmpty() && timer.elapsed() < kTimeoutMs)
        QTest::qWait(10);
    Answer answer;
    for (const QList<QVariant>& batch : tokens)
        answer.text += batch.at(0).toString();
    if (!finished.isEmpty())
        answer.stats = finished.first().at(0).value<GenerationStats>();
    if (!failed.isEmpty())
        answer.error = failed.first().at(0).toString();
    return answer;
}

// vela-cli generate's greedy continuation of the same prompt and images.
QString cliAnswer(const QString& model, const QString& projector, const QString& prompt, const QStringList& images)
{
    QStringList args{"generate", "-m", model, "--mmproj", projector, "-p", prompt, "--temp", "0", "-n",
                     QString::number(kAnswerTokens), "--ignore-eos"};
    for (const QString& image : images)
        args << "--image" << image;
    const vela::test::CliRun run = vela::test::runProgram(VELA_CLI_PATH, args);
    if (run.exitCode != 0)
        qWarning() << "vela-cli failed:" << run.err;
    return QString::fromUtf8(run.out);
}

}  // namespace

class TestVisionWorker : public QObject {
    Q_OBJECT

private slots:
    void projectorLoadsWithTheModel_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("projector");
        QTest::addColumn<VisionKind>("kind");
        QTest::addColumn<quint32>("rows");
        QTest::newRow("gemma3") << "models/vision/gemma3-vision-tiny.gguf"
                                << "models/vision/gemma3-vision-tiny-mmproj.gguf" << VisionKind::Gemma3 << 16u;
        QTest::newRow("paligemma") << "models/vision/paligemma-tiny.gguf" << "models/vision/paligemma-tiny-mmproj.gguf"
                                   << VisionKind::PaliGemma << 256u;
    }

    void projectorLoadsWithTheModel()
    {
        QFETCH(QString, model);
        QFETCH(QString, projector);
        QFETCH(VisionKind, kind);
        QFETCH(quint32, rows);
        Inference inference;
        const ModelSummary summary = load(inference, fixture(model), fixture(projector));
        QCOMPARE(summary.vision, kind);
        QVERIFY(summary.seesImages());
        QCOMPARE(summary.projectorPath, fixture(projector));
        QCOMPARE(summary.imageTokens, rows);
        QCOMPARE(summary.visionProblem, QString());
        QCOMPARE(visionKindName(kind), kind == VisionKind::Gemma3 ? QStringLiteral("Gemma 3 vision") : QStringLiteral("PaliGemma"));

        // Without one the model is text only.
        const ModelSummary textOnly = load(inference, fixture(model), QString());
        QCOMPARE(textOnly.vision, VisionKind::None);
        QVERIFY(!textOnly.seesImages());
    }

    // Another model's projector leaves the model text only, with the reason; so does a file that is no projector.
    void unusableProjectorIsLeftOut()
    {
        Inference inference;
        const QString model = fixture("models/vision/gemma3-vision-tiny.gguf");
        const ModelSummary wrong = load(inference, model, fixture("models/vision/paligemma-tiny-mmproj.gguf"));
        QCOMPARE(wrong.architecture, QStringLiteral("gemma3"));
        QCOMPARE(wrong.vision, VisionKind::None);
        QVERIFY2(wrong.visionProblem.contains("paligemma-tiny-mmproj.gguf") && wrong.visionProblem.contains("160") &&
                     wrong.visionProblem.contains("128"),
                 qPrintable(wrong.visionProblem));
        const ModelSummary notProjector = load(inference, model, fixture("models/stories260K.gguf"));
        QCOMPARE(notProjector.vision, VisionKind::None);
        QVERIFY(!notProjector.visionProblem.isEmpty());
    }

    void answerEqualsTheCli_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("projector");
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QString>("image");
        QTest::addColumn<int>("reused");  // rows kept when the same prompt comes again
        // The prompts as the app sends them: Gemma 3's marker where the image goes, PaliGemma's task prefix.
        // Gemma 3 re-runs only the last token; PaliGemma's whole prefix is one block that attends both ways,
        // which its last row is part of, so nothing can be kept.
        QTest::newRow("gemma3") << "models/vision/gemma3-vision-tiny.gguf" << "models/vision/gemma3-vision-tiny-mmproj.gguf"
                                << "<__media__>What is in it?" << "images/gradient_circle_square_320x240.png" << -1;
        QTest::newRow("paligemma") << "models/vision/paligemma-tiny.gguf" << "models/vision/paligemma-tiny-mmproj.gguf"
                                   << "caption en" << "images/rgba_disc_transparent_160x120.png" << 0;
    }

    void answerEqualsTheCli()
    {
        QFETCH(QString, model);
        QFETCH(QString, projector);
        QFETCH(QString, prompt);
        QFETCH(QString, image);
        QFETCH(int, reused);
        const QString imagePath = fixture(image);
        const QString expected = cliAnswer(fixture(model), fixture(projector), prompt, {imagePath});
        QVERIFY(!expected.isEmpty());
        Inference inference;
        QVERIFY(load(inference, fixture(model), fixture(projector)).seesImages());
        const Answer answer = ask(inference, imageRequest(prompt, {imagePath}));
        QCOMPARE(answer.error, QString());
        QCOMPARE(answer.text, expected);
        QCOMPARE(answer.stats.generatedTokens, kAnswerTokens);

        // Asked again, with the image as bytes this time: the cached prompt is reused (an image block whole or
        // not at all, and never the last row), and the answer is the same.
        GenerationRequest again = imageRequest(prompt, {});
        QFile file(imagePath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        again.images.append({QStringLiteral("pasted image"), file.readAll(), {}});
        const Answer second = ask(inference, again);
        QCOMPARE(second.text, expected);
        QCOMPARE(second.stats.promptTokens, answer.stats.promptTokens);
        QCOMPARE(second.stats.reusedTokens, reused < 0 ? answer.stats.promptTokens - 1 : reused);
    }

    // A chat's next turn sends the first image again: its rows come from the cache, and the answer is still
    // the CLI's for the whole prompt.
    void nextTurnReusesTheImage()
    {
        const QString model = fixture("models/vision/gemma3-vision-tiny.gguf");
        const QString projector = fixture("models/vision/gemma3-vision-tiny-mmproj.gguf");
        const QStringList images{fixture("images/gradient_circle_square_320x240.png"),
                                 fixture("images/odd_checker_37x53.png")};
        Inference inference;
        QVERIFY(load(inference, model, projector).seesImages());
        const Answer first = ask(inference, imageRequest("<__media__>What is in it?", images.mid(0, 1)));
        QCOMPARE(first.error, QString());
        const QString prompt = "<__media__>What is in it?" + first.text + "\n<__media__>And this one?";
        const Answer second = ask(inference, imageRequest(prompt, images));
        QCOMPARE(second.error, QString());
        QCOMPARE(second.text, cliAnswer(model, projector, prompt, images));
        QVERIFY2(second.stats.reusedTokens >= 1 + 1 + 16, qPrintable(QString::number(second.stats.reusedTokens)));
    }

    void badImagesFailWithTheirReason_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("text named .png") << "bad_text_named.png" << "is not a PNG, JPEG, BMP, GIF or TGA image";
        QTest::newRow("60000×60000") << "bad_huge_60000x60000.png" << "Vela reads images up to 16384 px a side";
        QTest::newRow("empty") << "bad_empty.jpg" << "the file is empty";
        QTest::newRow("truncated") << "bad_truncated.png" << "";
    }

    void badImagesFailWithTheirReason()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        Inference inference;
        QVERIFY(load(inference, fixture("models/vision/gemma3-vision-tiny.gguf"),
                     fixture("models/vision/gemma3-vision-tiny-mmproj.gguf"))
                    .seesImages());
        const Answer bad = ask(inference, imageRequest("<__media__>What is it?", {fixture("images/" + file)}));
        QVERIFY2(bad.error.contains(file) && bad.error.contains(reason), qPrintable(bad.error));
        QCOMPARE(bad.text, QString());
        // The model is still there for the next question.
        const Answer good = ask(inference, imageRequest("<__media__>What is it?", {fixture("images/odd_checker_37x53.png")}));
        QCOMPARE(good.error, QString());
        QCOMPARE(good.stats.generatedTokens, kAnswerTokens);
    }

    void textOnlyModelRefusesImages()
    {
        Inference inference;
        QCOMPARE(load(inference, fixture("models/stories260K.gguf"), QString()).vision, VisionKind::None);
        const Answer refused = ask(inference, imageRequest("<__media__>What is it?", {fixture("images/odd_checker_37x53.png")}));
        QVERIFY2(refused.error.contains("cannot see images"), qPrintable(refused.error));
    }

    // PaliGemma sees one image per prompt.
    void paliGemmaTakesOneImage()
    {
        Inference inference;
        QVERIFY(load(inference, fixture("models/vision/paligemma-tiny.gguf"),
                     fixture("models/vision/paligemma-tiny-mmproj.gguf"))
                    .seesImages());
        const QString image = fixture("images/odd_checker_37x53.png");
        const Answer refused = ask(inference, imageRequest("caption en", {image, image}));
        QVERIFY2(refused.error.contains("exactly one image"), qPrintable(refused.error));
    }
};

QTEST_GUILESS_MAIN(TestVisionWorker)
#include "tst_vision_worker.moc"
