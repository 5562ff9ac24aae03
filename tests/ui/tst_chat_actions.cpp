// The chat's per-message actions driven through the window as a user would, by following the links the chat
// view shows: regenerate and move between the two answers (‹ 1/2 ›), edit a question and resend it, Reflect
// (critique, then a revised answer as a new branch), copy a message and a code block; and what the window
// says when a conversation outgrows the context or the device is lost mid-answer. stories260K on lavapipe.
#include "chat_view.h"
#include "composer.h"
#include "model_panel.h"
#include "window_fixture.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using vela::app::ChatController;
using vela::app::ChatStore;
using vela::app::Message;
using vela::app::MessageRole;
using vela::app::MessageState;
using vela::ui::ChatView;
using vela::ui::MainWindow;
using vela::test::typeAndSend;

namespace {

// Follows the chat view's link for `action` on `messageId`, failing if the view does not show it.
bool follow(MainWindow& window, const QString& action, qint64 messageId, int extra = 0)
{
    const QUrl url = ChatView::actionUrl(action, messageId, extra);
    if (!window.chatView()->links().contains(url.toString())) {
        qWarning() << "no link" << url << "among" << window.chatView()->links();
        return false;
    }
    window.chatView()->activateLink(url);
    return true;
}

QString settingsFile(const QTemporaryDir& dir)
{
    return dir.filePath("settings.ini");
}

// A window over `data` with stories260K loaded and "Once upon a time" answered; null if any step failed.
std::unique_ptr<MainWindow> answeredOnce(const QTemporaryDir& data)
{
    auto window = vela::test::openWindow(data.path(), settingsFile(data));
    if (!window || !vela::test::loadStoriesGreedy(*window))
        return nullptr;
    typeAndSend(*window, "Once upon a time");
    if (!vela::test::waitForAnswer(*window) || window->chat()->messages().size() != 2)
        return nullptr;
    return window;
}

}  // namespace

class TestChatActions : public QObject {
    Q_OBJECT

private slots:
    void regeneratesAndSwitchesBranches()
    {
        QTemporaryDir data;
        auto window = answeredOnce(data);
        QVERIFY(window);
        ChatController* chat = window->chat();
        const Message first = chat->messages().back();
        QCOMPARE(first.role, MessageRole::Assistant);
        QVERIFY(!first.content.isEmpty());
        QCOMPARE(chat->branchPosition(first.id).count, 1);

        // A different seed answers differently; the old answer stays as a sibling.
        vela::app::ConversationSettings settings = chat->conversationSettings();
        settings.temperature = 1.0;
        settings.seed = 7;
        QVERIFY(chat->setConversationSettings(settings).isOk());
        QVERIFY(follow(*window, "regenerate", first.id));
        QVERIFY(chat->isGenerating());
        QVERIFY(vela::test::waitForAnswer(*window));
        const Message second = chat->messages().back();
        QVERIFY(second.id != first.id);
        QCOMPARE(second.parentId, first.parentId);
        QCOMPARE(chat->messages().size(), 2);
        QCOMPARE(chat->branchPosition(second.id).index, 2);
        QCOMPARE(chat->branchPosition(second.id).count, 2);
        QVERIFY(window->chatView()->toPlainText().contains(QStringLiteral("‹ 2/2 ›")));
        QVERIFY(first.content != second.content);  // seed 7 at temperature 1 wanders off the greedy story
        QVERIFY(window->chatView()->toPlainText().contains(second.content.trimmed()));
        QVERIFY(!window->chatView()->toPlainText().contains(first.content.trimmed()));

        // ‹ shows the first answer again, › the second; the choice is stored.
        QVERIFY(follow(*window, "branch", second.id, -1));
        QCOMPARE(chat->messages().back().id, first.id);
        QVERIFY(window->chatView()->toPlainText().contains(first.content.trimmed()));
        QVERIFY(window->chatView()->toPlainText().contains(QStringLiteral("‹ 1/2 ›")));
        QVERIFY(follow(*window, "branch", first.id, +1));
        QCOMPARE(chat->messages().back().id, second.id);
        QVERIFY(follow(*window, "branch", second.id, -1));

        // A new window over the same folder shows the branch chosen last.
        window.reset();
        auto again = vela::test::openWindow(data.path(), settingsFile(data));
        QVERIFY(again);
        QCOMPARE(again->chat()->messages().back().id, first.id);
        QCOMPARE(again->chat()->branchPosition(first.id).count, 2);
    }

    void editsAndResends()
    {
        QTemporaryDir data;
        auto window = answeredOnce(data);
        QVERIFY(window);
        ChatController* chat = window->chat();
        const Message question = chat->messages().front();
        const Message answer = chat->messages().back();

        QVERIFY(follow(*window, "edit", question.id));
        QCOMPARE(window->composer()->editingMessage(), question.id);
        QCOMPARE(window->composer()->text(), QStringLiteral("Once upon a time"));
        QVERIFY(window->composer()->findChild<QLabel*>("editNote")->isVisible());
        QPlainTextEdit* editor = window->composer()->editor();
        editor->selectAll();
        QTest::keyClicks(editor, "The little dog");
        QTest::keyClick(editor, Qt::Key_Return);
        QCOMPARE(window->composer()->editingMessage(), 0);
        QVERIFY(chat->isGenerating());
        QVERIFY(vela::test::waitForAnswer(*window));

        QCOMPARE(chat->messages().size(), 2);
        const Message edited = chat->messages().front();
        QCOMPARE(edited.content, QStringLiteral("The little dog"));
        QCOMPARE(edited.parentId, question.parentId);
        QCOMPARE(chat->branchPosition(edited.id).index, 2);
        QCOMPARE(chat->branchPosition(edited.id).count, 2);
        QVERIFY(chat->messages().back().id != answer.id);
        QVERIFY(chat->lastPrompt().contains("The little dog"));
        QVERIFY(!chat->lastPrompt().contains("Once upon a time"));

        // The old question comes back with its own answer.
        QVERIFY(follow(*window, "branch", edited.id, -1));
        QCOMPARE(vela::test::texts(chat->messages()), (QStringList{question.content, answer.content}));

        // Esc leaves an edit without sending anything.
        QVERIFY(follow(*window, "edit", question.id));
        QTest::keyClick(editor, Qt::Key_Escape);
        QCOMPARE(window->composer()->editingMessage(), 0);
        QCOMPARE(window->composer()->text(), QString());
        QCOMPARE(chat->messages().size(), 2);
    }

    void reflectsAsANewBranch()
    {
        QTemporaryDir data;
        auto window = answeredOnce(data);
        QVERIFY(window);
        ChatController* chat = window->chat();
        const Message answer = chat->messages().back();

        QSignalSpy critique(chat, &ChatController::critiqueText);
        QSignalSpy started(chat, &ChatController::generationStarted);
        QVERIFY(follow(*window, "reflect", answer.id));
        QVERIFY(vela::test::waitForAnswer(*window));
        QCOMPARE(started.size(), 2);  // the critique, then the revised answer
        QVERIFY(critique.size() > 0);

        const Message revised = chat->messages().back();
        QVERIFY(revised.id != answer.id);
        QCOMPARE(revised.parentId, answer.parentId);
        QCOMPARE(revised.state, MessageState::Complete);
        QVERIFY(!revised.content.isEmpty());
        const QString critiqueText = revised.metadata.value("critique").toString();
        QVERIFY(!critiqueText.isEmpty());
        QCOMPARE(revised.metadata.value("reflection_of").toInteger(), answer.id);
        QCOMPARE(chat->branchPosition(revised.id).count, 2);
        // The revision was asked for after the critique, which was asked for after the answer.
        QVERIFY(chat->lastPrompt().contains(answer.content.trimmed().left(30)));
        QVERIFY(chat->lastPrompt().contains(critiqueText.left(20)));

        // Collapsed until asked for.
        QVERIFY(!window->chatView()->toPlainText().contains("Critique of the earlier answer"));
        QVERIFY(follow(*window, "critique", revised.id));
        QVERIFY(window->chatView()->toPlainText().contains("Critique of the earlier answer"));
        QVERIFY(window->chatView()->toPlainText().contains(critiqueText.left(20)));
        QVERIFY(follow(*window, "critique", revised.id));
        QVERIFY(!window->chatView()->toPlainText().contains("Critique of the earlier answer"));

        // Stored: a new window shows it with its critique.
        window.reset();
        ChatStore store;
        QVERIFY(store.open(data.path()).isOk());
        const vela::Result<Message> stored = store.message(revised.id);
        QVERIFY(stored.isOk());
        QCOMPARE(stored.value().metadata.value("critique").toString(), critiqueText);
        QCOMPARE(stored.value().content, revised.content);
    }

    void copiesMessagesAndCode()
    {
        QTemporaryDir data;
        const QString answer = "Here is the fix:\n\n```cpp\nint add(int a, int b)\n{\n    return a + b;\n}\n```\n\n"
                               "and a second one:\n\n~~~\necho done\n~~~\n";
        QVERIFY(vela::test::seedConversation(data.path(), "Code", {"How do I add?", answer}));
        auto window = vela::test::openWindow(data.path(), settingsFile(data));
        QVERIFY(window);
        const qint64 answerId = window->chat()->messages().back().id;
        const qint64 questionId = window->chat()->messages().front().id;
        QClipboard* clipboard = QGuiApplication::clipboard();

        QVERIFY(follow(*window, "copy", questionId));
        QCOMPARE(clipboard->text(), QStringLiteral("How do I add?"));
        QVERIFY(follow(*window, "copy", answerId));
        QCOMPARE(clipboard->text(), answer);
        QVERIFY(follow(*window, "copy-code", answerId, 0));
        QCOMPARE(clipboard->text(), QStringLiteral("int add(int a, int b)\n{\n    return a + b;\n}"));
        QVERIFY(follow(*window, "copy-code", answerId, 1));
        QCOMPARE(clipboard->text(), QStringLiteral("echo done"));
        QVERIFY(!window->chatView()->links().contains(ChatView::actionUrl("copy-code", answerId, 2).toString()));
        // The code keeps its monospace box: every line of it is still there, in order.
        QVERIFY(window->chatView()->toPlainText().contains("int add(int a, int b)\n{\n    return a + b;\n}"));
        // A question has no Regenerate, an answer no Edit; without a model neither can run.
        QVERIFY(!window->chatView()->links().contains(ChatView::actionUrl("regenerate", questionId).toString()));
        QVERIFY(!window->chatView()->links().contains(ChatView::actionUrl("edit", answerId).toString()));
        QVERIFY(follow(*window, "regenerate", answerId));
        QVERIFY(!window->chat()->isGenerating());
    }

    void codeBlocksAreFound_data()
    {
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<QStringList>("blocks");
        QTest::newRow("none") << "just `inline` code" << QStringList{};
        QTest::newRow("two") << "```\na\n```\ntext\n```py\nb\nc\n```" << QStringList{"a", "b\nc"};
        QTest::newRow("longer fence holds a short one") << "````\n```\nx\n```\n````" << QStringList{"```\nx\n```"};
        QTest::newRow("unclosed while streaming") << "see:\n```\nfirst line\nsecond" << QStringList{"first line\nsecond"};
        QTest::newRow("indented four is not a fence") << "    ```\n    code" << QStringList{};
    }

    void codeBlocksAreFound()
    {
        QFETCH(QString, markdown);
        QFETCH(QStringList, blocks);
        QCOMPARE(ChatView::codeBlocks(markdown), blocks);
    }

    void saysWhenOldTurnsAreLeftOut()
    {
        QTemporaryDir data;
        // Eight long turns: far more than a 256-token context holds.
        QStringList turns;
        for (int i = 0; i < 8; ++i) {
            turns << QStringLiteral("Question %1: tell me about the cat and the dog and the big red ball in the park.").arg(i)
                  << QStringLiteral("Answer %1: the cat and the dog played with the big red ball all day long in the sun.").arg(i);
        }
        QVERIFY(vela::test::seedConversation(data.path(), "Long", turns));
        auto window = vela::test::openWindow(data.path(), settingsFile(data));
        QVERIFY(window);
        QVERIFY(vela::test::loadStoriesGreedy(*window, 256, 16));
        ChatController* chat = window->chat();
        QCOMPARE(chat->messages().size(), 16);
        QSignalSpy trimmed(chat, &ChatController::contextTrimmed);
        typeAndSend(*window, "What happened next?");
        QVERIFY(vela::test::waitForAnswer(*window));
        QCOMPARE(trimmed.size(), 1);
        const int dropped = trimmed.front().front().toInt();
        QVERIFY2(dropped >= 2 && dropped % 2 == 0, qPrintable(QString::number(dropped)));  // whole turns
        QVERIFY(window->noticeText().contains("left out"));
        QVERIFY(window->noticeText().contains(QString::number(dropped)));
        // The prompt lost the oldest turns, kept the newest, and the stored conversation lost nothing.
        QVERIFY(!chat->lastPrompt().contains("Question 0:"));
        QVERIFY(chat->lastPrompt().contains("What happened next?"));
        QVERIFY(chat->lastPrompt().contains("Answer 7:"));
        QCOMPARE(chat->messages().size(), 18);
        QCOMPARE(chat->messages().front().content, turns.front());
        QCOMPARE(chat->messages().back().state, MessageState::Complete);
        // Another conversation clears the notice.
        chat->newConversation();
        QCOMPARE(window->noticeText(), QString());
    }

    void refusesAMessageLongerThanTheContext()
    {
        QTemporaryDir data;
        auto window = vela::test::openWindow(data.path(), settingsFile(data));
        QVERIFY(window);
        QVERIFY(vela::test::loadStoriesGreedy(*window, 64, 8));
        QSignalSpy failed(window->chat(), &ChatController::generationFailed);
        typeAndSend(*window, QString("the cat sat on the mat. ").repeated(40));
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.front().front().toString().contains("context holds 64"));
        QCOMPARE(window->chat()->messages().back().state, MessageState::Failed);
        QVERIFY(window->chat()->hasModel());
        typeAndSend(*window, "Once upon a time");
        QVERIFY(vela::test::waitForAnswer(*window));
        QCOMPARE(window->chat()->messages().back().state, MessageState::Complete);
    }

    void reportsALostDeviceAndRecovers()
    {
        QTemporaryDir data;
        auto window = vela::test::openWindow(data.path(), settingsFile(data));
        QVERIFY(window);
        QVERIFY(vela::test::loadStoriesGreedy(*window, 256, 40));
        ChatController* chat = window->chat();
        qputenv("VELA_TEST_DEVICE_LOST_AFTER", "6");
        QSignalSpy lost(chat, &ChatController::modelLost);
        typeAndSend(*window, "Once upon a time");
        QVERIFY(vela::test::waitForAnswer(*window));
        qunsetenv("VELA_TEST_DEVICE_LOST_AFTER");
        QCOMPARE(lost.size(), 1);
        QVERIFY(!chat->hasModel());
        QVERIFY(window->modelPanel()->isErrorShown());
        QVERIFY(window->modelPanel()->errorText().contains("stopped responding"));
        QVERIFY(window->noticeText().contains("your conversation is saved"));
        QVERIFY(window->statusText().contains("No model loaded"));
        // The conversation is intact: the question, and the answer as far as it got, marked failed.
        const QList<Message> messages = chat->messages();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.front().content, QStringLiteral("Once upon a time"));
        QCOMPARE(messages.back().state, MessageState::Failed);
        QVERIFY(!messages.back().content.isEmpty());
        ChatStore store;
        QVERIFY(store.open(data.path()).isOk());
        QCOMPARE(store.message(messages.back().id).value().content, messages.back().content);
        QCOMPARE(store.message(messages.back().id).value().state, MessageState::Failed);
        // Loading the model again carries on.
        QVERIFY(vela::test::loadStoriesGreedy(*window, 256, 40));
        QVERIFY(follow(*window, "regenerate", messages.back().id));
        QVERIFY(vela::test::waitForAnswer(*window));
        QCOMPARE(chat->messages().back().state, MessageState::Complete);
        QCOMPARE(chat->branchPosition(chat->messages().back().id).count, 2);
    }

    void showsAnInterruptedAnswer()
    {
        QTemporaryDir data;
        const qint64 id = vela::test::seedConversation(data.path(), "Crash", {"Tell me a story", "Once there was"});
        QVERIFY(id);
        {
            ChatStore store;
            QVERIFY(store.open(data.path()).isOk());
            const qint64 answer = store.activePath(id).value().back().id;
            QVERIFY(store.setMessageState(answer, MessageState::Partial).isOk());
        }
        auto window = vela::test::openWindow(data.path(), settingsFile(data));
        QVERIFY(window);
        QVERIFY(window->chatView()->toPlainText().contains("interrupted"));
        QVERIFY(window->chatView()->toPlainText().contains("Once there was"));
    }
};

QTEST_MAIN(TestChatActions)
#include "tst_chat_actions.moc"
