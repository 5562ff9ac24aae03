// ChatStore (DESIGN.md §7): what is written comes back from a fresh object, branches persist, export/import
// round-trips to the byte, older files are migrated, newer and damaged files are refused with a clear message,
// and text streamed into a message survives the process being killed.
#include "storage/chat_store.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <cstdio>

using namespace vela;
using namespace vela::app;

namespace {

#define VELA_CHECK_OK(expr)                                                                           \
    do {                                                                                              \
        const auto& vela_r = (expr);                                                                  \
        if (!vela_r)                                                                                  \
            QFAIL(qPrintable(QStringLiteral(#expr " failed: %1").arg(QString::fromStdString(vela_r.message())))); \
    } while (false)

// Unwraps a Result or fails the test.
#define VELA_TAKE(var, expr)                                                                          \
    auto var##_result = (expr);                                                                       \
    VELA_CHECK_OK(var##_result);                                                                      \
    auto var = *var##_result

QString chunkText(int i)
{
    return QStringLiteral("chunk%1;").arg(i, 4, 10, QLatin1Char('0'));
}

// Runs raw SQL on `dir`/chats.sqlite outside ChatStore: fixtures for files written by other versions.
bool runRawSql(const QString& dir, const QStringList& statements)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "raw-fixture");
        db.setDatabaseName(QDir(dir).filePath(ChatStore::kFileName));
        ok = db.open();
        QSqlQuery q(db);
        for (const QString& sql : statements) {
            if (ok && !q.exec(sql)) {
                qWarning() << sql << q.lastError().text();
                ok = false;
            }
        }
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase("raw-fixture");
    return ok;
}

QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList contents(const QList<Message>& messages)
{
    QStringList result;
    for (const Message& m : messages)
        result.append(m.content);
    return result;
}

// The crash-test child: appends a chunk every 50 ms and reports each one after it is saved, until killed.
int runStreamChild(const QString& dir, qint64 messageId)
{
    ChatStore store;
    if (Status s = store.open(dir); !s) {
        std::fprintf(stderr, "%s\n", s.message().c_str());
        return 2;
    }
    for (int i = 0; i < 2000; ++i) {
        if (Status s = store.appendToMessage(messageId, chunkText(i)); !s) {
            std::fprintf(stderr, "%s\n", s.message().c_str());
            return 3;
        }
        std::printf("%d\n", i + 1);
        std::fflush(stdout);
        QThread::msleep(50);
    }
    return 0;
}

}  // namespace

class TestChatStore : public QObject {
    Q_OBJECT

private slots:
    void reopensWhatWasWritten();
    void branchesPersist();
    void exportImportRoundTrip();
    void markdownShowsTheActivePath();
    void importRefusesBadFiles_data();
    void importRefusesBadFiles();
    void migratesAnOlderFile();
    void refusesANewerFile();
    void reportsADamagedFile_data();
    void reportsADamagedFile();
    void reportsAnUnusableFolder();
    void storesImagesByContent();
    void search_data();
    void search();
    void listsNewestFirst();
    void softDeleteRestoreAndPurge();
    void reportsMissingThings();
    void streamedTextSurvivesAKill();

private:
    // A conversation with two roots, a regenerated answer, attachments, metadata and every state.
    qint64 buildTree(ChatStore& store);
};

qint64 TestChatStore::buildTree(ChatStore& store)
{
    ConversationSettings settings;
    settings.systemPrompt = "You are terse.";
    settings.temperature = 0.25;
    settings.topK = 17;
    settings.seed = 1234567890123;
    settings.modelPath = "/models/tiny ünïcode.gguf";
    const qint64 c = *store.createConversation("Tree «ünïcode» \"quoted\"", settings);
    const qint64 u1 = *store.addMessage(c, 0, MessageRole::User, "first question\nwith two lines");
    const qint64 a1 = *store.addMessage(c, u1, MessageRole::Assistant, "answer one", MessageState::Stopped);
    const qint64 a2 = *store.addMessage(c, u1, MessageRole::Assistant, "answer two 🙂");
    store.setMessageMetadata(a2, {{"tokens_per_second", 31.5}, {"model", "tiny"}, {"critique", "fine"}});
    const qint64 u2 = *store.addMessage(c, 0, MessageRole::User, "edited question");
    store.addMessage(c, u2, MessageRole::Assistant, "half an ans", MessageState::Partial);
    store.addAttachment({0, u1, AttachmentKind::Image, "sha256:abcd", "", ""});
    store.addAttachment({0, u1, AttachmentKind::Document, "", "/docs/a.pdf", "extracted text"});
    store.selectBranch(u1);
    store.selectBranch(a1);
    Q_UNUSED(a2);
    return c;
}

void TestChatStore::reopensWhatWasWritten()
{
    QTemporaryDir dir;
    ConversationSettings settings;
    settings.systemPrompt = "Be brief.";
    settings.temperature = 0.3;
    settings.topK = 12;
    settings.topP = 0.8;
    settings.minP = 0.1;
    settings.repeatPenalty = 1.3;
    settings.seed = 42;
    settings.maxTokens = 256;
    settings.contextSize = 2048;
    settings.modelPath = "/m/model.gguf";
    qint64 conversationId = 0, userId = 0, answerId = 0;
    {
        ChatStore store;
        VELA_CHECK_OK(store.open(dir.path()));
        QCOMPARE(*store.schemaVersion(), ChatStore::currentSchemaVersion());
        VELA_TAKE(c, store.createConversation("Hello", settings));
        conversationId = c;
        VELA_TAKE(u, store.addMessage(c, 0, MessageRole::User, "What is 2+2?"));
        // A null QString (an answer not started yet) is stored as empty text.
        VELA_TAKE(a, store.addMessage(c, u, MessageRole::Assistant, QString(), MessageState::Partial));
        userId = u;
        answerId = a;
        for (const char* piece : {"It ", "is ", "4"})
            VELA_CHECK_OK(store.appendToMessage(a, piece));
        VELA_CHECK_OK(store.setMessageMetadata(a, {{"tokens_per_second", 12.5}}));
        VELA_CHECK_OK(store.addAttachment({0, u, AttachmentKind::Document, "", "/tmp/x.txt", "xyz"}));
        VELA_CHECK_OK(store.renameConversation(c, "Arithmetic"));
    }
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    VELA_TAKE(c, store.conversation(conversationId));
    QCOMPARE(c.title, QStringLiteral("Arithmetic"));
    QVERIFY(c.settings == settings);
    VELA_TAKE(path, store.activePath(conversationId));
    QCOMPARE(path.size(), 2);
    QCOMPARE(path[0].id, userId);
    QCOMPARE(path[0].role, MessageRole::User);
    QCOMPARE(path[1].id, answerId);
    QCOMPARE(path[1].parentId, userId);
    QCOMPARE(path[1].content, QStringLiteral("It is 4"));
    QCOMPARE(path[1].state, MessageState::Partial);
    QCOMPARE(path[1].metadata.value("tokens_per_second").toDouble(), 12.5);
    VELA_TAKE(files, store.attachments(userId));
    QCOMPARE(files.size(), 1);
    QCOMPARE(files[0].kind, AttachmentKind::Document);
    QCOMPARE(files[0].extractedText, QStringLiteral("xyz"));
    VELA_CHECK_OK(store.setMessageState(answerId, MessageState::Complete));
    QCOMPARE(store.message(answerId)->state, MessageState::Complete);
}

void TestChatStore::branchesPersist()
{
    QTemporaryDir dir;
    qint64 c = 0, u1 = 0, a1 = 0, a2 = 0, u2 = 0, a3 = 0;
    {
        ChatStore store;
        VELA_CHECK_OK(store.open(dir.path()));
        c = *store.createConversation("Branches");
        u1 = *store.addMessage(c, 0, MessageRole::User, "q1");
        a1 = *store.addMessage(c, u1, MessageRole::Assistant, "a1");
        // Regenerate: a sibling answer, which becomes the one shown.
        a2 = *store.addMessage(c, u1, MessageRole::Assistant, "a2");
        VELA_TAKE(answers, store.children(c, u1));
        QCOMPARE(contents(answers), QStringList({"a1", "a2"}));
        QCOMPARE(contents(*store.activePath(c)), QStringList({"q1", "a2"}));
        VELA_CHECK_OK(store.selectBranch(a1));  // ‹1/2›
        QCOMPARE(contents(*store.activePath(c)), QStringList({"q1", "a1"}));
        // Edit and resend: a sibling of the first question, with its own answer.
        u2 = *store.addMessage(c, 0, MessageRole::User, "q1 edited");
        a3 = *store.addMessage(c, u2, MessageRole::Assistant, "a3");
        QCOMPARE(contents(*store.activePath(c)), QStringList({"q1 edited", "a3"}));
        QCOMPARE(contents(*store.children(c, 0)), QStringList({"q1", "q1 edited"}));
        VELA_CHECK_OK(store.selectBranch(u1));
    }
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    // The choices made before closing: the first question and, under it, the first answer.
    QCOMPARE(contents(*store.activePath(c)), QStringList({"q1", "a1"}));
    QCOMPARE(*store.selectedChild(c, u1), a1);
    QCOMPARE(*store.selectedChild(c, 0), u1);
    VELA_CHECK_OK(store.selectBranch(u2));
    QCOMPARE(contents(*store.activePath(c)), QStringList({"q1 edited", "a3"}));
    QCOMPARE(*store.selectedChild(c, u2), a3);
    QCOMPARE(store.allMessages(c)->size(), 5);
    Q_UNUSED(a2);
}

void TestChatStore::exportImportRoundTrip()
{
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    store.createConversation("an unrelated one first, so ids differ");
    const qint64 original = buildTree(store);
    VELA_TAKE(exported, store.exportJson(original));
    const QJsonObject root = QJsonDocument::fromJson(exported).object();
    QCOMPARE(root.value("format").toString(), QStringLiteral("vela-conversation-v1"));
    QCOMPARE(root.value("messages").toArray().size(), 5);

    VELA_TAKE(imported, store.importJson(exported));
    QVERIFY(imported != original);
    VELA_TAKE(again, store.exportJson(imported));
    QCOMPARE(again, exported);

    // And the same through a different database, as when moving to another machine.
    QTemporaryDir otherDir;
    ChatStore other;
    VELA_CHECK_OK(other.open(otherDir.path()));
    VELA_TAKE(moved, other.importJson(exported));
    QCOMPARE(*other.exportJson(moved), exported);
    QCOMPARE(contents(*other.activePath(moved)), contents(*store.activePath(original)));
    QCOMPARE(other.conversation(moved)->settings.seed, 1234567890123);
}

void TestChatStore::markdownShowsTheActivePath()
{
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    const qint64 c = buildTree(store);
    VELA_TAKE(md, store.exportMarkdown(c));
    QVERIFY2(md.startsWith("# Tree «ünïcode» \"quoted\"\n"), qPrintable(md));
    QVERIFY(md.contains("### System\n\nYou are terse."));
    QVERIFY(md.contains("### User\n\nfirst question\nwith two lines"));
    QVERIFY(md.contains("### Assistant\n\nanswer one\n\n*(stopped)*"));
    QVERIFY(!md.contains("answer two"));  // the branch not shown
    QVERIFY(!md.contains("edited question"));
}

void TestChatStore::importRefusesBadFiles_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    const QByteArray head = R"({"format":"vela-conversation-v1","title":"t","created":"2026-01-01T00:00:00.000Z",)"
                            R"("updated":"2026-01-01T00:00:00.000Z","settings":{},)";
    const QByteArray user = R"({"id":1,"parent":0,"role":"user","content":"x","created":"2026-01-01T00:00:00.000Z",)"
                            R"("state":"complete","metadata":{}})";
    QTest::newRow("not json") << QByteArray("{\"format\": ") << "not JSON";
    QTest::newRow("other format") << QByteArray(R"({"format":"something-else"})") << "not a Vela conversation";
    QTest::newRow("parent after child")
        << head + R"("messages":[{"id":1,"parent":2,"role":"user","content":"x","created":"2026-01-01T00:00:00.000Z",)"
                  R"("state":"complete"}]})"
        << "does not come before";
    QTest::newRow("bad role") << head + R"("messages":[{"id":1,"parent":0,"role":"robot","content":"x",)"
                                        R"("created":"2026-01-01T00:00:00.000Z","state":"complete"}]})"
                              << "bad role";
    QTest::newRow("repeated id") << head + "\"messages\":[" + user + "," + user + "]}" << "repeated";
    QTest::newRow("bad selection") << head + "\"messages\":[" + user + R"(],"selected":[{"parent":0,"child":7}]})"
                                   << "selected branch";
    QTest::newRow("selection not a child")
        << head + "\"messages\":[" + user + R"(],"selected":[{"parent":1,"child":1}]})" << "selected branch";
    QTest::newRow("no times") << QByteArray(R"({"format":"vela-conversation-v1","title":"t"})") << "ISO 8601";
}

void TestChatStore::importRefusesBadFiles()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    const Result<qint64> r = store.importJson(json);
    QVERIFY(!r);
    QVERIFY2(QString::fromStdString(r.message()).contains(expected), r.message().c_str());
    // Nothing half-imported is left behind.
    QCOMPARE(store.listConversations()->size(), 0);
}

void TestChatStore::migratesAnOlderFile()
{
    // A file as schema version 1 wrote it: no branch choices, attachments or soft delete yet.
    QTemporaryDir dir;
    QVERIFY(runRawSql(dir.path(),
                      {"CREATE TABLE schema_version (version INTEGER NOT NULL)",
                       "INSERT INTO schema_version VALUES (1)",
                       "CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, created INTEGER NOT "
                       "NULL, updated INTEGER NOT NULL, settings TEXT NOT NULL DEFAULT '{}')",
                       "CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES "
                       "conversations(id) ON DELETE CASCADE, parent_id INTEGER REFERENCES messages(id) ON DELETE "
                       "CASCADE, role TEXT NOT NULL, content TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL, state "
                       "TEXT NOT NULL DEFAULT 'complete', metadata TEXT NOT NULL DEFAULT '{}')",
                       "CREATE INDEX messages_by_parent ON messages (conversation_id, parent_id)",
                       "INSERT INTO conversations VALUES (7, 'old chat', 1000, 2000, '{\"temperature\": 0.5}')",
                       "INSERT INTO messages VALUES (1, 7, NULL, 'user', 'old question', 1100, 'complete', '{}')",
                       "INSERT INTO messages VALUES (2, 7, 1, 'assistant', 'old answer', 1200, 'complete', '{}')",
                       "INSERT INTO messages VALUES (3, 7, 1, 'assistant', 'newer answer', 1300, 'stopped', '{}')"}));
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    QCOMPARE(*store.schemaVersion(), 2);
    QCOMPARE(ChatStore::currentSchemaVersion(), 2);
    VELA_TAKE(list, store.listConversations());
    QCOMPARE(list.size(), 1);
    QCOMPARE(list[0].title, QStringLiteral("old chat"));
    QCOMPARE(list[0].settings.temperature, 0.5);
    QCOMPARE(list[0].settings.topK, ConversationSettings().topK);
    QCOMPARE(list[0].created.toMSecsSinceEpoch(), 1000);
    // No branch was chosen in v1: the newest answer is shown.
    QCOMPARE(contents(*store.activePath(7)), QStringList({"old question", "newer answer"}));
    QCOMPARE(store.message(3)->state, MessageState::Stopped);
    // What v2 added works on the migrated file.
    VELA_CHECK_OK(store.selectBranch(2));
    VELA_CHECK_OK(store.addAttachment({0, 1, AttachmentKind::Image, "sha256:00", "", ""}));
    VELA_CHECK_OK(store.deleteConversation(7));
    QCOMPARE(store.listConversations()->size(), 0);
    store.close();
    ChatStore again;
    VELA_CHECK_OK(again.open(dir.path()));
    QCOMPARE(*again.schemaVersion(), 2);
    VELA_CHECK_OK(again.restoreConversation(7));
    QCOMPARE(contents(*again.activePath(7)), QStringList({"old question", "old answer"}));
}

void TestChatStore::refusesANewerFile()
{
    QTemporaryDir dir;
    QVERIFY(runRawSql(dir.path(), {"CREATE TABLE schema_version (version INTEGER NOT NULL)",
                                   "INSERT INTO schema_version VALUES (99)",
                                   "CREATE TABLE conversations (id INTEGER PRIMARY KEY, future_column BLOB)"}));
    const QString file = QDir(dir.path()).filePath(ChatStore::kFileName);
    const QByteArray before = readFile(file);
    QVERIFY(!before.isEmpty());
    ChatStore store;
    const Status s = store.open(dir.path());
    QVERIFY(!s);
    const QString message = QString::fromStdString(s.message());
    QVERIFY2(message.contains("newer Vela") && message.contains("99"), qPrintable(message));
    QVERIFY(!store.isOpen());
    QCOMPARE(readFile(file), before);
    QVERIFY(!store.createConversation("x"));
}

void TestChatStore::reportsADamagedFile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("garbage") << QByteArray("this is not a database at all. ").repeated(200) << "damaged";
    // A real SQLite header followed by garbage.
    QTest::newRow("torn sqlite") << QByteArray("SQLite format 3\0", 16) + QByteArray(4080, '\xee') << "damaged";
}

void TestChatStore::reportsADamagedFile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString file = QDir(dir.path()).filePath(ChatStore::kFileName);
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    ChatStore store;
    const Status s = store.open(dir.path());
    QVERIFY(!s);
    const QString message = QString::fromStdString(s.message());
    QVERIFY2(message.contains(expected) && message.contains(file), qPrintable(message));
    QCOMPARE(readFile(file), bytes);
    QVERIFY(!store.isOpen());
}

void TestChatStore::reportsAnUnusableFolder()
{
    QTemporaryDir dir;
    // A file where the folder should be: mkpath fails (even as root, unlike a chmod'ed folder).
    const QString blocked = QDir(dir.path()).filePath("blocked");
    {
        QFile f(blocked);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    ChatStore store;
    Status s = store.open(blocked + "/chats");
    QVERIFY(!s);
    QVERIFY2(QString::fromStdString(s.message()).contains("cannot create the chat folder"), s.message().c_str());

    // A SQLite database that belongs to something else.
    QVERIFY(runRawSql(dir.path(), {"CREATE TABLE other_app (x INTEGER)"}));
    s = store.open(dir.path());
    QVERIFY(!s);
    QVERIFY2(QString::fromStdString(s.message()).contains("not a Vela chat database"), s.message().c_str());
}

void TestChatStore::storesImagesByContent()
{
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    const QByteArray png = QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(1000, '\x42');
    VELA_TAKE(hash, store.storeImage(png));
    QCOMPARE(hash, QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex()));
    QCOMPARE(readFile(store.imagePath(hash)), png);
    QVERIFY(store.imagePath(hash).startsWith(dir.path() + "/images/"));
    QCOMPARE(*store.storeImage(png), hash);  // stored once
    QCOMPARE(QDir(dir.path() + "/images").entryList(QDir::Files).size(), 1);
    // A hash from an imported file must not reach outside the folder.
    QVERIFY(store.imagePath("../../etc/passwd").isEmpty());
    QVERIFY(store.imagePath(hash.toUpper()).isEmpty());
}

void TestChatStore::search_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("titles");
    QTest::newRow("title") << "cooking" << QStringList{"Cooking pasta"};
    QTest::newRow("message text") << "quaternion" << QStringList{"Maths"};
    QTest::newRow("any case") << "QUATERNION" << QStringList{"Maths"};
    QTest::newRow("both, newest first") << "a" << QStringList{"Maths", "Cooking pasta"};
    QTest::newRow("percent is literal") << "50%" << QStringList{"Cooking pasta"};
    QTest::newRow("underscore is literal") << "x_y" << QStringList{};
    QTest::newRow("deleted ones hidden") << "secret" << QStringList{};
    QTest::newRow("nothing") << "zebra" << QStringList{};
}

void TestChatStore::search()
{
    QFETCH(QString, text);
    QFETCH(QStringList, titles);
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    const qint64 cooking = *store.createConversation("Cooking pasta");
    store.addMessage(cooking, 0, MessageRole::User, "reduce the water by 50% and xay");
    QThread::msleep(3);
    const qint64 maths = *store.createConversation("Maths");
    store.addMessage(maths, 0, MessageRole::User, "explain a Quaternion");
    const qint64 hidden = *store.createConversation("secret");
    store.deleteConversation(hidden);
    VELA_TAKE(found, store.searchConversations(text));
    QStringList foundTitles;
    for (const Conversation& c : found)
        foundTitles.append(c.title);
    QCOMPARE(foundTitles, titles);
}

void TestChatStore::listsNewestFirst()
{
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    const qint64 a = *store.createConversation("A");
    QThread::msleep(3);
    const qint64 b = *store.createConversation("B");
    QCOMPARE(store.listConversations()->first().id, b);
    QThread::msleep(3);
    store.addMessage(a, 0, MessageRole::User, "bump");
    VELA_TAKE(list, store.listConversations());
    QCOMPARE(list.size(), 2);
    QCOMPARE(list[0].id, a);
    QVERIFY(list[0].updated > list[0].created);
}

void TestChatStore::softDeleteRestoreAndPurge()
{
    QTemporaryDir dir;
    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    const qint64 keep = *store.createConversation("keep");
    const qint64 gone = *store.createConversation("gone");
    const qint64 m = *store.addMessage(gone, 0, MessageRole::User, "bye");
    store.addAttachment({0, m, AttachmentKind::Image, "sha256:11", "", ""});

    VELA_CHECK_OK(store.deleteConversation(gone));
    QCOMPARE(store.listConversations()->size(), 1);
    VELA_CHECK_OK(store.restoreConversation(gone));  // undo
    QCOMPARE(store.listConversations()->size(), 2);
    QCOMPARE(store.activePath(gone)->size(), 1);

    VELA_CHECK_OK(store.deleteConversation(gone));
    QCOMPARE(*store.purgeDeleted(QDateTime::currentDateTimeUtc().addSecs(-60)), 0);  // too recent
    QCOMPARE(*store.purgeDeleted(QDateTime::currentDateTimeUtc().addSecs(1)), 1);
    QVERIFY(!store.conversation(gone));
    QVERIFY(!store.message(m));
    QCOMPARE(store.attachments(m)->size(), 0);
    QVERIFY(!store.restoreConversation(gone));
    QCOMPARE(store.listConversations()->first().id, keep);
}

void TestChatStore::reportsMissingThings()
{
    QTemporaryDir dir;
    ChatStore store;
    const Result<qint64> closed = store.createConversation("x");
    QVERIFY(!closed);
    QVERIFY2(closed.message().find("not open") != std::string::npos, closed.message().c_str());
    VELA_CHECK_OK(store.open(dir.path()));
    const qint64 c = *store.createConversation("c");
    const qint64 other = *store.createConversation("other");
    const qint64 m = *store.addMessage(c, 0, MessageRole::User, "x");
    QVERIFY(!store.appendToMessage(9999, "x"));
    QVERIFY(!store.setMessageState(9999, MessageState::Failed));
    QVERIFY(!store.addMessage(9999, 0, MessageRole::User, "x"));
    QVERIFY(!store.addMessage(c, 9999, MessageRole::User, "x"));
    QVERIFY(!store.addMessage(other, m, MessageRole::User, "x"));  // parent in another conversation
    QVERIFY(!store.renameConversation(9999, "x"));
    QVERIFY(!store.selectBranch(9999));
    QVERIFY(!store.addAttachment({0, 9999, AttachmentKind::Image, "h", "", ""}));
    QVERIFY(!store.exportJson(9999));
    QVERIFY(!store.activePath(9999));
    QCOMPARE(store.allMessages(c)->size(), 1);
}

void TestChatStore::streamedTextSurvivesAKill()
{
    QTemporaryDir dir;
    qint64 c = 0, answer = 0;
    {
        ChatStore store;
        VELA_CHECK_OK(store.open(dir.path()));
        c = *store.createConversation("crash");
        const qint64 question = *store.addMessage(c, 0, MessageRole::User, "stream please");
        answer = *store.addMessage(c, question, MessageRole::Assistant, "", MessageState::Partial);
    }
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {"--stream-child", dir.path(), QString::number(answer)});
    QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));
    // Let it stream for ~1 s (20 chunks), then kill it without warning.
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (out.count('\n') < 20 && timer.elapsed() < 20000 && child.state() == QProcess::Running) {
        child.waitForReadyRead(200);
        out += child.readAllStandardOutput();
    }
    child.kill();  // SIGKILL
    QVERIFY(child.waitForFinished(5000));
    out += child.readAllStandardOutput();
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    const QList<QByteArray> lines = out.trimmed().split('\n');
    const int reported = lines.last().toInt();
    QVERIFY2(reported >= 20, child.readAllStandardError().constData());

    ChatStore store;
    VELA_CHECK_OK(store.open(dir.path()));
    VELA_TAKE(m, store.message(answer));
    QCOMPARE(m.state, MessageState::Partial);
    // Every chunk the child saw saved is there, in order, and at most the one in flight beyond it.
    QString expected;
    for (int i = 0; i < reported; ++i)
        expected += chunkText(i);
    qInfo("child saved %d chunks before SIGKILL; the reopened message holds %lld characters", reported,
          qlonglong(m.content.size()));
    QVERIFY2(m.content == expected || m.content == expected + chunkText(reported),
             qPrintable(QStringLiteral("reported %1 chunks, found %2 characters").arg(reported).arg(m.content.size())));
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && qstrcmp(argv[1], "--stream-child") == 0)
        return runStreamChild(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toLongLong());
    TestChatStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_chat_store.moc"
