// ChatController's generation half: sending, regenerating, editing, Reflect, branches, and what comes back
// from the worker. Every prompt goes through fitToContext, so a conversation longer than the context loses
// its oldest turns from the prompt (and the user is told), never the newest.
#include "chat/chat_controller.h"

#include "chat/context_fit.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>

namespace vela::app {
namespace {

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

Message turn(MessageRole role, const QString& text)
{
    Message m;
    m.role = role;
    m.content = text;
    return m;
}

// Reflect's two requests, after the answer (Reflexion's self-reflection, then the retry).
QString critiqueRequest()
{
    return ChatController::tr("Review your previous answer critically. List its factual errors, gaps and unclear "
                              "parts, briefly. Do not rewrite the answer yet.");
}

QString revisionRequest()
{
    return ChatController::tr("Now answer my original question again, fixing every problem you found. Reply with "
                              "the improved answer only.");
}

}  // namespace

// ---- sending ----

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

bool ChatController::regenerate(qint64 assistantId)
{
    if (m_generating || !m_hasModel || m_messages.isEmpty())
        return false;
    qsizetype answer = assistantId != 0 ? indexOf(assistantId) : m_messages.size() - 1;
    if (answer < 0)
        return false;
    if (m_messages[answer].role == MessageRole::User)
        ++answer;  // "regenerate" on an unanswered question answers it
    else if (m_messages[answer].role != MessageRole::Assistant)
        return false;
    // A summary is made again from its document (the summary panel), not as a chat answer to its request.
    if (answer == 0 || m_messages[answer - 1].role != MessageRole::User || isDocumentRequest(m_messages[answer - 1]))
        return false;
    // The old answer (and what followed it) stays in the store as a sibling branch; the new answer becomes
    // the selected one.
    const qsizetype removing = m_messages.size() - answer;
    const qint64 last = m_messages.back().id;
    m_messages.resize(answer);
    if (removing == 1)
        emit messageRemoved(last);
    else if (removing > 1)
        emit conversationOpened(m_conversationId);  // the view shows the shorter path
    startAnswer();
    return true;
}

bool ChatController::editAndResend(qint64 userMessageId, const QString& text)
{
    const QString trimmed = text.trimmed();
    const qsizetype index = indexOf(userMessageId);
    if (m_generating || !m_hasModel || trimmed.isEmpty() || index < 0 || m_messages[index].role != MessageRole::User ||
        isDocumentRequest(m_messages[index]))
        return false;
    // The new version shares the old one's parent: a sibling, selected, with the old branch kept (and the
    // old version's images).
    const QList<MessageImage> images = m_messages[index].images;
    m_messages.resize(index);
    emit conversationOpened(m_conversationId);
    storeMessage(MessageRole::User, trimmed, MessageState::Complete, images);
    startAnswer();
    return true;
}

bool ChatController::reflect(qint64 assistantId)
{
    const qsizetype index = indexOf(assistantId);
    if (m_generating || !m_hasModel || index < 1 || m_messages[index].role != MessageRole::Assistant ||
        m_messages[index - 1].role != MessageRole::User || m_messages[index].content.isEmpty() ||
        isDocumentRequest(m_messages[index - 1]))
        return false;
    m_reflectBase = m_messages.mid(0, index + 1);
    m_critique.clear();
    m_messages.resize(index);
    emit conversationOpened(m_conversationId);
    storeMessage(MessageRole::Assistant, QStringLiteral(""), MessageState::Partial);
    Message& revised = m_messages.back();
    revised.metadata = QJsonObject{{"reflection_of", assistantId}, {"critique", QString()}};
    m_phase = Phase::Critique;
    runGeneration(m_reflectBase + QList<Message>{turn(MessageRole::User, critiqueRequest())});
    return true;
}

void ChatController::startAnswer()
{
    // A question about the conversation's document carries its most relevant passages (chat_documents.cpp); the
    // answer names them from the start.
    QStringList sources;
    const QList<Message> prompt = withDocumentPassages(m_messages, &sources);
    QJsonObject metadata;
    if (!sources.isEmpty())
        metadata.insert(QStringLiteral("sources"), QJsonArray::fromStringList(sources));
    // Empty but not null: Qt SQL binds a null QString as NULL, which the content column refuses.
    storeMessage(MessageRole::Assistant, QStringLiteral(""), MessageState::Partial, {}, metadata);
    m_phase = Phase::Answer;
    runGeneration(prompt);
}

void ChatController::runGeneration(const QList<Message>& promptMessages)
{
    const ConversationSettings settings = currentSettings();
    const int context = std::max<int>(static_cast<int>(m_model.context), 1);
    ContextFit fit;
    if (m_model.tokenizer) {
        const std::shared_ptr<const Tokenizer> tokenizer = m_model.tokenizer;
        fit = fitToContext(
            promptMessages, {context, answerReserve(context, settings.maxTokens)},
            [this](const QList<Message>& kept) { return buildPrompt(withImageMarkers(kept)); },
            [this, tokenizer](const QString& text) { return countPromptTokens(*tokenizer, text); });
    } else {
        fit.kept = promptMessages;
        fit.prompt = buildPrompt(withImageMarkers(promptMessages));  // the worker tokenizes, and refuses what does not fit
    }
    if (!fit.error.isEmpty()) {
        m_generating = true;  // failAnswer finishes the answer that was just added
        failAnswer(fit.error);
        return;
    }
    if (fit.dropped > 0)
        emit contextTrimmed(fit.dropped, tr("This conversation is longer than the model's context (%1 tokens): "
                                            "the oldest %n message(s) were left out of this answer.", nullptr,
                                            fit.dropped)
                                             .arg(context));
    m_lastPrompt = fit.prompt;
    GenerationRequest request;
    request.requestId = ++m_requestId;
    request.prompt = fit.prompt;
    request.tokens = std::move(fit.tokens);
    request.sampling = samplingFrom(settings);
    // No limit set: until the end of text or a full context.
    request.maxTokens = settings.maxTokens > 0 ? settings.maxTokens : context;
    request.ignoreEndOfGeneration = m_ignoreEndOfGeneration;
    if (const QString problem = attachPromptImages(request, fit.kept, promptMessages); !problem.isEmpty()) {
        m_generating = true;
        failAnswer(problem);
        return;
    }
    m_generating = true;
    emit generationStarted();
    m_inference->generate(request);
}

QString ChatController::buildPrompt(const QList<Message>& messages)
{
    QString error;
    QString prompt = m_prompt.build(currentSettings().systemPrompt, messages, &error);
    if (!error.isEmpty())
        emit promptWarning(tr("The model's chat template failed (%1); the chat is sent as plain text.").arg(error));
    return prompt;
}

void ChatController::stop()
{
    if (m_generating)
        m_inference->requestStop();
}

// ---- branches ----

qsizetype ChatController::indexOf(qint64 id) const
{
    for (qsizetype i = 0; i < m_messages.size(); ++i) {
        if (m_messages[i].id == id)
            return i;
    }
    return -1;
}

const Message* ChatController::findMessage(qint64 id) const
{
    const qsizetype i = indexOf(id);
    return i < 0 ? nullptr : &m_messages[i];
}

BranchPosition ChatController::branchPosition(qint64 messageId) const
{
    const Message* message = findMessage(messageId);
    if (!message || !m_store.isOpen() || m_conversationId <= 0 || messageId <= 0)
        return {};
    Result<QList<Message>> siblings = m_store.children(m_conversationId, message->parentId);
    if (!siblings.isOk())
        return {};
    const QList<Message>& list = siblings.value();
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (list[i].id == messageId)
            return {static_cast<int>(i) + 1, static_cast<int>(list.size())};
    }
    return {};
}

bool ChatController::switchBranch(qint64 messageId, int step)
{
    const Message* message = findMessage(messageId);
    if (m_generating || !message || !m_store.isOpen() || m_conversationId <= 0)
        return false;
    Result<QList<Message>> siblings = m_store.children(m_conversationId, message->parentId);
    if (!siblings.isOk()) {
        reportStore(siblings.status());
        return false;
    }
    const QList<Message>& list = siblings.value();
    qsizetype at = -1;
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (list[i].id == messageId)
            at = i;
    }
    const qsizetype target = at + step;
    if (at < 0 || target < 0 || target >= list.size())
        return false;
    if (Status s = m_store.selectBranch(list[target].id); !s.isOk()) {
        reportStore(s);
        return false;
    }
    return reloadActivePath();
}

bool ChatController::reloadActivePath()
{
    Result<QList<Message>> path = m_store.activePath(m_conversationId);
    if (!path.isOk()) {
        reportStore(path.status());
        return false;
    }
    m_messages = path.value();
    emit conversationOpened(m_conversationId);
    return true;
}

// ---- from the worker ----

void ChatController::onToken(const QString& text)
{
    if (!m_generating || m_messages.isEmpty())
        return;
    Message& answer = m_messages.back();
    if (m_phase == Phase::Critique) {
        m_critique += text;
        emit critiqueText(answer.id, text);
        return;
    }
    answer.content += text;
    // Saved as it streams, so a crash loses at most one batch.
    if (m_store.isOpen() && answer.id > 0)
        reportStore(m_store.appendToMessage(answer.id, text));
    emit assistantText(answer.id, text);
}

void ChatController::finishCritique()
{
    Message& revised = m_messages.back();
    revised.metadata.insert(QStringLiteral("critique"), m_critique.trimmed());
    if (m_store.isOpen() && revised.id > 0)
        reportStore(m_store.setMessageMetadata(revised.id, revised.metadata));
    m_phase = Phase::Revision;
    runGeneration(m_reflectBase + QList<Message>{turn(MessageRole::User, critiqueRequest()),
                                                 turn(MessageRole::Assistant, m_critique.trimmed()),
                                                 turn(MessageRole::User, revisionRequest())});
}

void ChatController::onFinished(const GenerationStats& stats)
{
    if (!m_generating || stats.requestId != m_requestId)
        return;
    m_generating = false;
    if (m_phase == Phase::Critique && stats.stopReason != StopReason::Cancelled) {
        finishCritique();
        return;
    }
    Message& answer = m_messages.back();
    answer.state = stats.stopReason == StopReason::Cancelled ? MessageState::Stopped : MessageState::Complete;
    QJsonObject metadata = answer.metadata;  // keeps Reflect's critique
    metadata.insert(QStringLiteral("tokens_per_second"), stats.tokensPerSecond);
    metadata.insert(QStringLiteral("generated_tokens"), stats.generatedTokens);
    metadata.insert(QStringLiteral("stop_reason"), stopReasonName(stats.stopReason));
    metadata.insert(QStringLiteral("model"), m_model.name);
    if (m_phase == Phase::Critique)
        metadata.insert(QStringLiteral("critique"), m_critique.trimmed());
    answer.metadata = metadata;
    if (m_store.isOpen() && answer.id > 0) {
        reportStore(m_store.setMessageState(answer.id, answer.state));
        reportStore(m_store.setMessageMetadata(answer.id, answer.metadata));
    }
    m_phase = Phase::Answer;
    emit generationFinished(stats);
    emit conversationsChanged();  // its "updated" time moved it to the top
}

void ChatController::failAnswer(const QString& message)
{
    if (!m_generating || m_messages.isEmpty())
        return;
    m_generating = false;
    m_phase = Phase::Answer;
    Message& answer = m_messages.back();
    answer.state = MessageState::Failed;
    if (m_store.isOpen() && answer.id > 0)
        reportStore(m_store.setMessageState(answer.id, MessageState::Failed));
    emit generationFailed(message);
    if (m_modelLost) {
        m_modelLost = false;
        emit modelLost(message);
    }
}

void ChatController::onFailed(const QString& message)
{
    failAnswer(message);
}

void ChatController::onModelUnloaded()
{
    // Loading a model unloads the old one first: only an unload during a generation is a loss.
    if (m_loading || !m_generating)
        return;
    m_hasModel = false;
    m_modelLost = true;
}

}  // namespace vela::app
