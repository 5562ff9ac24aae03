// A conversation as Markdown (the active path, for reading) and as JSON (the whole tree, for moving between
// machines). The JSON numbers messages 1..n in creation order rather than using database ids, so exporting an
// imported conversation gives the same bytes as the original export; "parent": 0 marks a first message.
#include "storage/chat_store.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace vela::app {
namespace {

constexpr const char* kFormat = "vela-conversation-v1";

QString timestamp(const QDateTime& t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

Status sqlFailure(const QString& what, const QSqlError& error)
{
    return Status::failure(QStringLiteral("%1: %2").arg(what, error.text()).toStdString());
}

Status importError(const QString& what)
{
    return Status::failure(QStringLiteral("cannot import the conversation: %1").arg(what).toStdString());
}

QString kindName(AttachmentKind kind)
{
    return kind == AttachmentKind::Image ? QStringLiteral("image") : QStringLiteral("document");
}

QString markdownHeading(MessageRole role)
{
    switch (role) {
    case MessageRole::System: return QStringLiteral("System");
    case MessageRole::User: return QStringLiteral("User");
    case MessageRole::Assistant: return QStringLiteral("Assistant");
    }
    return {};
}

// Prepared INSERT with values bound in order.
bool insert(QSqlQuery& q, const QString& sql, const QVariantList& values)
{
    if (!q.prepare(sql))
        return false;
    for (const QVariant& v : values)
        q.addBindValue(v);
    return q.exec();
}

}  // namespace

Result<QString> ChatStore::exportMarkdown(qint64 conversationId) const
{
    Result<Conversation> c = conversation(conversationId);
    if (!c)
        return c.status();
    Result<QList<Message>> path = activePath(conversationId);
    if (!path)
        return path.status();
    QString md = QStringLiteral("# %1\n\n").arg(c->title);
    if (!c->settings.systemPrompt.isEmpty())
        md += QStringLiteral("### System\n\n%1\n\n").arg(c->settings.systemPrompt);
    for (const Message& m : *path) {
        md += QStringLiteral("### %1\n\n%2\n\n").arg(markdownHeading(m.role), m.content);
        if (m.state != MessageState::Complete)
            md += QStringLiteral("*(%1)*\n\n").arg(stateName(m.state));
    }
    return md;
}

Result<QByteArray> ChatStore::exportJson(qint64 conversationId) const
{
    Result<Conversation> c = conversation(conversationId);
    if (!c)
        return c.status();
    Result<QList<Message>> messages = allMessages(conversationId);
    if (!messages)
        return messages.status();

    QHash<qint64, int> number{{0, 0}};  // database id -> 1..n; 0 stays 0 (the roots)
    QJsonArray jsonMessages;
    for (const Message& m : *messages) {
        number.insert(m.id, int(number.size()));
        Result<QList<Attachment>> files = attachments(m.id);
        if (!files)
            return files.status();
        QJsonArray jsonFiles;
        for (const Attachment& a : *files)
            jsonFiles.append(QJsonObject{{"kind", kindName(a.kind)},
                                         {"content_hash", a.contentHash},
                                         {"path", a.path},
                                         {"extracted_text", a.extractedText}});
        jsonMessages.append(QJsonObject{{"id", number.value(m.id)},
                                        {"parent", number.value(m.parentId)},
                                        {"role", roleName(m.role)},
                                        {"content", m.content},
                                        {"created", timestamp(m.created)},
                                        {"state", stateName(m.state)},
                                        {"metadata", m.metadata},
                                        {"attachments", jsonFiles}});
    }

    QSqlQuery q(m_db);
    if (!q.prepare("SELECT parent_id, child_id FROM selected_branches WHERE conversation_id = ? ORDER BY parent_id"))
        return sqlFailure("cannot read the selected branches", q.lastError());
    q.addBindValue(conversationId);
    if (!q.exec())
        return sqlFailure("cannot read the selected branches", q.lastError());
    QJsonArray selected;
    while (q.next()) {
        const qint64 parent = q.value(0).toLongLong();
        const qint64 child = q.value(1).toLongLong();
        if (number.contains(parent) && number.contains(child))
            selected.append(QJsonObject{{"parent", number.value(parent)}, {"child", number.value(child)}});
    }

    const QJsonObject root{{"format", kFormat},
                           {"title", c->title},
                           {"created", timestamp(c->created)},
                           {"updated", timestamp(c->updated)},
                           {"settings", c->settings.toJson()},
                           {"messages", jsonMessages},
                           {"selected", selected}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<qint64> ChatStore::importJson(const QByteArray& json)
{
    if (Status s = checkOpen(); !s)
        return s;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull())
        return importError(
            QStringLiteral("not JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset));
    const QJsonObject root = doc.object();
    if (root.value("format").toString() != QLatin1String(kFormat))
        return importError(QStringLiteral("not a Vela conversation (\"format\" is not \"%1\")").arg(kFormat));
    if (!m_db.transaction())
        return sqlFailure("cannot import the conversation", m_db.lastError());
    qint64 id = 0;
    if (Status s = importInTransaction(root, &id); !s) {
        m_db.rollback();
        return s;
    }
    if (!m_db.commit()) {
        const QSqlError error = m_db.lastError();
        m_db.rollback();
        return sqlFailure("cannot import the conversation", error);
    }
    return id;
}

Status ChatStore::importInTransaction(const QJsonObject& root, qint64* newId)
{
    const auto time = [](const QJsonValue& v) { return QDateTime::fromString(v.toString(), Qt::ISODateWithMs); };
    const auto compact = [](const QJsonObject& o) {
        return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
    };
    const QDateTime created = time(root.value("created"));
    const QDateTime updated = time(root.value("updated"));
    if (!created.isValid() || !updated.isValid())
        return importError("the conversation's \"created\"/\"updated\" times are missing or not ISO 8601");
    QSqlQuery q(m_db);
    if (!insert(q, "INSERT INTO conversations (title, created, updated, settings) VALUES (?, ?, ?, ?)",
                {root.value("title").toString(), created.toMSecsSinceEpoch(), updated.toMSecsSinceEpoch(),
                 compact(ConversationSettings::fromJson(root.value("settings").toObject()).toJson())}))
        return sqlFailure("cannot import the conversation", q.lastError());
    *newId = q.lastInsertId().toLongLong();

    QHash<qint64, qint64> dbId{{0, 0}};      // file number -> database id
    QHash<qint64, qint64> parentOf;          // file number -> its parent's file number
    for (const QJsonValue& value : root.value("messages").toArray()) {
        const QJsonObject m = value.toObject();
        const qint64 number = m.value("id").toInteger(-1);
        const qint64 parent = m.value("parent").toInteger(-1);
        const auto role = roleFromName(m.value("role").toString());
        const auto state = stateFromName(m.value("state").toString());
        const QDateTime when = time(m.value("created"));
        if (number <= 0 || dbId.contains(number))
            return importError(QStringLiteral("message number %1 is missing or repeated").arg(number));
        if (!dbId.contains(parent))
            return importError(
                QStringLiteral("message %1's parent %2 does not come before it").arg(number).arg(parent));
        if (!role || !state || !when.isValid())
            return importError(QStringLiteral("message %1 has a bad role, state or time").arg(number));
        const qint64 parentId = dbId.value(parent);
        if (!insert(q,
                    "INSERT INTO messages (conversation_id, parent_id, role, content, created, state, metadata) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    {*newId, parentId == 0 ? QVariant(QMetaType::fromType<qint64>()) : QVariant(parentId),
                     roleName(*role), m.value("content").toString(), when.toMSecsSinceEpoch(), stateName(*state),
                     compact(m.value("metadata").toObject())}))
            return sqlFailure("cannot import a message", q.lastError());
        const qint64 messageId = q.lastInsertId().toLongLong();
        dbId.insert(number, messageId);
        parentOf.insert(number, parent);
        for (const QJsonValue& f : m.value("attachments").toArray()) {
            const QJsonObject a = f.toObject();
            const QString kind = a.value("kind").toString();
            if (kind != QLatin1String("image") && kind != QLatin1String("document"))
                return importError(QStringLiteral("message %1 has an attachment of unknown kind").arg(number));
            if (!insert(q,
                        "INSERT INTO attachments (message_id, kind, content_hash, path, extracted_text) "
                        "VALUES (?, ?, ?, ?, ?)",
                        {messageId, kind, a.value("content_hash").toString(), a.value("path").toString(),
                         a.value("extracted_text").toString()}))
                return sqlFailure("cannot import an attachment", q.lastError());
        }
    }
    for (const QJsonValue& value : root.value("selected").toArray()) {
        const QJsonObject s = value.toObject();
        const qint64 parent = s.value("parent").toInteger(-1);
        const qint64 child = s.value("child").toInteger(-1);
        if (!dbId.contains(parent) || !parentOf.contains(child) || parentOf.value(child) != parent)
            return importError(QStringLiteral("a selected branch names a message that is not there"));
        if (!insert(q,
                    "INSERT OR REPLACE INTO selected_branches (conversation_id, parent_id, child_id) "
                    "VALUES (?, ?, ?)",
                    {*newId, dbId.value(parent), dbId.value(child)}))
            return sqlFailure("cannot import the selected branches", q.lastError());
    }
    return Status::success();
}

}  // namespace vela::app
