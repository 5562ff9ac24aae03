// The main window driven offscreen as a user would: keys into the composer, a model through the model
// panel, the streamed answer in the chat view, Esc to stop, a bad file, and the conversation coming back
// in a new window over the same data folder. Runs stories260K on the Vulkan device (lavapipe here).
#include "chat_view.h"
#include "composer.h"
#include "conversation_list.h"
#include "main_window.h"
#include "model_panel.h"
#include "support/test_data.h"
#include "window_fixture.h"

#include <QFile>
#include <QFontDatabase>
#include <QMimeData>
#include <QTextDocument>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using vela::app::ChatController;
using vela::app::GenerationStats;
using vela::app::StopReason;
using vela::ui::MainWindow;
using vela::test::loadStories;
using vela::test::typeAndSend;

namespace {

constexpr int kLoadTimeoutMs = 120'000;
constexpr int kAnswerTimeoutMs = 60'000;

// maxTokens -1: until the end of text or a full context.
std::unique_ptr<MainWindow> makeWindow(const QString& dataFolder, int maxTokens = 40)
{
    auto window = std::make_unique<MainWindow>(MainWindow::Options{.dataFolder = dataFolder, .modelsFolder = {}});
    vela::app::ConversationSettings settings = window->chat()->defaultSettings();
    settings.temperature = 0;  // greedy: the answer is known
    settings.contextSize = 256;
    settings.maxTokens = maxTokens;
    window->chat()->setDefaultSettings(settings);
    window->show();
    return window;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { vela::test::useScratchSettings(); }  // no remembered device or recent models

    void opensWithItsParts()
    {
        QTemporaryDir data;
        auto window = makeWindow(data.path());
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QCOMPARE(window->windowTitle(), QStringLiteral("Vela"));
        QVERIFY(window->chatView()->isVisible());
        QVERIFY(window->composer()->isVisible());
        QVERIFY(window->modelPanel()->isVisible());
        QVERIFY(window->conversationList()->isVisible());
        QCOMPARE(window->conversationList()->count(), 0);
        QVERIFY(window->statusText().contains("No model loaded"));
        QVERIFY(window->chat()->hasStore());
    }

    void composerKeys_data()
    {
        QTest::addColumn<Qt::KeyboardModifiers>("modifiers");
        QTest::addColumn<QString>("expected");
        // Without a model Enter sends nothing, so the text stays; Shift+Enter adds a line.
        QTest::newRow("enter keeps unsendable text") << Qt::KeyboardModifiers(Qt::NoModifier) << QString("hi");
        QTest::newRow("shift+enter adds a line") << Qt::KeyboardModifiers(Qt::ShiftModifier) << QString("hi\n");
    }

    void composerKeys()
    {
        QFETCH(Qt::KeyboardModifiers, modifiers);
        QFETCH(QString, expected);
        QTemporaryDir data;
        auto window = makeWindow(data.path());
        QSignalSpy sent(window->composer(), &vela::ui::Composer::sendRequested);
        QTest::keyClicks(window->composer()->editor(), "hi");
        QTest::keyClick(window->composer()->editor(), Qt::Key_Return, modifiers);
        QCOMPARE(window->composer()->text(), expected);
        QCOMPARE(sent.size(), 0);
    }

    void answersAndRemembersTheConversation()
    {
        QTemporaryDir data;
        {
            auto window = makeWindow(data.path());
            QVERIFY(loadStories(*window));
            QVERIFY(window->statusText().contains("context 0 / 256"));
            QSignalSpy text(window->chat(), &ChatController::assistantText);
            QSignalSpy finished(window->chat(), &ChatController::generationFinished);
            QSignalSpy storeErrors(window->chat(), &ChatController::storeError);
            typeAndSend(*window, "Once upon a time");
            QCOMPARE(window->composer()->text(), QString());
            QVERIFY(finished.wait(kAnswerTimeoutMs));
            QVERIFY(text.size() >= 1);
            const auto stats = finished.front().front().value<GenerationStats>();
            QCOMPARE(stats.generatedTokens, 40);
            QCOMPARE(stats.stopReason, StopReason::Limit);
            QTRY_VERIFY(window->chatView()->toPlainText().contains(", there was a little girl named Lily"));
            QVERIFY(window->chatView()->toPlainText().contains("Once upon a time"));
            QVERIFY(window->statusText().contains("tokens/s"));
            QVERIFY(window->statusText().contains(
                QStringLiteral("context %1 / 256").arg(stats.promptTokens + stats.generatedTokens)));
            QCOMPARE(window->conversationList()->count(), 1);
            // The batches add up to the saved answer.
            QString streamed;
            for (const QList<QVariant>& batch : text)
                streamed += batch.at(1).toString();
            QCOMPARE(window->chat()->messages().size(), 2);
            QCOMPARE(window->chat()->messages().back().content, streamed);

            // Ctrl+R answers the same message again (greedy: the same text) as a new branch, which replaces
            // the old answer on screen.
            finished.clear();
            QVERIFY(QTest::qWaitForWindowActive(window.get()));
            QTest::keyClick(window->composer()->editor(), Qt::Key_R, Qt::ControlModifier);  // answer again
            QVERIFY(finished.wait(kAnswerTimeoutMs));
            QCOMPARE(window->chat()->messages().size(), 2);
            QCOMPARE(window->chat()->messages().back().content, streamed);
            QCOMPARE(window->chatView()->toPlainText().count(", there was a little girl named Lily"), 1);
            QCOMPARE(storeErrors.size(), 0);
        }
        // A new window over the same folder shows the conversation again, answer included.
        auto window = makeWindow(data.path());
        QCOMPARE(window->conversationList()->count(), 1);
        const QString shown = window->chatView()->toPlainText();
        QVERIFY2(shown.contains("Once upon a time") && shown.contains(", there was a little girl named Lily"),
                 qPrintable(shown));
    }

    void escapeStopsALongAnswer_data()
    {
        QTest::addColumn<bool>("inComposer");
        QTest::newRow("composer") << true;
        QTest::newRow("chat view") << false;  // the window's shortcut
    }

    void escapeStopsALongAnswer()
    {
        QFETCH(bool, inComposer);
        QTemporaryDir data;
        auto window = makeWindow(data.path(), -1);
        window->chat()->setIgnoreEndOfGeneration(true);  // would run to the full context
        QVERIFY(loadStories(*window));
        QSignalSpy text(window->chat(), &ChatController::assistantText);
        QSignalSpy finished(window->chat(), &ChatController::generationFinished);
        typeAndSend(*window, "Once upon a time");
        QVERIFY(text.wait(kAnswerTimeoutMs));
        QVERIFY(!window->conversationList()->isEnabled());  // no switching while the answer streams
        QWidget* target = inComposer ? static_cast<QWidget*>(window->composer()->editor()) : window->chatView();
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
        target->setFocus();
        QTest::keyClick(target, Qt::Key_Escape);
        QVERIFY(finished.wait(kAnswerTimeoutMs));
        const auto stats = finished.front().front().value<GenerationStats>();
        QCOMPARE(stats.stopReason, StopReason::Cancelled);
        QVERIFY2(stats.promptTokens + stats.generatedTokens < 256, qPrintable(QString::number(stats.generatedTokens)));
        QTRY_VERIFY(window->chatView()->toPlainText().contains("stopped"));
        QVERIFY(!window->chat()->isGenerating());
        QCOMPARE(window->chat()->messages().back().state, vela::app::MessageState::Stopped);
        QVERIFY(window->conversationList()->isEnabled());
        QVERIFY(!window->chat()->messages().back().content.isEmpty());  // the partial answer is kept
    }

    void droppedModelIsLoaded()
    {
        QTemporaryDir data;
        auto window = makeWindow(data.path());
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(vela::test::requireTestFile("models/stories260K.gguf"))});
        const QPoint at = window->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window.get(), &drop);
        QVERIFY(ready.wait(kLoadTimeoutMs));
        QCOMPARE(window->chat()->model().architecture, QStringLiteral("llama"));
        QVERIFY(window->statusText().contains("context 0 / 256"));

        // Anything else is refused at the door.
        QMimeData text;
        text.setUrls({QUrl::fromLocalFile(data.filePath("notes.rtf"))});
        QDragEnterEvent refused(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QApplication::sendEvent(window.get(), &refused);
        QVERIFY(!refused.isAccepted());
    }

    void rendersMarkdownWithMonospaceCode()
    {
        vela::ui::ChatView view;
        vela::app::Message answer;
        answer.id = 7;
        answer.role = vela::app::MessageRole::Assistant;
        answer.content = "Use **bold** and `ls -l`:\n\n```\nint main() {}\n```\n";
        view.addMessage(answer);
        const QString shown = view.toPlainText();
        QVERIFY2(shown.contains("Use bold and ls -l") && shown.contains("int main() {}"), qPrintable(shown));
        QVERIFY(!shown.contains("**"));
        const QTextDocument* doc = view.document();
        const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        for (const QString& code : {QStringLiteral("ls -l"), QStringLiteral("int main")}) {
            QTextCursor at = doc->find(code);
            QVERIFY(!at.isNull());
            QVERIFY2(at.charFormat().fontFamilies().toStringList().contains(mono.family()), qPrintable(code));
        }
        QTextCursor bold = doc->find("bold");
        QCOMPARE(bold.charFormat().fontWeight(), int(QFont::Bold));
        QVERIFY(!doc->find("Use").charFormat().fontFamilies().toStringList().contains(mono.family()));
    }

    void badFileShowsAnErrorAndTheAppGoesOn()
    {
        QTemporaryDir data;
        const QString bad = data.filePath("notes.gguf");
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("these are not the weights you are looking for\n");
        file.close();

        auto window = makeWindow(data.path());
        window->modelPanel()->openModel(bad);
        QVERIFY(window->modelPanel()->isErrorShown());
        QVERIFY2(window->modelPanel()->errorText().contains("notes.gguf"), qPrintable(window->modelPanel()->errorText()));
        QVERIFY(!window->chat()->hasModel());

        QVERIFY(loadStories(*window));
        QVERIFY(!window->modelPanel()->isErrorShown());
        QSignalSpy finished(window->chat(), &ChatController::generationFinished);
        typeAndSend(*window, "Once upon a time");
        QVERIFY(finished.wait(kAnswerTimeoutMs));
        QTRY_VERIFY(window->chatView()->toPlainText().contains("little girl named Lily"));

        // A bad file while a model is loaded leaves that model in place.
        window->modelPanel()->openModel(bad);
        QVERIFY(window->modelPanel()->isErrorShown());
        QVERIFY(window->chat()->hasModel());
        QVERIFY(window->statusText().contains("context"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
