// The real application killed mid-answer: `vela` runs as a child process, answering with a model slow enough
// to still be writing after seconds, while this test reads the chat database beside it (read-only, as SQLite's
// WAL lets a second process do). SIGKILL, then: the database opens, and the answer holds every character that
// was saved up to a second before the kill; a new window shows the conversation with the answer marked
// interrupted. The promise: a crash loses nothing but the last second of the answer.
#include "chat_view.h"
#include "window_fixture.h"

#include "vela/synthetic_model.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using vela::app::ChatStore;
using vela::app::Message;
using vela::app::MessageRole;
using vela::app::MessageState;

namespace {

struct Snapshot {
    qint64 atMs = 0;
    QString answer;
};

// The newest assistant message's text, read through a connection of our own; "" when there is none yet.
QString readAnswer(const QString& databasePath)
{
    const QString name = QStringLiteral("peek");
    QString answer;
    {
        QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name)
                                                        : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(databasePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
        if (!db.isOpen() && !db.open())
            return {};
        QSqlQuery query(db);
        if (query.exec(QStringLiteral("SELECT content FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1")) &&
            query.next())
            answer = query.value(0).toString();
    }
    return answer;
}

void closePeek()
{
    if (QSqlDatabase::contains(QStringLiteral("peek"))) {
        QSqlDatabase::database(QStringLiteral("peek")).close();
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    }
}

}  // namespace

class TestAppCrash : public QObject {
    Q_OBJECT

private slots:
    void killedMidAnswerLosesAtMostTheLastSecond()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath("data");
        QVERIFY(QDir().mkpath(data));
        // Random weights over stories260K's vocabulary: it writes tokens (nonsense) for as long as asked, at
        // some tens of tokens a second on lavapipe.
        vela::SyntheticLlamaSpec spec;
        spec.nEmbd = 512;
        spec.nLayer = 8;
        spec.nHead = 8;
        spec.nHeadKv = 8;
        spec.nFf = 1376;
        spec.nVocab = 512;
        spec.vocabPath = vela::test::requireTestFile("models/stories260K.gguf").toStdString();
        const QString model = dir.filePath("slow.gguf");
        const vela::Status written = vela::writeSyntheticLlama(spec, model.toStdString());
        QVERIFY2(written.isOk(), written.message().c_str());

        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", dir.filePath("config"));  // not the user's settings
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        app.start(VELA_APP_PATH, {"--data", data, "--open", model, "--send", "Tell me a long story", "--temp", "0",
                                  "--ctx", "2048", "--max-tokens", "2000", "--ignore-eos"});
        QVERIFY2(app.waitForStarted(10'000), qPrintable(app.errorString()));

        // Watch the answer grow for a while, then kill.
        const QString database = QDir(data).filePath(ChatStore::kFileName);
        QList<Snapshot> seen;
        QElapsedTimer clock;
        clock.start();
        qint64 firstText = -1;
        while (clock.elapsed() < 120'000 && app.state() == QProcess::Running) {
            const QString answer = QFile::exists(database) ? readAnswer(database) : QString();
            if (!answer.isEmpty()) {
                seen.append({clock.elapsed(), answer});
                if (firstText < 0)
                    firstText = clock.elapsed();
                if (clock.elapsed() - firstText > 2500 && seen.size() > 10)
                    break;
            }
            QTest::qWait(50);
        }
        QVERIFY2(app.state() == QProcess::Running, "the app ended before it could be killed (or never answered)");
        QVERIFY2(!seen.isEmpty(), "no answer text reached the database");
        app.kill();  // SIGKILL
        const qint64 killedAt = clock.elapsed();
        QVERIFY(app.waitForFinished(10'000));
        QCOMPARE(app.exitStatus(), QProcess::CrashExit);
        closePeek();

        // Everything saved up to a second before the kill is there.
        ChatStore store;
        QVERIFY(store.open(data).isOk());
        const QList<vela::app::Conversation> conversations = store.listConversations().value();
        QCOMPARE(conversations.size(), 1);
        const QList<Message> path = store.activePath(conversations.front().id).value();
        QCOMPARE(path.size(), 2);
        QCOMPARE(path.front().content, QStringLiteral("Tell me a long story"));
        const Message answer = path.back();
        QCOMPARE(answer.role, MessageRole::Assistant);
        QCOMPARE(answer.state, MessageState::Partial);
        int checked = 0;
        qsizetype secondBefore = 0;
        for (const Snapshot& s : seen) {
            if (s.atMs > killedAt - 1000)
                continue;
            QVERIFY2(answer.content.startsWith(s.answer),
                     qPrintable(QString("text seen %1 ms before the kill is missing").arg(killedAt - s.atMs)));
            secondBefore = s.answer.size();
            ++checked;
        }
        QVERIFY(checked > 0);
        QVERIFY(answer.content.startsWith(seen.back().answer));  // even the last read survived
        QVERIFY2(seen.back().answer.size() > seen.front().answer.size(), "the answer was not streaming");
        qInfo("answer after the kill: %lld characters; %lld were saved a second before it; %d reads checked",
              static_cast<long long>(answer.content.size()), static_cast<long long>(secondBefore), checked);
        store.close();

        // The app starts again over the same folder and shows the conversation, the answer marked interrupted.
        auto window = vela::test::openWindow(data, dir.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(window->chat()->messages().size(), 2);
        QCOMPARE(window->chat()->messages().back().content, answer.content);
        QVERIFY(window->chatView()->toPlainText().contains("interrupted"));
    }
};

QTEST_MAIN(TestAppCrash)
#include "tst_app_crash.moc"
