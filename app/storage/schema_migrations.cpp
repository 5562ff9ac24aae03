// Schema history of chats.sqlite. Each migration is a list of statements (Qt's SQLite driver runs one per
// exec); to change the schema, append one function to kMigrations — never edit a shipped one, since files
// written by it exist on users' disks.
#include "storage/schema_migrations.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <span>

namespace vela::app::schema {
namespace {

// v1: conversations with their settings, and messages as a tree (parent_id NULL for a first message).
QStringList migrationV1()
{
    return {
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version (version) VALUES (0)",
        "CREATE TABLE conversations ("
        " id INTEGER PRIMARY KEY,"
        " title TEXT NOT NULL,"
        " created INTEGER NOT NULL,"  // ms since the epoch, UTC
        " updated INTEGER NOT NULL,"
        " settings TEXT NOT NULL DEFAULT '{}')",
        "CREATE TABLE messages ("
        " id INTEGER PRIMARY KEY,"
        " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
        " parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,"
        " role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),"
        " content TEXT NOT NULL DEFAULT '',"
        " created INTEGER NOT NULL,"
        " state TEXT NOT NULL DEFAULT 'complete' CHECK (state IN ('complete', 'partial', 'stopped', 'failed')),"
        " metadata TEXT NOT NULL DEFAULT '{}')",
        "CREATE INDEX messages_by_parent ON messages (conversation_id, parent_id)",
    };
}

// v2: the selected branch under each message (so ‹1/2› survives a restart), attachments, soft delete (undo).
QStringList migrationV2()
{
    return {
        "ALTER TABLE conversations ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE conversations ADD COLUMN deleted_at INTEGER",
        "CREATE INDEX conversations_by_update ON conversations (deleted, updated)",
        // parent_id 0 stands for the roots: a primary key column cannot hold NULL usefully.
        "CREATE TABLE selected_branches ("
        " conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
        " parent_id INTEGER NOT NULL,"
        " child_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
        " PRIMARY KEY (conversation_id, parent_id))",
        "CREATE TABLE attachments ("
        " id INTEGER PRIMARY KEY,"
        " message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
        " kind TEXT NOT NULL CHECK (kind IN ('image', 'document')),"
        " content_hash TEXT NOT NULL DEFAULT '',"
        " path TEXT NOT NULL DEFAULT '',"
        " extracted_text TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX attachments_by_message ON attachments (message_id)",
    };
}

using Migration = QStringList (*)();
// kMigrations[i] takes a file from version i to i + 1.
constexpr Migration kMigrations[] = {migrationV1, migrationV2};

Status failure(const QString& what, const QSqlError& error)
{
    return Status::failure(QStringLiteral("%1: %2").arg(what, error.text()).toStdString());
}

Status runMigration(QSqlDatabase& db, int toVersion, const QStringList& statements)
{
    if (!db.transaction())
        return failure(QStringLiteral("cannot start migrating the chat database to version %1").arg(toVersion),
                       db.lastError());
    QSqlQuery query(db);
    for (const QString& sql : statements) {
        if (!query.exec(sql)) {
            const QSqlError error = query.lastError();
            db.rollback();
            return failure(QStringLiteral("migrating the chat database to version %1 failed").arg(toVersion), error);
        }
    }
    query.prepare("UPDATE schema_version SET version = ?");
    query.addBindValue(toVersion);
    if (!query.exec() || !db.commit()) {
        const QSqlError error = query.lastError().isValid() ? query.lastError() : db.lastError();
        db.rollback();
        return failure(QStringLiteral("cannot record chat database version %1").arg(toVersion), error);
    }
    return Status::success();
}

}  // namespace

int currentVersion()
{
    return static_cast<int>(std::size(kMigrations));
}

Result<int> readVersion(const QSqlDatabase& db)
{
    // Reading sqlite_master is the first real read of the file: a file that is not SQLite fails here.
    QSqlQuery query(db);
    if (!query.exec("SELECT name FROM sqlite_master WHERE type = 'table'"))
        return failure(QStringLiteral("cannot read the chat database"), query.lastError());
    bool hasTables = false;
    bool hasVersion = false;
    while (query.next()) {
        hasTables = true;
        hasVersion = hasVersion || query.value(0).toString() == QLatin1String("schema_version");
    }
    if (!hasTables)
        return 0;
    if (!hasVersion)
        return Status::failure("the file is a SQLite database but not a Vela chat database (no schema_version table)");
    if (!query.exec("SELECT version FROM schema_version") || !query.next())
        return failure(QStringLiteral("cannot read the chat database's schema version"), query.lastError());
    bool ok = false;
    const int version = query.value(0).toInt(&ok);
    if (!ok || version < 0)
        return Status::failure("the chat database's schema version is not a valid number");
    return version;
}

Status migrate(QSqlDatabase& db, int fromVersion)
{
    const std::span<const Migration> all(kMigrations);
    for (int version = fromVersion; version < currentVersion(); ++version) {
        if (Status s = runMigration(db, version + 1, all[version]()); !s)
            return s;
    }
    return Status::success();
}

}  // namespace vela::app::schema
