// ChatStore: opening the file, conversations, messages and branches. Export/import live in
// conversation_export.cpp, the schema in schema_migrations.cpp.
#include "storage/chat_store.h"

#include "storage/schema_migrations.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace vela::app {
namespace {

QAtomicInteger<int> g_connectionCounter;

Status failure(const QString& message)
{
    return Status::failure(message.toStdString());
}

Status sqlFailure(const QString& what, const QSqlError& error)
{
    return failure(QStringLiteral("%1: %2").arg(what, error.text()));
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

QString toJsonText(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject fromJsonText(const QString& text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

// Columns in the order readMessage expects.
constexpr const char* kMessageColumns =
    "id, conversation_id, parent_id, role, content, created, state, metadata";

Message readMessage(const QSqlQuery& q)
{
    Message m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.parentId = q.value(2).isNull() ? 0 : q.value(2).toLongLong();
    m.role = roleFromName(q.value(3).toString()).value_or(MessageRole::User);
    m.content = q.value(4).toString();
    m.created = fromMs(q.value(5).toLongLong());
    m.state = stateFromName(q.value(6).toString()).value_or(MessageState::Complete);
    m.metadata = fromJsonText(q.value(7).toString());
    return m;
}

constexpr const char* kConversationColumns = "id, title, created, updated, settings";

Conversation readConversation(const QSqlQuery& q)
{
    Conversation c;
    c.id = q.value(0).toLongLong();
    c.title = q.value(1).toString();
    c.created = fromMs(q.value(2).toLongLong());
    c.updated = fromMs(q.value(3).toLongLong());
    c.settings = ConversationSettings::fromJson(fromJsonText(q.value(4).toString()));
    return c;
}

// LIKE treats % and _ as wildcards: escape them so a search for "50%" means the text.
QString likePattern(const QString& text)
{
    QString escaped = text;
    escaped.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    return '%' + escaped + '%';
}

// Prepares and runs `sql` with `values` bound in order.
bool run(QSqlQuery& q, const QString& sql, const QVariantList& values = {})
{
    if (!q.prepare(sql))
        return false;
    for (const QVariant& v : values)
        q.addBindValue(v);
    return q.exec();
}

QVariant parentValue(qint64 parentId)
{
    return parentId == 0 ? QVariant(QMetaType::fromType<qint64>()) : QVariant(parentId);
}

}  // namespace

QString roleName(MessageRole role)
{
    switch (role) {
    case MessageRole::System: return QStringLiteral("system");
    case MessageRole::User: return QStringLiteral("user");
    case MessageRole::Assistant: return QStringLiteral("assistant");
    }
    return {};
}

std::optional<MessageRole> roleFromName(const QString& name)
{
    for (MessageRole r : {MessageRole::System, MessageRole::User, MessageRole::Assistant})
        if (roleName(r) == name)
            return r;
    return std::nullopt;
}

QString stateName(MessageState state)
{
    switch (state) {
    case MessageState::Complete: return QStringLiteral("complete");
    case MessageState::Partial: return QStringLiteral("partial");
    case MessageState::Stopped: return QStringLiteral("stopped");
    case MessageState::Failed: return QStringLiteral("failed");
    }
    return {};
}

std::optional<MessageState> stateFromName(const QString& name)
{
    for (MessageState s : {MessageState::Complete, MessageState::Partial, MessageState::Stopped, MessageState::Failed})
        if (stateName(s) == name)
            return s;
    return std::nullopt;
}

QJsonObject ConversationSettings::toJson() const
{
    return {{"system_prompt", systemPrompt}, {"temperature", temperature},     {"top_k", topK},
            {"top_p", topP},                 {"min_p", minP},                   {"repeat_penalty", repeatPenalty},
            {"seed", seed},                  {"max_tokens", maxTokens},         {"context_size", contextSize},
            {"model_path", modelPath}};
}

ConversationSettings ConversationSettings::fromJson(const QJsonObject& json)
{
    ConversationSettings s;
    s.systemPrompt = json.value("system_prompt").toString(s.systemPrompt);
    s.temperature = json.value("temperature").toDouble(s.temperature);
    s.topK = json.value("top_k").toInt(s.topK);
    s.topP = json.value("top_p").toDouble(s.topP);
    s.minP = json.value("min_p").toDouble(s.minP);
    s.repeatPenalty = json.value("repeat_penalty").toDouble(s.repeatPenalty);
    s.seed = json.value("seed").toInteger(s.seed);
    s.maxTokens = json.value("max_tokens").toInt(s.maxTokens);
    s.contextSize = json.value("context_size").toInt(s.contextSize);
    s.modelPath = json.value("model_path").toString(s.modelPath);
    return s;
}

ChatStore::ChatStore() : m_connectionName(QStringLiteral("vela-chat-store-%1").arg(++g_connectionCounter)) {}

ChatStore::~ChatStore()
{
    close();
}

int ChatStore::currentSchemaVersion()
{
    return schema::currentVersion();
}

Status ChatStore::open(const QString& dir)
{
    close();
    if (!QDir().mkpath(dir) || !QFileInfo(dir).isDir())
        return failure(QStringLiteral("cannot create the chat folder %1").arg(dir));
    m_path = QDir(dir).filePath(kFileName);
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    if (!m_db.isValid()) {
        close();
        return Status::failure("the Qt SQLite driver (QSQLITE) is missing; install libqt6sql6-sqlite");
    }
    m_db.setDatabaseName(m_path);
    const auto fail = [this](const QString& what) {
        const QString path = m_path;
        close();
        m_path = path;
        return failure(QStringLiteral("chat database %1: %2").arg(path, what));
    };
    if (!m_db.open())
        return fail(QStringLiteral("cannot open (%1)").arg(m_db.lastError().text()));

    // Read the version before any PRAGMA writes to the file: a newer file must stay exactly as it was.
    Result<int> version = schema::readVersion(m_db);
    if (!version)
        return fail(QStringLiteral("%1; the file may be damaged: move it aside to start a new one")
                        .arg(QString::fromStdString(version.message())));
    if (*version > schema::currentVersion())
        return fail(QStringLiteral("written by a newer Vela (schema version %1, this build reads up to %2); "
                                   "update Vela to open it")
                        .arg(*version)
                        .arg(schema::currentVersion()));

    // WAL + NORMAL: a commit is an append to the log without an fsync, cheap enough for one per streamed batch,
    // and survives the app being killed (an OS crash may lose the last commits, never the file).
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        if (Status s = exec(QString::fromLatin1(pragma)); !s)
            return fail(QString::fromStdString(s.message()));
    }
    if (Status s = schema::migrate(m_db, *version); !s)
        return fail(QString::fromStdString(s.message()));
    return Status::success();
}

void ChatStore::close()
{
    m_appendQuery.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_path.clear();
}

bool ChatStore::isOpen() const
{
    return m_db.isValid() && m_db.isOpen();
}

Status ChatStore::checkOpen() const
{
    return isOpen() ? Status::success() : Status::failure("the chat database is not open");
}

Status ChatStore::exec(const QString& sql) const
{
    QSqlQuery q(m_db);
    if (!q.exec(sql))
        return sqlFailure(sql, q.lastError());
    return Status::success();
}

Result<int> ChatStore::schemaVersion() const
{
    if (Status s = checkOpen(); !s)
        return s;
    return schema::readVersion(m_db);
}

Status ChatStore::requireConversation(qint64 id) const
{
    QSqlQuery q(m_db);
    if (!run(q, "SELECT 1 FROM conversations WHERE id = ?", {id}))
        return sqlFailure("cannot look up the conversation", q.lastError());
    if (!q.next())
        return failure(QStringLiteral("no conversation %1").arg(id));
    return Status::success();
}

Result<qint64> ChatStore::createConversation(const QString& title, const ConversationSettings& settings)
{
    if (Status s = checkOpen(); !s)
        return s;
    const qint64 now = nowMs();
    QSqlQuery q(m_db);
    if (!run(q, "INSERT INTO conversations (title, created, updated, settings) VALUES (?, ?, ?, ?)",
             {title, now, now, toJsonText(settings.toJson())}))
        return sqlFailure("cannot create the conversation", q.lastError());
    return q.lastInsertId().toLongLong();
}

namespace {

// One UPDATE of a conversation that must exist.
Status updateConversation(QSqlDatabase& db, qint64 id, const QString& sql, const QVariantList& values,
                          const QString& what)
{
    QSqlQuery q(db);
    if (!run(q, sql, values))
        return sqlFailure(what, q.lastError());
    if (q.numRowsAffected() == 0)
        return failure(QStringLiteral("%1: no conversation %2").arg(what).arg(id));
    return Status::success();
}

}  // namespace

Status ChatStore::renameConversation(qint64 id, const QString& title)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateConversation(m_db, id, "UPDATE conversations SET title = ?, updated = ? WHERE id = ?",
                              {title, nowMs(), id}, "cannot rename the conversation");
}

Status ChatStore::setConversationSettings(qint64 id, const ConversationSettings& settings)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateConversation(m_db, id, "UPDATE conversations SET settings = ? WHERE id = ?",
                              {toJsonText(settings.toJson()), id}, "cannot save the conversation's settings");
}

Status ChatStore::deleteConversation(qint64 id)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateConversation(m_db, id, "UPDATE conversations SET deleted = 1, deleted_at = ? WHERE id = ?",
                              {nowMs(), id}, "cannot delete the conversation");
}

Status ChatStore::restoreConversation(qint64 id)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateConversation(m_db, id, "UPDATE conversations SET deleted = 0, deleted_at = NULL WHERE id = ?",
                              {id}, "cannot restore the conversation");
}

Result<int> ChatStore::purgeDeleted(const QDateTime& deletedBefore)
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    // Messages, branches and attachments follow by ON DELETE CASCADE.
    if (!run(q, "DELETE FROM conversations WHERE deleted = 1 AND deleted_at < ?", {deletedBefore.toMSecsSinceEpoch()}))
        return sqlFailure("cannot purge deleted conversations", q.lastError());
    const int purged = q.numRowsAffected();
    if (Result<int> removed = removeUnusedImages(); !removed)
        return removed.status();
    return purged;
}

Result<Conversation> ChatStore::conversation(qint64 id) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    if (!run(q, QStringLiteral("SELECT %1 FROM conversations WHERE id = ?").arg(kConversationColumns), {id}))
        return sqlFailure("cannot read the conversation", q.lastError());
    if (!q.next())
        return failure(QStringLiteral("no conversation %1").arg(id));
    return readConversation(q);
}

Result<QList<Conversation>> ChatStore::listConversations() const
{
    return searchConversations(QString());
}

Result<QList<Conversation>> ChatStore::searchConversations(const QString& text) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QString sql = QStringLiteral("SELECT %1 FROM conversations c WHERE deleted = 0").arg(kConversationColumns);
    QVariantList values;
    if (!text.isEmpty()) {
        sql += " AND (title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id"
               " AND m.content LIKE ? ESCAPE '\\'))";
        values = {likePattern(text), likePattern(text)};
    }
    sql += " ORDER BY updated DESC, id DESC";
    QSqlQuery q(m_db);
    if (!run(q, sql, values))
        return sqlFailure("cannot list conversations", q.lastError());
    QList<Conversation> result;
    while (q.next())
        result.append(readConversation(q));
    return result;
}

Result<qint64> ChatStore::addMessage(qint64 conversationId, qint64 parentId, MessageRole role,
                                     const QString& content, MessageState state)
{
    if (Status s = checkOpen(); !s)
        return s;
    if (Status s = requireConversation(conversationId); !s)
        return s;
    if (parentId != 0) {
        Result<Message> parent = message(parentId);
        if (!parent)
            return parent.status();
        if (parent->conversationId != conversationId)
            return failure(QStringLiteral("message %1 belongs to another conversation").arg(parentId));
    }
    if (!m_db.transaction())
        return sqlFailure("cannot add the message", m_db.lastError());
    const qint64 now = nowMs();
    QSqlQuery q(m_db);
    bool ok = run(q,
                  "INSERT INTO messages (conversation_id, parent_id, role, content, created, state) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  // A null QString would bind as NULL, which the column refuses: an empty answer starts as "".
                  {conversationId, parentValue(parentId), roleName(role), content.isNull() ? QStringLiteral("") : content,
                   now, stateName(state)});
    const qint64 id = ok ? q.lastInsertId().toLongLong() : 0;
    ok = ok && run(q,
                   "INSERT OR REPLACE INTO selected_branches (conversation_id, parent_id, child_id) "
                   "VALUES (?, ?, ?)",
                   {conversationId, parentId, id});
    ok = ok && run(q, "UPDATE conversations SET updated = ? WHERE id = ?", {now, conversationId});
    if (!ok || !m_db.commit()) {
        const QSqlError error = q.lastError().isValid() ? q.lastError() : m_db.lastError();
        m_db.rollback();
        return sqlFailure("cannot add the message", error);
    }
    return id;
}

Status ChatStore::appendToMessage(qint64 id, const QString& text)
{
    if (Status s = checkOpen(); !s)
        return s;
    if (!m_appendQuery) {
        m_appendQuery = std::make_unique<QSqlQuery>(m_db);
        if (!m_appendQuery->prepare("UPDATE messages SET content = content || ? WHERE id = ?")) {
            const QSqlError error = m_appendQuery->lastError();
            m_appendQuery.reset();
            return sqlFailure("cannot save the streamed text", error);
        }
    }
    m_appendQuery->bindValue(0, text);
    m_appendQuery->bindValue(1, id);
    if (!m_appendQuery->exec())
        return sqlFailure("cannot save the streamed text", m_appendQuery->lastError());
    if (m_appendQuery->numRowsAffected() == 0)
        return failure(QStringLiteral("no message %1").arg(id));
    return Status::success();
}

namespace {

Status updateMessage(QSqlDatabase& db, qint64 id, const QString& column, const QVariant& value, const QString& what)
{
    QSqlQuery q(db);
    // The conversation's `updated` follows so the list shows it first.
    if (!run(q, QStringLiteral("UPDATE messages SET %1 = ? WHERE id = ?").arg(column), {value, id}))
        return sqlFailure(what, q.lastError());
    if (q.numRowsAffected() == 0)
        return failure(QStringLiteral("%1: no message %2").arg(what).arg(id));
    if (!run(q, "UPDATE conversations SET updated = ? WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)",
             {nowMs(), id}))
        return sqlFailure(what, q.lastError());
    return Status::success();
}

}  // namespace

Status ChatStore::setMessageContent(qint64 id, const QString& content)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateMessage(m_db, id, "content", content, "cannot save the message");
}

Status ChatStore::setMessageState(qint64 id, MessageState state)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateMessage(m_db, id, "state", stateName(state), "cannot save the message's state");
}

Status ChatStore::setMessageMetadata(qint64 id, const QJsonObject& metadata)
{
    if (Status s = checkOpen(); !s)
        return s;
    return updateMessage(m_db, id, "metadata", toJsonText(metadata), "cannot save the message's details");
}

Result<Message> ChatStore::message(qint64 id) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    if (!run(q, QStringLiteral("SELECT %1 FROM messages WHERE id = ?").arg(kMessageColumns), {id}))
        return sqlFailure("cannot read the message", q.lastError());
    if (!q.next())
        return failure(QStringLiteral("no message %1").arg(id));
    return readMessage(q);
}

Result<QList<Message>> ChatStore::children(qint64 conversationId, qint64 parentId) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    const QString sql = QStringLiteral("SELECT %1 FROM messages WHERE conversation_id = ? AND parent_id IS ? "
                                       "ORDER BY id")
                            .arg(kMessageColumns);
    if (!run(q, sql, {conversationId, parentValue(parentId)}))
        return sqlFailure("cannot read the branches", q.lastError());
    QList<Message> result;
    while (q.next())
        result.append(readMessage(q));
    return result;
}

Status ChatStore::selectBranch(qint64 childId)
{
    Result<Message> child = message(childId);
    if (!child)
        return child.status();
    QSqlQuery q(m_db);
    if (!run(q, "INSERT OR REPLACE INTO selected_branches (conversation_id, parent_id, child_id) VALUES (?, ?, ?)",
             {child->conversationId, child->parentId, childId}))
        return sqlFailure("cannot select the branch", q.lastError());
    return Status::success();
}

Result<qint64> ChatStore::selectedChild(qint64 conversationId, qint64 parentId) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    // The join ignores a choice that is not really a child of `parentId` (a hand-edited import), which would
    // otherwise let activePath loop.
    if (!run(q,
             "SELECT s.child_id FROM selected_branches s JOIN messages m ON m.id = s.child_id "
             "WHERE s.conversation_id = ? AND s.parent_id = ? AND m.conversation_id = s.conversation_id "
             "AND IFNULL(m.parent_id, 0) = s.parent_id",
             {conversationId, parentId}))
        return sqlFailure("cannot read the selected branch", q.lastError());
    if (q.next())
        return q.value(0).toLongLong();
    // None chosen (e.g. the choice's message was purged): the newest child.
    if (!run(q, "SELECT MAX(id) FROM messages WHERE conversation_id = ? AND parent_id IS ?",
             {conversationId, parentValue(parentId)}))
        return sqlFailure("cannot read the branches", q.lastError());
    return q.next() && !q.value(0).isNull() ? q.value(0).toLongLong() : qint64(0);
}

Result<QList<Message>> ChatStore::activePath(qint64 conversationId) const
{
    if (Status s = checkOpen(); !s)
        return s;
    if (Status s = requireConversation(conversationId); !s)
        return s;
    QList<Message> path;
    qint64 parent = 0;
    for (;;) {
        Result<qint64> child = selectedChild(conversationId, parent);
        if (!child)
            return child.status();
        if (*child == 0)
            return path;
        Result<Message> m = message(*child);
        if (!m)
            return m.status();
        Result<QList<MessageImage>> images = messageImages(*child);
        if (!images)
            return images.status();
        m->images = *images;
        path.append(*m);
        parent = *child;
    }
}

Result<QList<Message>> ChatStore::allMessages(qint64 conversationId) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    // A parent is always inserted before its children, so id order puts parents first.
    if (!run(q, QStringLiteral("SELECT %1 FROM messages WHERE conversation_id = ? ORDER BY id").arg(kMessageColumns),
             {conversationId}))
        return sqlFailure("cannot read the messages", q.lastError());
    QList<Message> result;
    while (q.next())
        result.append(readMessage(q));
    return result;
}

Result<QString> ChatStore::storeImage(const QByteArray& bytes)
{
    if (Status s = checkOpen(); !s)
        return s;
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    const QString path = imagePath(hash);
    if (QFileInfo::exists(path))
        return hash;  // same content, already stored
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        return failure(QStringLiteral("cannot create the image folder %1").arg(folder));
    // QSaveFile: a crash leaves either no file or the whole image, never a torn one under the final name.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return failure(QStringLiteral("cannot save the image %1: %2").arg(path, file.errorString()));
    return hash;
}

QString ChatStore::imagePath(const QString& contentHash) const
{
    static const QRegularExpression kHex(QStringLiteral("^[0-9a-f]{64}$"));
    if (m_path.isEmpty() || !kHex.match(contentHash).hasMatch())
        return {};
    return QFileInfo(m_path).absoluteDir().filePath(QStringLiteral("images/") + contentHash);
}

Result<qint64> ChatStore::addAttachment(const Attachment& a)
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    const QString kind = a.kind == AttachmentKind::Image ? QStringLiteral("image") : QStringLiteral("document");
    // A null QString binds as NULL, which the NOT NULL columns refuse: unset fields are stored as "".
    const auto text = [](const QString& s) { return s.isNull() ? QStringLiteral("") : s; };
    if (!run(q, "INSERT INTO attachments (message_id, kind, content_hash, path, extracted_text) VALUES (?, ?, ?, ?, ?)",
             {a.messageId, kind, text(a.contentHash), text(a.path), text(a.extractedText)}))
        return sqlFailure("cannot add the attachment", q.lastError());
    return q.lastInsertId().toLongLong();
}

Result<QList<Attachment>> ChatStore::attachments(qint64 messageId) const
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    if (!run(q, "SELECT id, message_id, kind, content_hash, path, extracted_text FROM attachments "
                "WHERE message_id = ? ORDER BY id",
             {messageId}))
        return sqlFailure("cannot read the attachments", q.lastError());
    QList<Attachment> result;
    while (q.next()) {
        Attachment a;
        a.id = q.value(0).toLongLong();
        a.messageId = q.value(1).toLongLong();
        a.kind = q.value(2).toString() == QLatin1String("document") ? AttachmentKind::Document : AttachmentKind::Image;
        a.contentHash = q.value(3).toString();
        a.path = q.value(4).toString();
        a.extractedText = q.value(5).toString();
        result.append(a);
    }
    return result;
}

Result<QList<MessageImage>> ChatStore::messageImages(qint64 messageId) const
{
    Result<QList<Attachment>> all = attachments(messageId);
    if (!all)
        return all.status();
    QList<MessageImage> images;
    for (const Attachment& a : *all) {
        if (a.kind != AttachmentKind::Image)
            continue;
        const QString name = QFileInfo(a.path).fileName();
        images.append({a.contentHash, name.isEmpty() ? QStringLiteral("pasted image") : name, imagePath(a.contentHash), {}});
    }
    return images;
}

Result<int> ChatStore::removeUnusedImages()
{
    if (Status s = checkOpen(); !s)
        return s;
    QSqlQuery q(m_db);
    if (!run(q, "SELECT DISTINCT content_hash FROM attachments WHERE kind = 'image'"))
        return sqlFailure("cannot list the stored images", q.lastError());
    QSet<QString> used;
    while (q.next())
        used.insert(q.value(0).toString());
    const QDir folder(QFileInfo(m_path).absoluteDir().filePath(QStringLiteral("images")));
    int removed = 0;
    // Only names the store writes: anything else in the folder is not ours to delete.
    for (const QString& name : folder.entryList(QDir::Files)) {
        if (!imagePath(name).isEmpty() && !used.contains(name) && QFile::remove(folder.filePath(name)))
            ++removed;
    }
    return removed;
}

}  // namespace vela::app
