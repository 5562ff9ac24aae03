// The model panel driven through the window: the device list (the default marked, skipped devices with the
// reason, the choice remembered and used for loading), the memory check against a pretended small device,
// the prompt format with the built-in fallback for a broken template and a per-model override, recent
// models, and Cancel in the middle of a load giving back every byte of device memory.
#include "device_picker.h"
#include "main_window.h"
#include "model_panel.h"
#include "template_box.h"
#include "composer.h"
#include "support/model_copy.h"
#include "support/test_data.h"
#include "window_fixture.h"

#include "library/model_preferences.h"
#include "vela/device.h"
#include "vela/synthetic_model.h"

#include <QComboBox>
#include <QFile>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using vela::DeviceDescription;
using vela::DeviceKind;
using vela::app::ChatController;
using vela::app::GenerationStats;
using vela::ui::MainWindow;

namespace {

constexpr int kLoadTimeoutMs = 120'000;
constexpr int kAnswerTimeoutMs = 60'000;
constexpr uint64_t kGiB = 1ull << 30;

std::unique_ptr<MainWindow> makeWindow(const QString& dataFolder, int contextSize = 256)
{
    auto window = std::make_unique<MainWindow>(MainWindow::Options{.dataFolder = dataFolder, .modelsFolder = {}});
    vela::app::ConversationSettings settings = window->chat()->defaultSettings();
    settings.temperature = 0;
    settings.contextSize = contextSize;
    settings.maxTokens = 4;
    window->chat()->setDefaultSettings(settings);
    window->show();
    return window;
}

DeviceDescription fakeDevice(uint32_t index, const char* name, DeviceKind kind, uint64_t freeBytes)
{
    DeviceDescription d;
    d.index = index;
    d.name = name;
    d.kind = kind;
    d.deviceLocalBytes = std::max<uint64_t>(freeBytes, kGiB);
    d.freeBytes = freeBytes;
    d.memoryBudget = true;
    d.apiVersion = "1.3.0";
    d.usable = true;
    return d;
}

vela::app::DeviceCatalog::Lister pretend(std::vector<DeviceDescription> devices)
{
    return [devices] { return vela::Result<std::vector<DeviceDescription>>(devices); };
}

}  // namespace

class TestModelPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { vela::test::useScratchSettings(); }
    void init() { QSettings().clear(); }

    void listsDevicesAndRemembersTheChoice()
    {
        QTemporaryDir data;
        DeviceDescription old = fakeDevice(1, "Old GPU", DeviceKind::Discrete, kGiB);
        old.usable = false;
        old.unusableReason = "it supports only Vulkan 1.1 (1.2 needed)";
        const auto lister = pretend({fakeDevice(0, "Laptop iGPU", DeviceKind::Integrated, 3 * kGiB), old,
                                     fakeDevice(2, "Big GPU", DeviceKind::Discrete, 20 * kGiB)});
        {
            auto window = makeWindow(data.path());
            vela::ui::DevicePicker* picker = window->modelPanel()->devicePicker();
            picker->setLister(lister);
            QComboBox* list = picker->list();
            QCOMPARE(list->count(), 2);  // the usable ones
            QCOMPARE(list->itemText(0), QStringLiteral("Laptop iGPU"));
            QCOMPARE(list->itemText(1), QStringLiteral("Big GPU (default)"));
            QCOMPARE(list->currentIndex(), 1);
            QVERIFY2(picker->memoryText().contains("discrete GPU · 20.00 GiB free"), qPrintable(picker->memoryText()));
            QCOMPARE(picker->skippedText(),
                     QStringLiteral("Skipped: Old GPU — it supports only Vulkan 1.1 (1.2 needed)"));
            QCOMPARE(picker->request(), QString());  // the default: VELA_DEVICE still applies

            // Picking the other device reaches the controller, which loads on it.
            QVERIFY(QTest::qWaitForWindowActive(window.get()));
            list->setFocus();
            QTest::keyClick(list, Qt::Key_Up);
            QCOMPARE(list->currentIndex(), 0);
            QCOMPARE(window->chat()->device(), QStringLiteral("0"));
            QVERIFY(picker->memoryText().contains("integrated GPU · 3.00 GiB free"));
            QCOMPARE(vela::app::ModelPreferences().device(), QStringLiteral("Laptop iGPU"));
        }
        // Remembered by the next window.
        auto window = makeWindow(data.path());
        window->modelPanel()->devicePicker()->setLister(lister);
        QCOMPARE(window->modelPanel()->devicePicker()->list()->currentIndex(), 0);
        QCOMPARE(window->modelPanel()->devicePicker()->request(), QStringLiteral("0"));
    }

    void realDevicesAreListed()
    {
        QTemporaryDir data;
        auto window = makeWindow(data.path());
        vela::ui::DevicePicker* picker = window->modelPanel()->devicePicker();
        QVERIFY(picker->list()->count() >= 1);
        QVERIFY(picker->list()->currentText().endsWith("(default)"));
        QVERIFY2(picker->memoryText().contains(" free of "), qPrintable(picker->memoryText()));
    }

    // The estimate against the chosen device: refused with advice before anything is loaded.
    void refusesWhatCannotFit()
    {
        QTemporaryDir data;
        QTemporaryDir models;
        const QString stories = vela::test::requireTestFile("models/stories260K.gguf");
        QVERIFY(QFile::copy(stories, models.filePath("stories260K.gguf")));
        auto window = makeWindow(data.path(), 2048);
        vela::ui::ModelPanel* panel = window->modelPanel();
        const vela::app::ModelEntry entry = vela::app::ModelLibrary::describe(stories, 2048);
        QCOMPARE(entry.contextLength, 2048u);

        // Too small even for the weights.
        panel->devicePicker()->setLister(pretend({fakeDevice(0, "Tiny GPU", DeviceKind::Discrete, 100'000)}));
        QSignalSpy requested(panel, &vela::ui::ModelPanel::loadRequested);
        panel->openModel(stories);
        QVERIFY(panel->isErrorShown());
        const QString error = panel->errorText();
        QVERIFY2(error.startsWith("Cannot load stories260K.gguf: it needs ") && error.contains("free on Tiny GPU") &&
                     error.contains("try a smaller quantization"),
                 qPrintable(error));
        QCOMPARE(requested.size(), 0);
        QVERIFY(!window->chat()->isLoading());

        // Room for the weights and half the KV cache: a shorter context is the advice.
        const uint64_t half = entry.estimatedBytes - entry.kvCacheBytes / 2;
        panel->devicePicker()->setLister(pretend({fakeDevice(0, "Small GPU", DeviceKind::Discrete, half)}));
        panel->openModel(stories);
        QVERIFY2(panel->errorText().contains("Try a shorter context (about 1024 tokens would fit instead of 2048)"),
                 qPrintable(panel->errorText()));
        QCOMPARE(requested.size(), 0);

        // The models folder shows the verdict, and Load stays off.
        panel->setModelsFolder(models.path());
        panel->modelList()->setCurrentRow(0);
        QVERIFY2(panel->detailsText().contains("Does not fit"), qPrintable(panel->detailsText()));
        QVERIFY(!panel->loadButton()->isEnabled());

        // A device with room: it fits, and Load loads.
        panel->devicePicker()->setLister(pretend({fakeDevice(0, "Big GPU", DeviceKind::Discrete, 20 * kGiB)}));
        QVERIFY2(panel->detailsText().contains("Fits: needs"), qPrintable(panel->detailsText()));
        QVERIFY(panel->loadButton()->isEnabled());
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        QTest::mouseClick(panel->loadButton(), Qt::LeftButton);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QVERIFY(!panel->isErrorShown());
    }

    // A template the interpreter cannot parse: the built-in format it matches, said in the panel; an
    // override typed in the box is used at once and remembered for the file.
    void brokenTemplateFallsBackAndOverrideWins()
    {
        QTemporaryDir data;
        QTemporaryDir models;
        const QString broken = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }<|im_end|>\n{% endfor %}";
        const QString path = vela::test::writeModelCopy(
            vela::test::requireTestFile("models/stories260K.gguf"), models.filePath("chatml.gguf"),
            [&](vela::GgufWriter& w) { w.setString("tokenizer.chat_template", broken.toStdString()); });
        QVERIFY(!path.isEmpty());
        auto window = makeWindow(data.path());
        vela::ui::TemplateBox* box = window->modelPanel()->templateBox();
        QVERIFY(vela::test::loadModel(*window, path));
        QTRY_COMPARE(box->formatText(),
                     QStringLiteral("Prompt format: built-in ChatML format — the model's template could not be parsed "
                                    "(line 2, column 1)"));
        QVERIFY(box->isVisible());
        QCOMPARE(vela::test::sendAndWait(*window, "Hi").value_or(GenerationStats{}).generatedTokens, 4);
        QVERIFY2(window->chat()->lastPrompt().startsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"),
                 qPrintable(window->chat()->lastPrompt()));

        // The override: typed, applied, used by the next turn.
        box->editor()->setFocus();
        QTest::keyClicks(box->editor(), "{% for m in messages %}[{{ m.role }}] {{ m.content }}");
        QTest::keyClick(box->editor(), Qt::Key_Return);
        QTest::keyClicks(box->editor(), "{% endfor %}[assistant]");
        QTest::mouseClick(box->applyButton(), Qt::LeftButton);
        QCOMPARE(box->formatText(), QStringLiteral("Prompt format: your template override"));
        QCOMPARE(vela::test::sendAndWait(*window, "Again").value_or(GenerationStats{}).generatedTokens, 4);
        QVERIFY2(window->chat()->lastPrompt().startsWith("[user] Hi\n[assistant] ") &&
                     window->chat()->lastPrompt().endsWith("[user] Again\n[assistant]"),
                 qPrintable(window->chat()->lastPrompt()));
        QVERIFY(vela::app::ModelPreferences().templateOverride(path).startsWith("{% for m in messages %}["));

        // A broken override says so and leaves the fallback in place.
        box->editor()->setPlainText("{% if %}");
        QTest::mouseClick(box->applyButton(), Qt::LeftButton);
        QVERIFY2(box->formatText().startsWith("Prompt format: built-in ChatML format — your template override could "
                                              "not be parsed (line 1, column"),
                 qPrintable(box->formatText()));

        // Back to the model's own; a reload shows the remembered override (none now).
        QTest::mouseClick(box->resetButton(), Qt::LeftButton);
        QVERIFY(box->editor()->toPlainText().isEmpty());
        QVERIFY(vela::app::ModelPreferences().templateOverride(path).isEmpty());
        QVERIFY(box->formatText().startsWith("Prompt format: built-in ChatML format — the model's template"));
        vela::app::ModelPreferences().setTemplateOverride(path, "{{ messages[0].content }}");
        QVERIFY(vela::test::loadModel(*window, path));
        QTRY_COMPARE(box->formatText(), QStringLiteral("Prompt format: your template override"));
        QCOMPARE(box->editor()->toPlainText(), QStringLiteral("{{ messages[0].content }}"));
    }

    void plainTextModelSaysSo()
    {
        QTemporaryDir data;
        auto window = makeWindow(data.path());
        QVERIFY(vela::test::loadModel(*window, vela::test::requireTestFile("models/stories260K.gguf")));
        QTRY_COMPARE(window->modelPanel()->templateBox()->formatText(),
                     QStringLiteral("Prompt format: plain text (the model has no chat template)"));
    }

    void recentModelsNewestFirst()
    {
        QTemporaryDir data;
        QTemporaryDir models;
        const QString stories = vela::test::requireTestFile("models/stories260K.gguf");
        const QString copy = vela::test::writeModelCopy(stories, models.filePath("copy.gguf"));
        QVERIFY(!copy.isEmpty());
        auto window = makeWindow(data.path());
        QListWidget* recent = window->modelPanel()->recentList();
        QVERIFY(recent->isHidden());
        QVERIFY(vela::test::loadModel(*window, stories));
        QVERIFY(vela::test::loadModel(*window, copy));
        QCOMPARE(recent->count(), 2);
        QCOMPARE(recent->item(0)->text(), QStringLiteral("copy.gguf"));
        QCOMPARE(recent->item(1)->text(), QStringLiteral("stories260K.gguf"));

        // Enter on a recent model loads it.
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        recent->setFocus();
        recent->setCurrentRow(1);
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        QTest::keyClick(recent, Qt::Key_Return);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(QFileInfo(window->chat()->model().path), QFileInfo(stories));
        QCOMPARE(recent->item(0)->text(), QStringLiteral("stories260K.gguf"));

        // A file that is gone is dropped; the list keeps a handful.
        QVERIFY(QFile::remove(copy));
        window->modelPanel()->refreshRecent();
        QCOMPARE(recent->count(), 1);
        vela::app::ModelPreferences preferences;
        for (int i = 0; i < 10; ++i) {
            const QString file = models.filePath(QStringLiteral("m%1.gguf").arg(i));
            QVERIFY(QFile::copy(stories, file));
            preferences.addRecentModel(file);
        }
        QCOMPARE(preferences.recentModels().size(), vela::app::ModelPreferences::kRecentLimit);
        QCOMPARE(QFileInfo(preferences.recentModels().front()).fileName(), QStringLiteral("m9.gguf"));
    }

    // Cancel while the weights stream to the device: no model, the status says so, every byte given back.
    void cancellingALoadLeavesNothing()
    {
        QTemporaryDir data;
        QTemporaryDir models;
        vela::SyntheticLlamaSpec spec;
        spec.nEmbd = 512;
        spec.nLayer = 8;
        spec.nHead = 8;
        spec.nHeadKv = 8;
        spec.nFf = 1408;
        spec.nVocab = 512;
        spec.type = vela::GgmlType::Q8_0;
        const QString big = models.filePath("synthetic.gguf");
        QVERIFY(vela::writeSyntheticLlama(spec, big.toStdString()).isOk());

        auto window = makeWindow(data.path());
        vela::ui::ModelPanel* panel = window->modelPanel();
        QVERIFY(vela::test::loadModel(*window, vela::test::requireTestFile("models/stories260K.gguf")));
        const uint64_t withStories = vela::allocatedDeviceBytes();
        QVERIFY(withStories > 0);

        // The worker waits at its first progress report past 0 until the test has pressed Cancel: a user's click
        // landing mid-way, without depending on how fast this device uploads.
        QSemaphore reached;
        QSemaphore pressed;
        connect(window->chat()->worker(), &vela::app::InferenceWorker::loadProgress, window->chat()->worker(),
                [&, first = true](double fraction) mutable {
                    if (!first || fraction <= 0.0 || fraction >= 1.0)
                        return;
                    first = false;
                    reached.release();
                    pressed.tryAcquire(1, 20'000);
                },
                Qt::DirectConnection);
        QSignalSpy failed(window->chat(), &ChatController::loadFailed);
        panel->openModel(big);
        QVERIFY(panel->cancelButton()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(reached.available() == 1, kLoadTimeoutMs);
        QTRY_VERIFY(panel->findChild<QProgressBar*>()->value() > 0);  // progress seen
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
        pressed.release();
        QVERIFY(failed.wait(kLoadTimeoutMs));
        QCOMPARE(failed.front().front().toString(), QStringLiteral("loading cancelled"));

        QVERIFY(!window->chat()->hasModel());
        QVERIFY(!panel->isLoading());
        QVERIFY(!panel->cancelButton()->isVisible());
        QVERIFY(!panel->isErrorShown());
        QCOMPARE(panel->currentText(), QStringLiteral("Loading cancelled. No model loaded."));
        QVERIFY(window->statusText().contains("No model loaded"));
        QCOMPARE(vela::allocatedDeviceBytes(), uint64_t(0));  // stories went first, the big one never stayed

        QVERIFY(vela::test::loadModel(*window, vela::test::requireTestFile("models/stories260K.gguf")));
        QCOMPARE(vela::allocatedDeviceBytes(), withStories);
    }
};

QTEST_MAIN(TestModelPanel)
#include "tst_model_panel.moc"
