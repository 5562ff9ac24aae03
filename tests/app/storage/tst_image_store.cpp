// ChatStore's images (DESIGN.md §7): stored once per content beside the database, referenced by a message's
// attachment rows and read back with the active path, and removed by the purge only when nothing refers to
// them any more — a soft-deleted conversation keeps its images (undo), one shared with another conversation
// stays, and an image left behind by a message that was never written goes too.
#include "storage/chat_store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace vela;
using namespace vela::app;

namespace {

#define VELA_TAKE(var, expr)                                                                              \
    auto var##_result = (expr);                                                                           \
    if (!var##_result)                                                                                    \
        QFAIL(qPrintable(QStringLiteral(#expr " failed: %1").arg(QString::fromStdString(var##_result.message())))); \
    auto var = *var##_result

Attachment imageAttachment(qint64 messageId, const QString& hash, const QString& name)
{
    Attachment a;
    a.messageId = messageId;
    a.kind = AttachmentKind::Image;
    a.contentHash = hash;
    a.path = name;
    return a;
}

QStringList storedImages(const QString& dir)
{
    return QDir(QDir(dir).filePath("images")).entryList(QDir::Files, QDir::Name);
}

}  // namespace

class TestImageStore : public QObject {
    Q_OBJECT

private slots:
    void imagesAreStoredOncePerContent()
    {
        QTemporaryDir dir;
        ChatStore store;
        QVERIFY(store.open(dir.path()).isOk());
        const QByteArray bytes("\x89PNG fake image bytes", 20);
        VELA_TAKE(hash, store.storeImage(bytes));
        QCOMPARE(hash, QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
        VELA_TAKE(again, store.storeImage(bytes));
        QCOMPARE(again, hash);
        QCOMPARE(storedImages(dir.path()), QStringList{hash});
        QFile file(store.imagePath(hash));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
        QCOMPARE(store.imagePath("../chats.sqlite"), QString());  // only hashes name files
    }

    // A message's images come back with the active path, after the store is reopened.
    void activePathCarriesTheImages()
    {
        QTemporaryDir dir;
        QString hashA, hashB;
        qint64 question = 0;
        {
            ChatStore store;
            QVERIFY(store.open(dir.path()).isOk());
            VELA_TAKE(a, store.storeImage("image a"));
            VELA_TAKE(b, store.storeImage("image b"));
            hashA = a;
            hashB = b;
            VELA_TAKE(conversation, store.createConversation("Pictures"));
            VELA_TAKE(id, store.addMessage(conversation, 0, MessageRole::User, "What are these?"));
            question = id;
            QVERIFY(store.addAttachment(imageAttachment(id, hashA, "cat.png")).isOk());
            QVERIFY(store.addAttachment(imageAttachment(id, hashB, "pasted image")).isOk());
            QVERIFY(store.addMessage(conversation, id, MessageRole::Assistant, "Two images.").isOk());
        }
        ChatStore store;
        QVERIFY(store.open(dir.path()).isOk());
        VELA_TAKE(list, store.listConversations());
        QCOMPARE(list.size(), 1);
        VELA_TAKE(path, store.activePath(list.front().id));
        QCOMPARE(path.size(), 2);
        QCOMPARE(path[0].id, question);
        QCOMPARE(path[0].images.size(), 2);
        QCOMPARE(path[0].images[0].hash, hashA);
        QCOMPARE(path[0].images[0].name, QStringLiteral("cat.png"));
        QCOMPARE(path[0].images[0].path, store.imagePath(hashA));
        QCOMPARE(path[0].images[1].name, QStringLiteral("pasted image"));
        QVERIFY(path[1].images.isEmpty());
    }

    void purgeRemovesOnlyUnusedImages()
    {
        QTemporaryDir dir;
        ChatStore store;
        QVERIFY(store.open(dir.path()).isOk());
        VELA_TAKE(shared, store.storeImage("shared"));
        VELA_TAKE(own, store.storeImage("only in the deleted chat"));
        VELA_TAKE(kept, store.storeImage("only in the kept chat"));
        VELA_TAKE(stray, store.storeImage("stored, but its message was never written"));
        VELA_TAKE(deleted, store.createConversation("Deleted"));
        VELA_TAKE(d1, store.addMessage(deleted, 0, MessageRole::User, "a"));
        QVERIFY(store.addAttachment(imageAttachment(d1, shared, "s.png")).isOk());
        QVERIFY(store.addAttachment(imageAttachment(d1, own, "o.png")).isOk());
        VELA_TAKE(other, store.createConversation("Kept"));
        VELA_TAKE(k1, store.addMessage(other, 0, MessageRole::User, "b"));
        QVERIFY(store.addAttachment(imageAttachment(k1, shared, "s.png")).isOk());
        QVERIFY(store.addAttachment(imageAttachment(k1, kept, "k.png")).isOk());
        QFile foreign(QDir(dir.path()).filePath("images/notes.txt"));  // not a name the store writes
        QVERIFY(foreign.open(QIODevice::WriteOnly));
        foreign.close();

        // Soft-deleted: everything stays (undo must bring the images back); the stray image is unreferenced.
        QVERIFY(store.deleteConversation(deleted).isOk());
        VELA_TAKE(none, store.purgeDeleted(QDateTime::currentDateTimeUtc().addDays(-1)));
        QCOMPARE(none, 0);
        QVERIFY(QFile::exists(store.imagePath(own)));
        QVERIFY(!QFile::exists(store.imagePath(stray)));

        VELA_TAKE(purged, store.purgeDeleted(QDateTime::currentDateTimeUtc().addSecs(1)));
        QCOMPARE(purged, 1);
        QVERIFY(!QFile::exists(store.imagePath(own)));
        QVERIFY(QFile::exists(store.imagePath(shared)));
        QVERIFY(QFile::exists(store.imagePath(kept)));
        QVERIFY(foreign.exists());
        VELA_TAKE(path, store.activePath(other));
        QCOMPARE(path.front().images.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestImageStore)
#include "tst_image_store.moc"
