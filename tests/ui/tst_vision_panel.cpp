// Vision in the model panel and PaliGemma in the chat, driven through the real window offscreen: a model
// without its projector beside it is text only until the projector is chosen by hand (remembered for the
// file; one that does not fit is refused with its reason and forgotten); PaliGemma's task buttons fill the
// message box and its answer about the attached image arrives (later questions reuse that image); a detect
// answer's boxes are drawn on the image in the chat view.
#include "attachment_strip.h"
#include "chat_view.h"
#include "composer.h"
#include "image_drops.h"
#include "image_thumbnail.h"
#include "main_window.h"
#include "model_panel.h"
#include "paligemma_tasks.h"
#include "vision_box.h"
#include "window_fixture.h"

#include "library/model_preferences.h"
#include "storage/chat_store.h"

#include <QFile>
#include <QFileInfo>
#include <QListWidget>
#include <QPushButton>
#include <QToolButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using vela::app::ChatController;
using vela::app::VisionKind;
using vela::ui::MainWindow;
using vela::ui::PaliGemmaTasks;
using namespace vela::test;

namespace {

QString paliGemmaModel()
{
    return requireTestFile("models/vision/paligemma-tiny.gguf");
}

QString paliGemmaProjector()
{
    return requireTestFile("models/vision/paligemma-tiny-mmproj.gguf");
}

// Chooses `path` in the Images section's Projector… button, and waits for the model to come back.
bool chooseProjector(MainWindow& window, const QString& path)
{
    QSignalSpy ready(window.chat(), &ChatController::modelReady);
    window.modelPanel()->visionBox()->setFileChooser([path] { return path; });
    QTest::mouseClick(window.modelPanel()->visionBox()->chooseButton(), Qt::LeftButton);
    return ready.wait(60'000) || !ready.isEmpty();
}

}  // namespace

class TestVisionPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { useScratchSettings(); }

    void projectorChosenByHand()
    {
        QTemporaryDir data;
        // The model alone in a folder: nothing to pair it with.
        const QString model = data.filePath("gemma3-vision-tiny.gguf");
        QVERIFY(QFile::copy(gemma3Model(), model));
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        // A folder where each model has its projector beside it lists them as seeing images.
        window->modelPanel()->setModelsFolder(QFileInfo(gemma3Model()).absolutePath());
        QCOMPARE(window->modelPanel()->listedModels(), 2);
        for (int row = 0; row < 2; ++row)
            QVERIFY(window->modelPanel()->modelList()->item(row)->text().contains("sees images"));
        window->modelPanel()->setModelsFolder(data.path());
        QVERIFY(!window->modelPanel()->modelList()->item(0)->text().contains("sees images"));

        QVERIFY(loadModel(*window, model));
        QVERIFY(!window->chat()->seesImages());
        vela::ui::VisionBox* box = window->modelPanel()->visionBox();
        QVERIFY(box->isVisible());
        QVERIFY(box->statusText().startsWith("Text only"));

        QVERIFY(chooseProjector(*window, gemma3Projector()));
        QVERIFY(window->chat()->seesImages());
        QCOMPARE(window->chat()->model().vision, VisionKind::Gemma3);
        QVERIFY2(box->statusText().contains("Sees images (Gemma 3 vision)"), qPrintable(box->statusText()));
        QVERIFY(window->modelPanel()->currentText().contains("sees images (Gemma 3 vision)"));
        QCOMPARE(vela::app::ModelPreferences().projector(model), gemma3Projector());
        QVERIFY(window->composer()->taskBar()->isHidden());  // the tasks are PaliGemma's

        // Remembered: the next load of the file takes it again.
        QVERIFY(loadModel(*window, model));
        QVERIFY(window->chat()->seesImages());

        // Another model's projector: refused with the reason, the model text only, the choice forgotten.
        QVERIFY(chooseProjector(*window, paliGemmaProjector()));
        QVERIFY(!window->chat()->seesImages());
        QVERIFY2(box->problemText().contains("paligemma-tiny-mmproj.gguf") && box->problemText().contains("does not fit"),
                 qPrintable(box->problemText()));
        QVERIFY(window->modelPanel()->currentText().contains("text only"));
        QCOMPARE(vela::app::ModelPreferences().projector(model), QString());
    }

    void paliGemmaTasksAndAnswer()
    {
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QVERIFY(loadGreedy(*window, paliGemmaModel(), 8));
        QCOMPARE(window->chat()->model().vision, VisionKind::PaliGemma);
        PaliGemmaTasks* tasks = window->composer()->taskBar();
        QVERIFY(tasks->isVisible());
        QTest::mouseClick(tasks->button(PaliGemmaTasks::Task::Caption), Qt::LeftButton);
        QCOMPARE(window->composer()->text(), QStringLiteral("caption en"));
        // What was typed becomes the thing to detect, or the question.
        window->composer()->editor()->setPlainText("cat ; dog");
        QTest::mouseClick(tasks->button(PaliGemmaTasks::Task::Detect), Qt::LeftButton);
        QCOMPARE(window->composer()->text(), QStringLiteral("detect cat ; dog"));
        QTest::mouseClick(tasks->button(PaliGemmaTasks::Task::Answer), Qt::LeftButton);
        QCOMPARE(window->composer()->text(), QStringLiteral("answer en cat ; dog"));
        QTest::mouseClick(tasks->button(PaliGemmaTasks::Task::Ocr), Qt::LeftButton);
        QCOMPARE(window->composer()->text(), QStringLiteral("ocr"));

        // Without an image PaliGemma has nothing to look at: the answer fails with the reason.
        QSignalSpy failed(window->chat(), &ChatController::generationFailed);
        typeAndSend(*window, "");  // sends "ocr"
        QVERIFY(failed.wait(10'000) || !failed.isEmpty());
        QVERIFY2(failed.front().front().toString().contains("attach one"), qPrintable(failed.front().front().toString()));

        // Two images are one too many.
        QVERIFY(dropFiles(*window, {testImage("odd_checker_37x53.png"), testImage("rgba_disc_transparent_160x120.png")}));
        QTest::mouseClick(tasks->button(PaliGemmaTasks::Task::Caption), Qt::LeftButton);
        QSignalSpy refused(window->chat(), &ChatController::imagesRefused);
        typeAndSend(*window, "");
        QCOMPARE(refused.size(), 1);
        QVERIFY(window->composer()->imageNote().contains("one image per question"));
        QTest::mouseClick(window->composer()->attachmentStrip()->removeButton(0), Qt::LeftButton);

        const auto stats = sendAndWait(*window, "");
        QVERIFY(stats);
        QCOMPARE(stats->generatedTokens, 8);
        QCOMPARE(stats->promptTokens, 256 + 1 + 3);  // the image's rows, <bos>, "caption en\n"
        QCOMPARE(window->chat()->lastPrompt(), QStringLiteral("caption en"));
        QVERIFY(!window->chat()->messages().back().content.isEmpty());
        // A follow-up task without a new image is about the same one.
        QTest::mouseClick(tasks->button(PaliGemmaTasks::Task::Ocr), Qt::LeftButton);
        const auto second = sendAndWait(*window, "");
        QVERIFY(second);
        QCOMPARE(window->chat()->lastPrompt(), QStringLiteral("ocr"));
        QCOMPARE(second->promptTokens, 256 + 1 + 2);
    }

    // A detect answer stored with its question: the chat view parses its boxes and draws them on the image.
    void detectionBoxesAreDrawn()
    {
        QTemporaryDir data;
        const QString imageFile = testImage("gradient_circle_square_320x240.png");
        qint64 answerId = 0;
        {
            vela::app::ChatStore store;
            QVERIFY(store.open(data.path()).isOk());
            QFile file(imageFile);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const vela::Result<QString> hash = store.storeImage(file.readAll());
            QVERIFY(hash.isOk());
            const vela::Result<qint64> chat = store.createConversation("detect");
            const vela::Result<qint64> question = store.addMessage(*chat, 0, vela::app::MessageRole::User, "detect circle ; square");
            vela::app::Attachment attachment;
            attachment.messageId = *question;
            attachment.contentHash = *hash;
            attachment.path = "shapes.png";
            QVERIFY(store.addAttachment(attachment).isOk());
            // The circle's box (60,60)–(140,140) and the square's (200,120)–(270,190) on 320×240, in 1024 bins.
            const vela::Result<qint64> answer = store.addMessage(
                *chat, *question, vela::app::MessageRole::Assistant,
                "<loc0256><loc0192><loc0597><loc0448> circle ; <loc0512><loc0640><loc0811><loc0864> square");
            answerId = *answer;
        }
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        vela::ui::ChatView* view = window->chatView();
        const QList<vela::app::DetectionBox> boxes = view->detectionsShown(answerId);
        QCOMPARE(boxes.size(), 2);
        QCOMPARE(boxes[0].label, QStringLiteral("circle"));
        QCOMPARE(boxes[1].label, QStringLiteral("square"));
        // The answer's own text stays readable (as Markdown its tokens would pass for HTML tags and vanish).
        QVERIFY(view->toPlainText().contains("<loc0256><loc0192><loc0597><loc0448> circle"));
        const QString name = QStringLiteral("vela-detect:%1").arg(answerId);
        QVERIFY2(view->imageNames().contains(name), qPrintable(view->imageNames().join(", ")));
        const QImage drawn = view->shownImage(name);
        QCOMPARE(drawn.size(), QSize(320, 240));  // within the detection view's 360 px: full size
        // The square's box outline (2 px, inside its rectangle) in the box colour; its inside untouched (blue).
        QCOMPARE(drawn.pixelColor(235, 189), vela::ui::kDetectionColor);  // bottom edge of 200..270 × 120..190
        QCOMPARE(drawn.pixelColor(269, 160), vela::ui::kDetectionColor);  // right edge
        QCOMPARE(drawn.pixelColor(235, 160), QColor(0, 0, 255));
        // The question above it keeps its plain thumbnail; an answer without boxes draws nothing.
        QCOMPARE(view->imageNames().size(), 2);
        QVERIFY(view->detectionsShown(window->chat()->messages().front().id).isEmpty());
    }
};

QTEST_MAIN(TestVisionPanel)
#include "tst_vision_panel.moc"
