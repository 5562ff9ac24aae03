// The chat database (DESIGN.md §7): conversations, messages as a tree (edits and regenerations are siblings),
// the selected branch under each message, attachments and per-conversation settings, in one SQLite file.
// A partial answer is saved as it streams (one UPDATE per appended batch, WAL mode), so a crash loses only
// what the caller had not yet appended.
//
// Errors come back as vela::Status / vela::Result with a message a user can act on; nothing asserts or
// throws. One ChatStore is used from the thread that opened it (Qt SQL connections are per thread).
#pragma once

#include "vela/status.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

class QSqlQuery;

namespace vela::app {

enum class MessageRole { System, User, Assistant };
// Partial: still streaming (or the app died while it was); Stopped: the user stopped it; Failed: an error.
enum class MessageState { Complete, Partial, Stopped, Failed };
enum class AttachmentKind { Image, Document };

QString roleName(MessageRole role);
std::optional<MessageRole> roleFromName(const QString& name);
QString stateName(MessageState state);
std::optional<MessageState> stateFromName(const QString& name);

// What the sampler and the model loader need to resume a conversation; stored as JSON.
struct ConversationSettings {
    QString systemPrompt;
    double temperature = 0.8;
    int topK = 40;
    double topP = 0.95;
    double minP = 0.05;
    double repeatPenalty = 1.1;
    qint64 seed = -1;     // -1: a random seed per generation
    int maxTokens = -1;   // -1: until end of text or the context is full
    int contextSize = 4096;
    QString modelPath;

    QJsonObject toJson() const;
    static ConversationSettings fromJson(const QJsonObject& json);  // missing keys keep their defaults
    bool operator==(const ConversationSettings&) const = default;
};

struct Conversation {
    qint64 id = 0;
    QString title;
    QDateTime created;
    QDateTime updated;
    ConversationSettings settings;
};

// An image shown with a message (an image attachment): stored once per content beside the database.
struct MessageImage {
    QString hash;      // SHA-256 of the file, hex: its name in the store's images/ folder; "" when not stored
    QString name;      // what it is called in messages: the file name it came from, or "pasted image"
    QString path;      // where its bytes are: the store's images/<hash>, or (not stored) the original file
    QByteArray bytes;  // a chat kept in memory only: the file itself
};

struct Message {
    qint64 id = 0;
    qint64 conversationId = 0;
    qint64 parentId = 0;  // 0: a first message (the tree's roots)
    MessageRole role = MessageRole::User;
    QString content;
    QDateTime created;
    MessageState state = MessageState::Complete;
    QJsonObject metadata;  // e.g. {"tokens_per_second": 31.5, "model": "…", "critique": "…"}
    QList<MessageImage> images;  // its image attachments, in order (filled by activePath)
};

struct Attachment {
    qint64 id = 0;
    qint64 messageId = 0;
    AttachmentKind kind = AttachmentKind::Image;
    QString contentHash;  // images: stored by hash next to the database
    QString path;         // documents: where the user picked it
    QString extractedText;
};

class ChatStore {
public:
    ChatStore();
    ~ChatStore();
    ChatStore(const ChatStore&) = delete;
    ChatStore& operator=(const ChatStore&) = delete;

    static constexpr const char* kFileName = "chats.sqlite";

    // Opens (creating if needed) `dir`/chats.sqlite and migrates it to the current schema. Refuses, without
    // touching the file, a database written by a newer Vela, and reports a damaged file clearly.
    Status open(const QString& dir);
    void close();
    bool isOpen() const;
    QString filePath() const { return m_path; }

    // Conversations. Deleting is soft (restoreConversation undoes it) until purgeDeleted, which also removes
    // the image files nothing refers to any more.
    Result<qint64> createConversation(const QString& title, const ConversationSettings& settings = {});
    Status renameConversation(qint64 id, const QString& title);
    Status setConversationSettings(qint64 id, const ConversationSettings& settings);
    Status deleteConversation(qint64 id);
    Status restoreConversation(qint64 id);
    // Removes for good the conversations deleted before `deletedBefore`; returns how many.
    Result<int> purgeDeleted(const QDateTime& deletedBefore);
    Result<Conversation> conversation(qint64 id) const;
    // Not deleted, most recently updated first.
    Result<QList<Conversation>> listConversations() const;
    // Conversations whose title or any message contains `text` (case-insensitive for ASCII), newest first.
    Result<QList<Conversation>> searchConversations(const QString& text) const;

    // Messages. A new message becomes the selected branch under its parent.
    Result<qint64> addMessage(qint64 conversationId, qint64 parentId, MessageRole role, const QString& content,
                              MessageState state = MessageState::Complete);
    // Streaming: one UPDATE that appends `text` (and nothing else: `updated` moves with setMessageState);
    // call it once per batch of tokens.
    Status appendToMessage(qint64 id, const QString& text);
    Status setMessageContent(qint64 id, const QString& content);
    Status setMessageState(qint64 id, MessageState state);
    Status setMessageMetadata(qint64 id, const QJsonObject& metadata);
    Result<Message> message(qint64 id) const;

    // Branches: the children of `parentId` (0: the first messages) in creation order, which one is selected,
    // and the path from the root that follows the selected child at every step (the newest child where
    // none was chosen).
    Result<QList<Message>> children(qint64 conversationId, qint64 parentId) const;
    Status selectBranch(qint64 childId);
    Result<qint64> selectedChild(qint64 conversationId, qint64 parentId) const;
    Result<QList<Message>> activePath(qint64 conversationId) const;
    // Every message of the conversation, parents before children.
    Result<QList<Message>> allMessages(qint64 conversationId) const;

    // Images live once per content beside the database, in images/<sha-256 hex>; storeImage returns the hash
    // for Attachment::contentHash. imagePath is empty for anything but a plain hash (imported files are untrusted).
    Result<QString> storeImage(const QByteArray& bytes);
    QString imagePath(const QString& contentHash) const;

    Result<qint64> addAttachment(const Attachment& attachment);
    Result<QList<Attachment>> attachments(qint64 messageId) const;
    // A message's image attachments as MessageImage (name from the attachment's path, else "pasted image").
    Result<QList<MessageImage>> messageImages(qint64 messageId) const;
    // Deletes the files in images/ that no attachment refers to any more (a purged conversation's, or one
    // saved for a message that then failed to be stored); an image two conversations share stays until
    // both are gone. Called by purgeDeleted; returns how many files went.
    Result<int> removeUnusedImages();

    // Export / import (conversation_export.cpp). JSON holds the whole tree with "format": "vela-conversation-v1";
    // importing it and exporting again gives the same bytes. Markdown shows the active path.
    Result<QString> exportMarkdown(qint64 conversationId) const;
    Result<QByteArray> exportJson(qint64 conversationId) const;
    Result<qint64> importJson(const QByteArray& json);

    // Schema (schema_migrations.cpp).
    static int currentSchemaVersion();
    Result<int> schemaVersion() const;

private:
    Status checkOpen() const;
    Status exec(const QString& sql) const;
    Status requireConversation(qint64 id) const;
    Status importInTransaction(const QJsonObject& root, qint64* newId);

    QString m_connectionName;
    QString m_path;
    QSqlDatabase m_db;
    std::unique_ptr<QSqlQuery> m_appendQuery;  // prepared once: streaming appends are the hot path
};

}  // namespace vela::app
