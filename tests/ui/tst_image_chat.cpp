// Images in the chat, driven through the real window offscreen: an image file dropped on the message box,
// asked about with the Gemma 3 fixture pair (the projector found beside the model), answered exactly as
// vela-cli answers the same prompt and image; a pasted image; a thumbnail removed before sending; every bad
// image of shared/images refused with its message while the conversation stays; a text-only model refusing
// images while keeping them attached; and the stored image shown again after a restart.
#include "attachment_strip.h"
#include "chat_view.h"
#include "composer.h"
#include "image_drops.h"
#include "main_window.h"
#include "model_panel.h"
#include "support/cli_runner.h"
#include "vision_box.h"
#include "window_fixture.h"

#include <QClipboard>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <memory>

using vela::app::ChatController;
using vela::app::MessageRole;
using vela::ui::MainWindow;
using namespace vela::test;

namespace {

constexpr int kAnswerTokens = 16;
const QString kQuestion = QStringLiteral("What is in it?");

QString cliAnswer(const QStringList& extra)
{
    QStringList args{"generate", "-m", gemma3Model(), "--temp", "0", "-n", QString::number(kAnswerTokens), "--ignore-eos"};
    const CliRun run = runProgram(VELA_CLI_PATH, args + extra);
    if (run.exitCode != 0)
        qWarning() << "vela-cli failed:" << run.err;
    return QString::fromUtf8(run.out);
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::unique_ptr<MainWindow> openGemma3(const QString& dataFolder, const QString& settingsFile)
{
    auto window = openWindow(dataFolder, settingsFile);
    if (!window || !loadGreedy(*window, gemma3Model(), kAnswerTokens))
        return nullptr;
    return window;
}

}  // namespace

class TestImageChat : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { useScratchSettings(); }

    void droppedImageIsAnsweredAsByTheCli()
    {
        QTemporaryDir data;
        const QString image = testImage("gradient_circle_square_320x240.png");
        QString hash;
        {
            auto window = openGemma3(data.path(), data.filePath("settings.ini"));
            QVERIFY(window);
            // The projector beside the model was found and loaded.
            QVERIFY2(window->modelPanel()->currentText().contains("sees images (Gemma 3 vision)"),
                     qPrintable(window->modelPanel()->currentText()));
            QVERIFY(window->modelPanel()->visionBox()->statusText().contains("gemma3-vision-tiny-mmproj.gguf"));

            QVERIFY(dropFiles(*window, {image}));
            QCOMPARE(window->composer()->attachmentStrip()->count(), 1);
            QCOMPARE(window->composer()->images().front().name, QFileInfo(image).fileName());
            QCOMPARE(window->composer()->text(), QString());  // the drop did not insert the file's name
            QCOMPARE(window->composer()->imageNote(), QString());

            const auto stats = sendAndWait(*window, kQuestion);
            QVERIFY(stats);
            QCOMPARE(stats->generatedTokens, kAnswerTokens);
            const QList<vela::app::Message> messages = window->chat()->messages();
            QCOMPARE(messages.size(), 2);
            QCOMPARE(messages[0].images.size(), 1);
            hash = messages[0].images[0].hash;
            QCOMPARE(hash.size(), 64);
            // The app's prompt is the marker where the image was attached, then the text (no chat template).
            QCOMPARE(messages[1].content, cliAnswer({"--mmproj", gemma3Projector(), "--image", image, "-p", "<__media__>" + kQuestion}));
            QVERIFY(messages[1].content != cliAnswer({"-p", kQuestion}));  // the image made a difference
            QCOMPARE(window->composer()->attachmentStrip()->count(), 0);
            QCOMPARE(window->composer()->text(), QString());
            // The question shows its thumbnail.
            QVERIFY2(window->chatView()->imageNames().contains("vela-image:" + hash),
                     qPrintable(window->chatView()->imageNames().join(", ")));
            QCOMPARE(fileBytes(data.filePath("images/" + hash)), fileBytes(image));
        }
        // Restarted: the conversation opens with its image, read from the store.
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(window->chat()->messages().size(), 2);
        QCOMPARE(window->chat()->messages().front().images.size(), 1);
        const QString name = "vela-image:" + hash;
        QVERIFY(window->chatView()->imageNames().contains(name));
        const QImage shown = window->chatView()->shownImage(name);
        QCOMPARE(shown.size(), QSize(220, 165));  // 320×240 fitted in the thumbnail's 220 px
        QCOMPARE(shown.pixelColor(110, 2).blue(), 64);  // the picture's own pixels (B = 64 everywhere)
    }

    void pastedImagesAreAttached()
    {
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QPlainTextEdit* editor = window->composer()->editor();
        editor->setFocus();
        auto* encoded = new QMimeData;  // the clipboard owns it
        encoded->setData("image/png", fileBytes(testImage("odd_checker_37x53.png")));
        QGuiApplication::clipboard()->setMimeData(encoded);
        QTest::keyClick(editor, Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(window->composer()->attachmentStrip()->count(), 1);
        QCOMPARE(window->composer()->images()[0].name, QStringLiteral("pasted image"));
        QCOMPARE(window->composer()->images()[0].bytes, fileBytes(testImage("odd_checker_37x53.png")));
        // Pixels only, as a screenshot tool puts them there: kept as a PNG.
        QImage pixels(40, 30, QImage::Format_RGB32);
        pixels.fill(Qt::darkCyan);
        QGuiApplication::clipboard()->setImage(pixels);
        editor->paste();
        QCOMPARE(window->composer()->attachmentStrip()->count(), 2);
        QVERIFY(window->composer()->images()[1].bytes.startsWith("\x89PNG"));
        // No model yet: the note says what to do, and nothing is lost.
        QVERIFY(window->composer()->imageNote().contains("Load a vision model"));
        QCOMPARE(editor->toPlainText(), QString());
    }

    void thumbnailRemovedBeforeSending()
    {
        QTemporaryDir data;
        auto window = openGemma3(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        const QString first = testImage("odd_checker_37x53.png");
        const QString second = testImage("progressive_128x96.jpg");
        QVERIFY(dropFiles(*window, {first, second}));
        vela::ui::AttachmentStrip* strip = window->composer()->attachmentStrip();
        QCOMPARE(strip->count(), 2);
        QVERIFY(strip->isVisible());
        QTest::mouseClick(strip->removeButton(0), Qt::LeftButton);
        QCOMPARE(strip->count(), 1);
        QCOMPARE(window->composer()->images()[0].name, QFileInfo(second).fileName());
        QVERIFY(sendAndWait(*window, "And this?"));
        QCOMPARE(window->chat()->messages()[0].images.size(), 1);
        QCOMPARE(window->chat()->messages()[0].images[0].name, QFileInfo(second).fileName());
        QCOMPARE(window->chatView()->imageNames().size(), 1);
        QVERIFY(strip->isHidden());  // sent: the strip is empty

        // Edited and sent again: the new version of the question keeps its image.
        const vela::app::Message question = window->chat()->messages()[0];
        window->chatView()->activateLink(vela::ui::ChatView::actionUrl("edit", question.id));
        QCOMPARE(window->composer()->text(), QStringLiteral("And this?"));
        QVERIFY(sendAndWait(*window, " Really?"));
        QCOMPARE(window->chat()->messages()[0].content, QStringLiteral("And this? Really?"));
        QVERIFY(window->chat()->messages()[0].id != question.id);
        QCOMPARE(window->chat()->messages()[0].images.size(), 1);
        QCOMPARE(window->chat()->messages()[0].images[0].hash, question.images[0].hash);
        QCOMPARE(window->chatView()->imageNames().size(), 1);
    }

    void badImagesAreRefusedAndNothingIsLost_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("text named .png") << "bad_text_named.png" << "is not a PNG, JPEG, BMP, GIF or TGA image";
        QTest::newRow("60000×60000") << "bad_huge_60000x60000.png" << "Vela reads images up to 16384 px a side";
        QTest::newRow("empty") << "bad_empty.jpg" << "the file is empty";
        QTest::newRow("truncated") << "bad_truncated.png" << "cut short";
    }

    void badImagesAreRefusedAndNothingIsLost()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        QTemporaryDir data;
        QVERIFY(seedConversation(data.path(), "Earlier", {"Hello there", "Hi! How can I help?"}));
        auto window = openGemma3(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(window->chat()->messages().size(), 2);
        QTest::keyClicks(window->composer()->editor(), "Look:");
        QSignalSpy rejected(window->composer(), &vela::ui::Composer::imageRejected);
        QVERIFY(dropFiles(*window, {testImage(file)}));
        QCOMPARE(rejected.size(), 1);
        const QString note = window->composer()->imageNote();
        QVERIFY2(note.contains(file) && note.contains(reason), qPrintable(note));
        QCOMPARE(window->composer()->attachmentStrip()->count(), 0);
        // The draft, the conversation and the model are as they were.
        QCOMPARE(window->composer()->text(), QStringLiteral("Look:"));
        QCOMPARE(texts(window->chat()->messages()), (QStringList{"Hello there", "Hi! How can I help?"}));
        QVERIFY(window->chatView()->toPlainText().contains("Hi! How can I help?"));
        QVERIFY(window->chat()->hasModel());
        // A good image dropped with it still comes in; the bad one is named.
        QVERIFY(dropFiles(*window, {testImage(file), testImage("odd_checker_37x53.png")}));
        QCOMPARE(window->composer()->attachmentStrip()->count(), 1);
        QVERIFY(window->composer()->imageNote().contains(file));
    }

    void textOnlyModelKeepsTheImageAndSaysWhy()
    {
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QVERIFY(loadStoriesGreedy(*window));
        QVERIFY(window->modelPanel()->currentText().contains("text only"));
        QVERIFY(window->modelPanel()->visionBox()->statusText().startsWith("Text only"));
        QVERIFY(dropFiles(*window, {testImage("odd_checker_37x53.png")}));
        QCOMPARE(window->composer()->attachmentStrip()->count(), 1);
        QVERIFY2(window->composer()->imageNote().contains("cannot see images"), qPrintable(window->composer()->imageNote()));
        QSignalSpy refused(window->chat(), &ChatController::imagesRefused);
        QSignalSpy started(window->chat(), &ChatController::generationStarted);
        typeAndSend(*window, "What is it?");
        QCOMPARE(refused.size(), 1);
        QVERIFY(refused.front().front().toString().contains("cannot see images"));
        QCOMPARE(started.size(), 0);
        QCOMPARE(window->chat()->messages().size(), 0);
        // Kept: the text, the image, and the reason above them.
        QCOMPARE(window->composer()->text(), QStringLiteral("What is it?"));
        QCOMPARE(window->composer()->attachmentStrip()->count(), 1);
        QVERIFY(window->composer()->imageNote().contains("cannot see images"));
        // Without the image the text goes as usual.
        QTest::mouseClick(window->composer()->attachmentStrip()->removeButton(0), Qt::LeftButton);
        QCOMPARE(window->composer()->imageNote(), QString());
        QVERIFY(sendAndWait(*window, ""));  // Enter on the kept text
        QCOMPARE(window->chat()->messages().size(), 2);
    }

    // An image dropped anywhere on the window (the chat view) joins the message too.
    void imageDroppedOnTheWindowIsAttached()
    {
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(testImage("gray_radial_200x150.jpg"))});
        QVERIFY(dropOn(window.get(), mime));
        QCOMPARE(window->composer()->attachmentStrip()->count(), 1);
    }
};

QTEST_MAIN(TestImageChat)
#include "tst_image_chat.moc"
