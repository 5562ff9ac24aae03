// Files and situations a user can act on, each shown as a message in the window — never a crash: a file
// that is not GGUF, an unsupported architecture, a truncated download, a model too big for the device
// (refused by the panel's estimate, and by the engine itself when the estimate let it through). Each time
// the open conversation stays as it was and a good model loads and answers afterwards.
#include "chat_view.h"
#include "composer.h"
#include "device_picker.h"
#include "main_window.h"
#include "model_panel.h"
#include "support/model_copy.h"
#include "support/test_data.h"
#include "window_fixture.h"

#include "vela/device.h"
#include "vela/synthetic_model.h"

#include <QFile>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using vela::app::ChatController;
using vela::app::GenerationStats;
using vela::ui::MainWindow;
using vela::test::loadStories;
using vela::test::sendAndWait;

namespace {

constexpr int kLoadTimeoutMs = 120'000;
constexpr int kAnswerTimeoutMs = 60'000;
// Conversations ask for a context this long; a model is loaded at the smaller of it and its trained one.
constexpr int kLongestContext = 1 << 24;

enum class Input { NotGguf, UnsupportedArchitecture, Truncated, TooBigForPanel, TooBigForEngine };

// Writes (or finds) the bad file in `dir`.
QString badFile(Input input, const QString& dir)
{
    const QString stories = vela::test::requireTestFile("models/stories260K.gguf");
    switch (input) {
    case Input::NotGguf: {
        QFile file(dir + "/notes.gguf");
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write("these are not the weights you are looking for\n");
        return file.fileName();
    }
    case Input::UnsupportedArchitecture: return vela::test::requireTestFile("models/vocab/ggml-vocab-starcoder.gguf");
    case Input::Truncated: {
        QFile source(stories);
        QFile cut(dir + "/stories260K.part.gguf");
        if (!source.open(QIODevice::ReadOnly) || !cut.open(QIODevice::WriteOnly))
            return {};
        cut.write(source.read(source.size() / 2));  // half a download
        return cut.fileName();
    }
    case Input::TooBigForPanel: return stories;
    case Input::TooBigForEngine: {
        // Small weights, a wide KV cache (16 KiB a token) and the longest context a file may claim: the
        // cache alone would take 256 GiB.
        vela::SyntheticLlamaSpec spec;
        spec.nEmbd = 256;
        spec.nLayer = 16;
        spec.nHead = 4;
        spec.nHeadKv = 4;
        spec.nFf = 256;
        spec.nVocab = 512;
        spec.contextLength = kLongestContext;
        spec.type = vela::GgmlType::Q8_0;
        const QString path = dir + "/long-context.gguf";
        return vela::writeSyntheticLlama(spec, path.toStdString()).isOk() ? path : QString();
    }
    }
    return {};
}

vela::DeviceDescription pretendedDevice(uint64_t freeBytes)
{
    vela::DeviceDescription d;
    d.name = "Pretend GPU";
    d.kind = vela::DeviceKind::Discrete;
    d.deviceLocalBytes = freeBytes;
    d.freeBytes = freeBytes;
    d.memoryBudget = true;
    d.usable = true;
    return d;
}

void pretendDevice(MainWindow& window, uint64_t freeBytes)
{
    window.modelPanel()->devicePicker()->setLister(
        [d = pretendedDevice(freeBytes)] { return vela::Result<std::vector<vela::DeviceDescription>>({d}); });
}

}  // namespace

Q_DECLARE_METATYPE(Input)

class TestModelErrors : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { vela::test::useScratchSettings(); }

    void badInputShowsAMessage_data()
    {
        QTest::addColumn<Input>("input");
        QTest::addColumn<QStringList>("expected");  // parts of the message, in order
        QTest::addColumn<bool>("modelStays");       // refused before the loaded model was let go
        QTest::newRow("not GGUF") << Input::NotGguf
                                  << QStringList{"Cannot load notes.gguf: ", "not a GGUF file"} << true;
        QTest::newRow("unsupported architecture")
            << Input::UnsupportedArchitecture
            << QStringList{"Cannot load ggml-vocab-starcoder.gguf: unsupported architecture 'starcoder2' ",
                           "(Vela runs llama, qwen2, qwen3, gemma, gemma2, gemma3, phi2, phi3, qwen2moe, qwen3moe, "
                           "grok, deepseek2 models so far)"}
            << true;
        QTest::newRow("truncated download")
            << Input::Truncated
            << QStringList{"Cannot load stories260K.part.gguf: ", "the file is cut short (an incomplete download?)"}
            << true;
        QTest::newRow("not enough memory: the estimate")
            << Input::TooBigForPanel
            << QStringList{"Cannot load stories260K.gguf: it needs ", " free on Pretend GPU once the loaded model is freed. ", "smaller quantization"}
            << true;
        QTest::newRow("not enough memory: the engine")
            << Input::TooBigForEngine
            << QStringList{"Loading failed: ", "long-context.gguf: the model needs ", " free; try a smaller context"}
            << false;
    }

    void badInputShowsAMessage()
    {
        QFETCH(Input, input);
        QFETCH(QStringList, expected);
        QFETCH(bool, modelStays);
        QTemporaryDir data;
        auto window = std::make_unique<MainWindow>(MainWindow::Options{.dataFolder = data.path(), .modelsFolder = {}});
        vela::app::ConversationSettings settings = window->chat()->defaultSettings();
        settings.temperature = 0;
        settings.maxTokens = 6;
        settings.contextSize = kLongestContext;
        window->chat()->setDefaultSettings(settings);
        window->show();

        // A conversation to keep.
        QVERIFY(loadStories(*window));
        QVERIFY(sendAndWait(*window, "Once upon a time"));
        const QList<vela::app::Message> before = window->chat()->messages();
        QCOMPARE(before.size(), 2);
        const QString shownBefore = window->chatView()->toPlainText();
        const uint64_t bytesWithStories = vela::allocatedDeviceBytes();

        const QString path = badFile(input, data.path());
        QVERIFY(!path.isEmpty());
        if (input == Input::TooBigForPanel)
            pretendDevice(*window, 1'000'000);
        if (input == Input::TooBigForEngine)
            pretendDevice(*window, uint64_t(1) << 50);  // the estimate passes; the real device is smaller
        QSignalSpy failed(window->chat(), &ChatController::loadFailed);
        window->modelPanel()->openModel(path);
        if (!modelStays)
            QVERIFY(failed.wait(kLoadTimeoutMs));

        vela::ui::ModelPanel* panel = window->modelPanel();
        QVERIFY(panel->isErrorShown());
        const QString message = panel->errorText();
        qInfo("%s", qPrintable(message));
        qsizetype at = 0;
        for (const QString& part : expected) {
            at = message.indexOf(part, at);
            QVERIFY2(at >= 0, qPrintable(QStringLiteral("'%1' not in: %2").arg(part, message)));
        }
        QVERIFY(!window->chat()->isLoading());
        QCOMPARE(window->chat()->hasModel(), modelStays);
        QCOMPARE(vela::allocatedDeviceBytes(), modelStays ? bytesWithStories : uint64_t(0));

        // The conversation is untouched, on screen and in the controller.
        QCOMPARE(window->chat()->messages().size(), before.size());
        for (int i = 0; i < before.size(); ++i)
            QCOMPARE(window->chat()->messages()[i].content, before[i].content);
        QCOMPARE(window->chatView()->toPlainText(), shownBefore);

        // And the app goes on: a good model loads and answers in the same conversation.
        window->modelPanel()->devicePicker()->setLister({});
        QVERIFY(loadStories(*window));
        QVERIFY(!panel->isErrorShown());
        QVERIFY(sendAndWait(*window, "The end."));
        QCOMPARE(window->chat()->messages().size(), 4);
        QCOMPARE(window->chat()->messages()[0].content, before[0].content);
    }
};

QTEST_MAIN(TestModelErrors)
#include "tst_model_errors.moc"
