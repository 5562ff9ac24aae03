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

SamplingParams samplingFrom(const ConversationSettings& s)
{
    SamplingParams p;
    p.temperature = static_cast<float>(s.temperature);
    p.topK = s.topK;
    p.topP = static_cast<float>(s.topP);
    p.minP = static_cast<float>(s.minP);
    p.repeatPenalty = static_cast<float>(s.repeatPenalty);
    if (s.seed >= 0)
        p.seed = static_cast<uint64_t>(s.seed);
    return p;
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
    return m_conversationId != 0 ? m_settings : m_defaults;
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
    reportStore(m_store.deleteConversation(id));
    if (id == m_conversationId)
        newConversation();
    emit conversationsChanged();
}

qint64 ChatController::ensureConversation(const QString& firstText)
{
    if (m_conversationId != 0)
        return m_conversationId;
    m_settings = m_defaults;
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

qint64 ChatController::storeMessage(MessageRole role, const QString& text, MessageState state)
{
    Message m;
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
    }
    m_messages.append(m);
    emit messageAdded(m);
    return m.id;
}

// ---- generation ----

bool ChatController::send(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || m_generating || !m_hasModel)
        return false;
    ensureConversation(trimmed);
    storeMessage(MessageRole::User, trimmed, MessageState::Complete);
    startAnswer();
    return true;
}

bool ChatController::regenerate()
{
    if (m_generating || !m_hasModel || m_messages.isEmpty())
        return false;
    if (m_messages.back().role == MessageRole::Assistant) {
        // The old answer stays in the store as a sibling branch; the new one becomes the selected branch.
        emit messageRemoved(m_messages.back().id);
        m_messages.removeLast();
    }
    if (m_messages.isEmpty() || m_messages.back().role != MessageRole::User)
        return false;
    startAnswer();
    return true;
}

void ChatController::startAnswer()
{
    const ConversationSettings settings = currentSettings();
    GenerationRequest request;
    request.requestId = ++m_requestId;
    request.prompt = buildPrompt();
    request.sampling = samplingFrom(settings);
    // No limit set: until the end of text or a full context.
    request.maxTokens = settings.maxTokens > 0 ? settings.maxTokens : std::max<int>(m_model.context, 1);
    request.ignoreEndOfGeneration = m_ignoreEndOfGeneration;
    // Empty but not null: Qt SQL binds a null QString as NULL, which the content column refuses.
    storeMessage(MessageRole::Assistant, QStringLiteral(""), MessageState::Partial);
    m_generating = true;
    emit generationStarted();
    m_inference->generate(request);
}

QString ChatController::buildPrompt()
{
    QString error;
    m_lastPrompt = m_prompt.build(currentSettings().systemPrompt, m_messages, &error);
    if (!error.isEmpty())
        emit promptWarning(tr("The model's chat template failed (%1); the chat is sent as plain text.").arg(error));
    return m_lastPrompt;
}

void ChatController::stop()
{
    if (m_generating)
        m_inference->requestStop();
}

void ChatController::onToken(const QString& text)
{
    if (!m_generating || m_messages.isEmpty())
        return;
    Message& answer = m_messages.back();
    answer.content += text;
    // Saved as it streams, so a crash loses at most one batch.
    if (m_store.isOpen() && answer.id > 0)
        reportStore(m_store.appendToMessage(answer.id, text));
    emit assistantText(answer.id, text);
}

void ChatController::onFinished(const GenerationStats& stats)
{
    if (!m_generating || stats.requestId != m_requestId)
        return;
    m_generating = false;
    Message& answer = m_messages.back();
    answer.state = stats.stopReason == StopReason::Cancelled ? MessageState::Stopped : MessageState::Complete;
    answer.metadata = QJsonObject{{"tokens_per_second", stats.tokensPerSecond},
                                  {"generated_tokens", stats.generatedTokens},
                                  {"stop_reason", stopReasonName(stats.stopReason)},
                                  {"model", m_model.name}};
    if (m_store.isOpen() && answer.id > 0) {
        reportStore(m_store.setMessageState(answer.id, answer.state));
        reportStore(m_store.setMessageMetadata(answer.id, answer.metadata));
    }
    emit generationFinished(stats);
    emit conversationsChanged();  // its "updated" time moved it to the top
}

void ChatController::onFailed(const QString& message)
{
    if (!m_generating)
        return;
    m_generating = false;
    Message& answer = m_messages.back();
    answer.state = MessageState::Failed;
    if (m_store.isOpen() && answer.id > 0)
        reportStore(m_store.setMessageState(answer.id, MessageState::Failed));
    emit generationFailed(message);
}

}  // namespace vela::app
