// ChatController's conversation actions without a model: rename, delete (signalled with its title) and
// restore, purge, search, export and import of the open conversation, and whose settings are whose.
#include "chat/chat_controller.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using vela::app::ChatController;
using vela::app::ChatStore;
using vela::app::ConversationSettings;
using vela::app::MessageRole;

namespace {

qint64 seed(const QString& folder, const QString& title, const QString& userText)
{
    ChatStore store;
    if (!store.open(folder).isOk())
        return 0;
    const auto id = store.createConversation(title);
    if (!id.isOk() || !store.addMessage(id.value(), 0, MessageRole::User, userText).isOk())
        return 0;
    QTest::qWait(2);  // a strictly newer "updated" for the next one
    return id.value();
}

QStringList titles(const QList<vela::app::Conversation>& list)
{
    QStringList result;
    for (const auto& c : list)
        result.append(c.title);
    return result;
}

}  // namespace

class TestChatControllerConversations : public QObject {
    Q_OBJECT

private slots:
    void renames()
    {
        QTemporaryDir data;
        const qint64 id = seed(data.path(), "Old", "hello");
        ChatController chat;
        QVERIFY(chat.openStore(data.path()).isOk());
        QSignalSpy changed(&chat, &ChatController::conversationsChanged);
        QVERIFY(chat.renameConversation(id, "  New   title ").isOk());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(chat.currentTitle(), QStringLiteral("New title"));
        QVERIFY(!chat.renameConversation(id, "   ").isOk());
        QCOMPARE(chat.currentTitle(), QStringLiteral("New title"));
        QVERIFY(!chat.renameConversation(id + 100, "x").isOk());
    }

    void deletesAndRestores()
    {
        QTemporaryDir data;
        const qint64 a = seed(data.path(), "Alpha", "a");
        seed(data.path(), "Beta", "b");
        ChatController chat;
        QVERIFY(chat.openStore(data.path()).isOk());
        chat.openConversation(a);
        QSignalSpy deleted(&chat, &ChatController::conversationDeleted);
        chat.deleteConversation(a);
        QCOMPARE(deleted.size(), 1);
        QCOMPARE(deleted.front().at(0).toLongLong(), a);
        QCOMPARE(deleted.front().at(1).toString(), QStringLiteral("Alpha"));
        QCOMPARE(chat.currentConversation(), 0);
        QCOMPARE(titles(chat.conversations()), QStringList({"Beta"}));

        QVERIFY(chat.restoreConversation(a).isOk());
        QCOMPARE(chat.currentConversation(), a);
        QCOMPARE(chat.messages().size(), 1);
        QCOMPARE(chat.messages().front().content, QStringLiteral("a"));
        QCOMPARE(titles(chat.conversations()), QStringList({"Beta", "Alpha"}));

        chat.deleteConversation(a);
        QCOMPARE(chat.purgeDeleted(QDateTime::currentDateTimeUtc().addSecs(60)).value(), 1);
        QVERIFY(!chat.restoreConversation(a).isOk());
    }

    void searches()
    {
        QTemporaryDir data;
        seed(data.path(), "Alpha", "the zucchini question");
        seed(data.path(), "Beta", "nothing here");
        ChatController chat;
        QVERIFY(chat.openStore(data.path()).isOk());
        QCOMPARE(titles(chat.searchConversations("Zucchini")), QStringList({"Alpha"}));
        QCOMPARE(titles(chat.searchConversations("beta")), QStringList({"Beta"}));
        QCOMPARE(titles(chat.searchConversations("  ")), QStringList({"Beta", "Alpha"}));
    }

    void exportsAndImportsTheOpenConversation()
    {
        QTemporaryDir data;
        QTemporaryDir other;
        const qint64 id = seed(data.path(), "Alpha", "hello there");
        QByteArray json;
        {
            ChatController chat;
            QVERIFY(chat.openStore(data.path()).isOk());
            QCOMPARE(chat.currentConversation(), id);
            ChatStore store;
            QVERIFY(store.open(data.path()).isOk());
            QCOMPARE(chat.exportMarkdown().value(), store.exportMarkdown(id).value());
            json = chat.exportJson().value();
            QCOMPARE(json, store.exportJson(id).value());
            chat.newConversation();
            QVERIFY(!chat.exportJson().isOk());  // nothing stored yet
            QVERIFY(QString::fromStdString(chat.exportMarkdown().status().message()).contains("not saved"));
        }
        ChatController chat;
        QVERIFY(chat.openStore(other.path()).isOk());
        QSignalSpy opened(&chat, &ChatController::conversationOpened);
        const auto imported = chat.importConversation(json);
        QVERIFY(imported.isOk());
        QCOMPARE(opened.size(), 1);
        QCOMPARE(chat.currentConversation(), imported.value());
        QCOMPARE(chat.currentTitle(), QStringLiteral("Alpha"));
        QCOMPARE(chat.messages().front().content, QStringLiteral("hello there"));
        QVERIFY(!chat.importConversation("{ not json").isOk());
        QCOMPARE(chat.currentConversation(), imported.value());
    }

    void settingsBelongToTheOpenChat()
    {
        QTemporaryDir data;
        const qint64 id = seed(data.path(), "Alpha", "a");
        ChatController chat;
        QVERIFY(chat.openStore(data.path()).isOk());
        ConversationSettings defaults;
        defaults.temperature = 0.1;
        chat.setDefaultSettings(defaults);  // an opened conversation keeps its own
        QCOMPARE(chat.conversationSettings(), ConversationSettings{});

        ConversationSettings mine;
        mine.topK = 5;
        QVERIFY(chat.setConversationSettings(mine).isOk());
        ChatStore store;
        QVERIFY(store.open(data.path()).isOk());
        QCOMPARE(store.conversation(id).value().settings, mine);

        chat.newConversation();  // a new chat starts from the defaults…
        QCOMPARE(chat.conversationSettings(), defaults);
        ConversationSettings draft;
        draft.maxTokens = 9;
        QVERIFY(chat.setConversationSettings(draft).isOk());  // …and keeps its own edits until it is stored
        QCOMPARE(chat.conversationSettings(), draft);
        chat.openConversation(id);
        QCOMPARE(chat.conversationSettings(), mine);
    }
};

QTEST_GUILESS_MAIN(TestChatControllerConversations)
#include "tst_chat_controller_conversations.moc"
