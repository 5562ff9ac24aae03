// The model panel's LoRA adapters, driven through the window with stories260K and adapters written by the test:
// Add… reloads the model with the adapter (the worker reports it applied, the answer changes), a scale of 0 gives
// the base model's answer again, Remove takes it off, the list is remembered per model file; a mismatched
// adapter is refused with its reason and nothing reloads (the model stays as it was), and a saved adapter that
// no longer fits is left out of the next load with its reason while the model loads without it.
#include "adapter_box.h"
#include "main_window.h"
#include "model_panel.h"
#include "support/lora_fixture.h"
#include "support/test_data.h"
#include "window_fixture.h"

#include "library/model_preferences.h"

#include <QDoubleSpinBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using vela::app::ChatController;
using vela::app::LoraChoice;
using vela::app::ModelSummary;
using vela::ui::AdapterBox;
using vela::ui::MainWindow;

namespace {

constexpr int kLoadTimeoutMs = 60'000;
const QString kPrompt = QStringLiteral("Once upon a time");

std::unique_ptr<MainWindow> makeWindow(const QString& dataFolder)
{
    auto window = std::make_unique<MainWindow>(MainWindow::Options{.dataFolder = dataFolder, .modelsFolder = {}});
    vela::app::ConversationSettings settings = window->chat()->defaultSettings();
    settings.temperature = 0;
    settings.contextSize = 256;
    settings.maxTokens = 16;
    window->chat()->setDefaultSettings(settings);
    window->show();
    return window;
}

// An adapter for stories260K's attention query and output head; `architecture` other than llama makes it refused.
QString writeAdapter(const QString& name, const std::string& architecture = "llama")
{
    const QString model = vela::test::requireTestFile("models/stories260K.gguf");
    vela::Result<vela::GgufFile> file = vela::GgufFile::open(model.toStdString());
    if (!file.isOk())
        return {};
    const std::vector<vela::test::LoraPairData> pairs{
        vela::test::randomLoraPair(*file, "blk.0.attn_q.weight", 4, vela::GgmlType::F32, 0.5f, 1),
        vela::test::randomLoraPair(*file, "output.weight", 4, vela::GgmlType::F16, 0.5f, 2)};
    const QString path = vela::test::scratchDir() + "/" + name;
    return vela::test::writeLoraAdapter(path.toStdString(), architecture, 8.0f, pairs).empty() ? path : QString();
}

// The answer to kPrompt in a new chat.
QString answer(MainWindow& window)
{
    window.chat()->newConversation();
    if (!vela::test::sendAndWait(window, kPrompt))
        return QStringLiteral("(no answer)");
    return window.chat()->messages().back().content;
}

ModelSummary waitForModel(QSignalSpy& ready)
{
    if (!ready.wait(kLoadTimeoutMs) && ready.isEmpty())
        return {};
    return ready.takeFirst().front().value<ModelSummary>();
}

}  // namespace

class TestAdapterPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { vela::test::useScratchSettings(); }
    void init() { QSettings().clear(); }

    void addScaleAndRemoveAnAdapter()
    {
        QTemporaryDir data;
        const QString adapter = writeAdapter("style.gguf");
        QVERIFY(!adapter.isEmpty());
        auto window = makeWindow(data.path());
        const QString model = vela::test::requireTestFile("models/stories260K.gguf");
        QVERIFY(vela::test::loadModel(*window, model));
        AdapterBox* box = window->modelPanel()->adapterBox();
        QVERIFY(box->isVisible());
        QCOMPARE(box->table()->rowCount(), 0);
        const QString base = answer(*window);

        // Add…: the model reloads with it.
        box->setFileChooser([&] { return adapter; });
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        QTest::mouseClick(box->addButton(), Qt::LeftButton);
        QVERIFY(window->chat()->isLoading());
        ModelSummary summary = waitForModel(ready);
        QCOMPARE(summary.adapters, (QList<LoraChoice>{{adapter, 1.0}}));
        QVERIFY(summary.adapterProblems.isEmpty());
        QVERIFY2(window->modelPanel()->currentText().contains("with 1 LoRA adapter"),
                 qPrintable(window->modelPanel()->currentText()));
        QCOMPARE(box->table()->rowCount(), 1);
        QCOMPARE(box->table()->item(0, 0)->text(), QStringLiteral("style.gguf"));
        QCOMPARE(vela::app::ModelPreferences().adapters(model), summary.adapters);
        const QString adapted = answer(*window);
        qInfo("base: %s\nwith the adapter: %s", qPrintable(base), qPrintable(adapted));
        QVERIFY(adapted != base);

        // Scale 0, typed into the spin box: the base model's answer again.
        QDoubleSpinBox* scale = box->scaleBox(0);
        QVERIFY(scale);
        scale->setFocus();
        scale->selectAll();
        QTest::keyClicks(scale, "0");
        QTest::keyClick(scale, Qt::Key_Return);
        summary = waitForModel(ready);
        QCOMPARE(summary.adapters, (QList<LoraChoice>{{adapter, 0.0}}));
        QCOMPARE(answer(*window), base);

        // Remove.
        box->table()->selectRow(0);
        QVERIFY(box->removeButton()->isEnabled());
        QTest::mouseClick(box->removeButton(), Qt::LeftButton);
        summary = waitForModel(ready);
        QVERIFY(summary.adapters.isEmpty());
        QCOMPARE(box->table()->rowCount(), 0);
        QVERIFY(!window->modelPanel()->currentText().contains("LoRA"));
        QVERIFY(vela::app::ModelPreferences().adapters(model).isEmpty());
    }

    void remembersTheAdaptersOfEachModel()
    {
        QTemporaryDir data;
        const QString adapter = writeAdapter("remembered.gguf");
        const QString model = vela::test::requireTestFile("models/stories260K.gguf");
        vela::app::ModelPreferences().setAdapters(model, {{adapter, 0.5}});
        auto window = makeWindow(data.path());
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        window->modelPanel()->openModel(model);
        const ModelSummary summary = waitForModel(ready);
        QCOMPARE(summary.adapters, (QList<LoraChoice>{{adapter, 0.5}}));
        AdapterBox* box = window->modelPanel()->adapterBox();
        QCOMPARE(box->table()->rowCount(), 1);
        QCOMPARE(box->scaleBox(0)->value(), 0.5);
    }

    // Checked before anything reloads: the reason is shown, the model and its adapters stay as they were.
    void refusesAMismatchedAdapter()
    {
        QTemporaryDir data;
        const QString wrong = writeAdapter("qwen2-lora.gguf", "qwen2");
        QVERIFY(!wrong.isEmpty());
        auto window = makeWindow(data.path());
        QVERIFY(vela::test::loadStoriesGreedy(*window, 256, 8));
        AdapterBox* box = window->modelPanel()->adapterBox();
        box->setFileChooser([&] { return wrong; });
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        QTest::mouseClick(box->addButton(), Qt::LeftButton);
        QVERIFY(box->isProblemShown());
        QCOMPARE(box->problemText(),
                 "Not added: " + wrong + ": the adapter is for architecture 'qwen2', the model is 'llama'");
        QVERIFY(!window->chat()->isLoading());
        QTest::qWait(200);
        QCOMPARE(ready.size(), 0);
        QVERIFY(window->chat()->hasModel());
        QCOMPARE(box->table()->rowCount(), 0);
        QVERIFY(vela::test::sendAndWait(*window, kPrompt).has_value());
    }

    // A saved adapter that no longer fits (replaced by one for another model): the model loads without it and
    // says why; the saved list forgets it.
    void leavesOutAStaleAdapter()
    {
        QTemporaryDir data;
        const QString good = writeAdapter("good.gguf");
        const QString stale = writeAdapter("stale.gguf", "qwen2");
        const QString model = vela::test::requireTestFile("models/stories260K.gguf");
        vela::app::ModelPreferences().setAdapters(model, {{stale, 1.0}, {good, 1.0}});
        auto window = makeWindow(data.path());
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        window->modelPanel()->openModel(model);
        const ModelSummary summary = waitForModel(ready);
        QVERIFY(window->chat()->hasModel());
        QCOMPARE(summary.adapters, (QList<LoraChoice>{{good, 1.0}}));
        AdapterBox* box = window->modelPanel()->adapterBox();
        QVERIFY(box->isProblemShown());
        QCOMPARE(box->problemText(),
                 "Left out: " + stale + ": the adapter is for architecture 'qwen2', the model is 'llama'");
        QCOMPARE(box->table()->rowCount(), 1);
        QCOMPARE(vela::app::ModelPreferences().adapters(model), (QList<LoraChoice>{{good, 1.0}}));
    }
};

QTEST_MAIN(TestAdapterPanel)
#include "tst_adapter_panel.moc"
