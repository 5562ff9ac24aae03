#include "chat/chat_controller.h"

#include "library/model_library.h"
#include "library/model_preferences.h"

#include <QDateTime>

#include <algorithm>

namespace vela::app {

namespace {

constexpr int kTitleLength = 48;

QString titleFrom(const QString& text)
{
    QString title = text.simplified();
    if (title.size() > kTitleLength)
        title = title.left(kTitleLength - 1).trimmed() + QChar(0x2026);
    return title.isEmpty() ? ChatController::tr("New chat") : title;
}


}  // namespace

ChatController::ChatController(QObject* parent)
    : QObject(parent), m_inference(std::make_unique<InferenceThread>())
{
    m_settings = m_defaults;
    connectWorker();
}

ChatController::~ChatController()
{
    // The worker thread is joined first (its last signals are dropped with it), then the store closes.
    m_inference.reset();
}

void ChatController::connectWorker()
{
    InferenceWorker* worker = m_inference->worker();
    connect(worker, &InferenceWorker::loadProgress, this, &ChatController::loadProgress);
    connect(worker, &InferenceWorker::modelReady, this, &ChatController::onModelReady);
    connect(worker, &InferenceWorker::loadFailed, this, &ChatController::onLoadFailed);
    connect(worker, &InferenceWorker::token, this, &ChatController::onToken);
    connect(worker, &InferenceWorker::finished, this, &ChatController::onFinished);
    connect(worker, &InferenceWorker::failed, this, &ChatController::onFailed);
    connect(worker, &InferenceWorker::modelUnloaded, this, &ChatController::onModelUnloaded);
    connectDocumentSignals();
}

Status ChatController::openStore(const QString& dir)
{
    Status status = m_store.open(dir);
    if (!status.isOk())
        return status;
    const QList<Conversation> list = conversations();
    if (!list.isEmpty())
        openConversation(list.front().id);
    emit conversationsChanged();
    return status;
}

void ChatController::reportStore(const Status& status)
{
    if (!status.isOk())
        emit storeError(QString::fromStdString(status.message()));
}

// ---- model ----

void ChatController::loadModel(const QString& path)
{
    if (m_generating)
        stop();  // the load is queued behind the generation, which now ends within a token
    m_loading = true;
    LoadRequest request;
    // The conversation's context, but no longer than the model was trained for: past that a model
    // produces noise.
    const auto wanted = static_cast<uint32_t>(std::max(0, currentSettings().contextSize));
    const ModelEntry entry = ModelLibrary::describe(path, wanted);
    request.contextLength = entry.contextLength > 0 ? std::min(wanted, entry.contextLength) : wanted;
    request.device = m_device;
    request.adapters = ModelPreferences().adapters(path);
    request.projector = projectorFor(path);
    m_inference->loadModel(path, request);
}

void ChatController::cancelLoad()
{
    if (m_loading)
        m_inference->requestStop();
}

void ChatController::onModelReady(const ModelSummary& summary)
{
    m_loading = false;
    m_hasModel = true;
    m_model = summary;
    ModelPreferences preferences;
    preferences.addRecentModel(summary.path);
    if (!summary.adapterProblems.isEmpty())
        preferences.setAdapters(summary.path, summary.adapters);
    checkProjector(summary);
    m_prompt = PromptBuilder::forModel(summary.path, preferences.templateOverride(summary.path));
    if (!m_prompt.problem().isEmpty())
        emit promptWarning(tr("Prompt format: %1").arg(m_prompt.description()));
    emit modelReady(summary);
    emit promptFormatChanged(m_prompt.description());
}

uint32_t ChatController::requestedContext() const
{
    return static_cast<uint32_t>(std::max(0, currentSettings().contextSize));
}

void ChatController::applyTemplateOverride(const QString& source)
{
    if (!m_hasModel)
        return;
    ModelPreferences().setTemplateOverride(m_model.path, source);
    m_prompt = PromptBuilder::forModel(m_model.path, source);
    emit promptFormatChanged(m_prompt.description());
}

void ChatController::setAdapters(const QList<LoraChoice>& adapters)
{
    if (!m_hasModel)
        return;
    ModelPreferences().setAdapters(m_model.path, adapters);
    loadModel(m_model.path);
}

void ChatController::onLoadFailed(const QString& message)
{
    m_loading = false;
    // The worker frees the old model before loading the new one.
    m_hasModel = false;
    m_model = {};
    m_prompt = {};
    emit loadFailed(message);
    emit promptFormatChanged(m_prompt.description());
}

// ---- conversations ----

QList<Conversation> ChatController::conversations() const
{
    if (!m_store.isOpen())
        return {};
    Result<QList<Conversation>> list = m_store.listConversations();
    return list.isOk() ? list.value() : QList<Conversation>{};
}

ConversationSettings ChatController::currentSettings() const
{
    return m_settings;
}

void ChatController::openConversation(qint64 id)
{
    if (m_generating || !m_store.isOpen())
        return;
    Result<Conversation> conversation = m_store.conversation(id);
    Result<QList<Message>> path = m_store.activePath(id);
    if (!conversation.isOk() || !path.isOk()) {
        reportStore(conversation.isOk() ? path.status() : conversation.status());
        return;
    }
    m_conversationId = id;
    m_documents.clear();  // read again from their attachments when a question needs them
    m_settings = conversation.value().settings;
    m_messages = path.value();
    emit conversationOpened(id);
}

void ChatController::newConversation()
{
    if (m_generating)
        return;
    m_conversationId = 0;
    m_settings = m_defaults;
    m_messages.clear();
    emit conversationOpened(0);
}

void ChatController::deleteConversation(qint64 id)
{
    if (!m_store.isOpen() || (m_generating && id == m_conversationId))
        return;
    const Result<Conversation> deleting = m_store.conversation(id);
    const Status deleted = m_store.deleteConversation(id);
    reportStore(deleted);
    if (id == m_conversationId)
        newConversation();
    emit conversationsChanged();
    if (deleted.isOk())
        emit conversationDeleted(id, deleting.isOk() ? deleting.value().title : QString());
}

qint64 ChatController::ensureConversation(const QString& firstText)
{
    if (m_conversationId != 0)
        return m_conversationId;
    if (!m_store.isOpen()) {
        m_conversationId = m_nextLocalId--;
        return m_conversationId;
    }
    Result<qint64> id = m_store.createConversation(titleFrom(firstText), m_settings);
    if (!id.isOk()) {
        reportStore(id.status());
        m_conversationId = m_nextLocalId--;
        return m_conversationId;
    }
    m_conversationId = id.value();
    emit conversationsChanged();
    return m_conversationId;
}

qint64 ChatController::storeMessage(MessageRole role, const QString& text, MessageState state,
                                    const QList<MessageImage>& images, const QJsonObject& metadata)
{
    Message m;
    m.images = images;
    m.metadata = metadata;
    m.conversationId = m_conversationId;
    m.parentId = m_messages.isEmpty() ? 0 : m_messages.back().id;
    m.role = role;
    m.content = text;
    m.state = state;
    m.created = QDateTime::currentDateTimeUtc();
    m.id = m_nextLocalId--;
    if (m_store.isOpen() && m_conversationId > 0) {
        Result<qint64> id = m_store.addMessage(m_conversationId, m.parentId, role, text, state);
        if (id.isOk())
            m.id = id.value();
        else
            reportStore(id.status());
        if (id.isOk())
            saveImageAttachments(m.id, images);
        if (id.isOk() && !metadata.isEmpty())
            reportStore(m_store.setMessageMetadata(m.id, metadata));
    }
    m_messages.append(m);
    emit messageAdded(m);
    return m.id;
}

// ---- conversation actions ----

void ChatController::setDefaultSettings(const ConversationSettings& settings)
{
    m_defaults = settings;
    if (m_conversationId == 0)
        m_settings = settings;
}

Status ChatController::renameConversation(qint64 id, const QString& title)
{
    const QString trimmed = title.simplified();
    if (trimmed.isEmpty())
        return Status::failure(tr("A conversation needs a title.").toStdString());
    if (!m_store.isOpen())
        return Status::failure(tr("Chats are not being saved, so they cannot be renamed.").toStdString());
    const Status renamed = m_store.renameConversation(id, trimmed);
    emit conversationsChanged();
    return renamed;
}

Status ChatController::restoreConversation(qint64 id)
{
    if (!m_store.isOpen())
        return Status::failure(tr("Chats are not being saved.").toStdString());
    const Status restored = m_store.restoreConversation(id);
    if (!restored.isOk())
        return restored;
    emit conversationsChanged();
    openConversation(id);
    return restored;
}

Result<int> ChatController::purgeDeleted(const QDateTime& deletedBefore)
{
    if (!m_store.isOpen())
        return 0;
    return m_store.purgeDeleted(deletedBefore);
}

QList<Conversation> ChatController::searchConversations(const QString& text) const
{
    if (!m_store.isOpen())
        return {};
    Result<QList<Conversation>> found = m_store.searchConversations(text.trimmed());
    return found.isOk() ? found.value() : QList<Conversation>{};
}

QString ChatController::currentTitle() const
{
    if (m_conversationId <= 0 || !m_store.isOpen())
        return {};
    Result<Conversation> conversation = m_store.conversation(m_conversationId);
    return conversation.isOk() ? conversation.value().title : QString();
}

Result<QString> ChatController::exportMarkdown() const
{
    if (m_conversationId <= 0 || !m_store.isOpen())
        return Status::failure(tr("Nothing to export: this chat is not saved yet.").toStdString());
    return m_store.exportMarkdown(m_conversationId);
}

Result<QByteArray> ChatController::exportJson() const
{
    if (m_conversationId <= 0 || !m_store.isOpen())
        return Status::failure(tr("Nothing to export: this chat is not saved yet.").toStdString());
    return m_store.exportJson(m_conversationId);
}

Result<qint64> ChatController::importConversation(const QByteArray& json)
{
    if (m_generating)
        return Status::failure(tr("Wait for the answer to finish (or stop it) before importing.").toStdString());
    if (!m_store.isOpen())
        return Status::failure(tr("Chats are not being saved, so nothing can be imported.").toStdString());
    Result<qint64> id = m_store.importJson(json);
    if (!id.isOk())
        return id;
    emit conversationsChanged();
    openConversation(id.value());
    return id;
}

Status ChatController::setConversationSettings(const ConversationSettings& settings)
{
    m_settings = settings;
    if (m_conversationId > 0 && m_store.isOpen())
        return m_store.setConversationSettings(m_conversationId, settings);
    return Status::success();
}

}  // namespace vela::app
