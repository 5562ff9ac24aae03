// ChatController's documents: reading a dropped document and planning its summary on the worker, running the
// plan into a pair of messages (the request with the document attached, and the answer that shows the partial
// summaries as they finish and ends as the summary), stopping and resuming it, and — once a conversation holds
// a document — answering questions from the passages most relevant to them.
#include "chat/chat_controller.h"

#include "documents/document_passages.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace vela::app {
namespace {

// The share of the context a question's passages may take: the rest is the conversation and the answer.
constexpr double kPassageShare = 0.4;

QString requestText(const SummaryJob& job)
{
    const SummaryOptions& o = job.options;
    QStringList details{summaryLengthName(o.length)};
    if (!o.focus.trimmed().isEmpty())
        details << ChatController::tr("focus: %1").arg(o.focus.trimmed());
    if (!o.language.trimmed().isEmpty())
        details << ChatController::tr("in %1").arg(o.language.trimmed());
    return ChatController::tr("Summarize “%1” (%2; %3)")
        .arg(job.document.title, QFileInfo(job.path).fileName(), details.join(QStringLiteral(", ")));
}

// How a finished step reads in the answer while the summary is being written.
QString partialEntry(const PartialSummary& p, const SummaryPlan& plan)
{
    const QString which = p.pass == SummaryPass::Reduce
                              ? ChatController::tr("Combined %1 of %2").arg(p.number).arg(plan.reduceCount())
                              : ChatController::tr("Part %1 of %2").arg(p.number).arg(std::max(plan.mapCount(), 1));
    return QStringLiteral("**%1 (%2)** %3\n\n").arg(which, p.source.citation(), p.text);
}

}  // namespace

void ChatController::connectDocumentSignals()
{
    InferenceWorker* worker = m_inference->worker();
    connect(worker, &InferenceWorker::documentReadProgress, this, &ChatController::onDocumentReadProgress);
    connect(worker, &InferenceWorker::documentRead, this, &ChatController::onDocumentRead);
    connect(worker, &InferenceWorker::summaryPlanned, this, &ChatController::onSummaryPlanned);
    connect(worker, &InferenceWorker::documentFailed, this, &ChatController::onDocumentFailed);
    connect(worker, &InferenceWorker::summaryProgress, this, &ChatController::onSummaryProgress);
    connect(worker, &InferenceWorker::summaryPartial, this, &ChatController::onSummaryPartial);
    connect(worker, &InferenceWorker::summaryEnded, this, &ChatController::onSummaryEnded);
}

// Stops what the worker does for the job. A reading or planning queued behind a chat answer is left to run (a
// stop would end the answer instead); whatever it says is ignored, the request id having moved on.
void ChatController::stopJobWork()
{
    if (isSummarizing() || (m_summaryJob && m_summaryJob->isBusy() && !m_generating))
        m_inference->requestStop();
}

bool ChatController::isDocumentRequest(const Message& message)
{
    return message.role == MessageRole::User && message.metadata.contains(QStringLiteral("document"));
}

void ChatController::setJobStage(SummaryJob::Stage stage)
{
    m_summaryJob->stage = stage;
    emit summaryJobChanged();
}

bool ChatController::openDocument(const QString& path)
{
    if (isSummarizing())
        return false;
    stopJobWork();  // the reading or planning it replaces; its answer is ignored
    m_summaryJob = std::make_unique<SummaryJob>();
    m_summaryJob->path = path;
    m_summaryJob->options = m_summaryOptions;
    ++m_documentRequest;
    if (!m_hasModel) {
        m_summaryJob->stage = SummaryJob::Stage::Failed;
        m_summaryJob->error = tr("Load a model first: “%1” is summarized by the loaded model, whose tokenizer and "
                                 "context decide how the document is split.")
                                  .arg(QFileInfo(path).fileName());
        emit summaryJobChanged();
        emit documentFailed(m_summaryJob->error);
        return false;
    }
    m_inference->readDocument(m_documentRequest, path);
    setJobStage(SummaryJob::Stage::Reading);
    return true;
}

bool ChatController::setSummaryOptions(const SummaryOptions& options)
{
    m_summaryOptions = options;
    if (!m_summaryJob || m_summaryJob->stage == SummaryJob::Stage::Running ||
        m_summaryJob->stage == SummaryJob::Stage::Reading || m_summaryJob->stage == SummaryJob::Stage::Failed)
        return false;
    m_summaryJob->options = options;
    // Other instructions make other partial summaries: a stopped run's are left in its message, and the next
    // start writes a new one.
    m_summaryJob->partials.clear();
    m_summaryJob->questionMessageId = m_summaryJob->answerMessageId = m_summaryJob->conversationId = 0;
    m_summaryJob->error.clear();
    requestPlan();
    return true;
}

void ChatController::requestPlan()
{
    if (!m_hasModel) {
        onDocumentFailed(m_documentRequest, tr("Load a model first: the document is summarized by the loaded model."));
        return;
    }
    SummaryPlanRequest request;
    request.requestId = ++m_documentRequest;
    request.document = m_summaryJob->document;
    request.options = m_summaryJob->options;
    request.format = m_prompt;
    m_summaryJob->modelPath = m_model.path;
    m_inference->planSummary(request);
    setJobStage(SummaryJob::Stage::Planning);
}

void ChatController::closeDocument()
{
    if (!m_summaryJob)
        return;
    stopJobWork();
    ++m_documentRequest;  // whatever the worker still says about it is ignored
    if (isSummarizing())
        return;  // onSummaryEnded finishes the messages, then forgets the job (its request id is stale)
    m_summaryJob.reset();
    emit summaryJobChanged();
}

bool ChatController::startSummary()
{
    if (!m_summaryJob || !m_summaryJob->canStart() || m_generating || !m_hasModel)
        return false;
    SummaryJob& job = *m_summaryJob;
    // The plan is the loaded model's: another model (or context) splits the document differently.
    if (job.modelPath != m_model.path || job.plan.contextLength > static_cast<int>(m_model.context)) {
        job.partials.clear();
        job.questionMessageId = job.answerMessageId = job.conversationId = 0;
        requestPlan();
        return true;
    }
    if (job.resumes() && job.conversationId != m_conversationId)
        openConversation(job.conversationId);
    const bool resuming = job.resumes() && !m_messages.isEmpty() && m_messages.back().id == job.answerMessageId;
    if (!resuming) {
        job.partials.clear();
        const QString request = requestText(job);
        ensureConversation(request);
        job.conversationId = m_conversationId;
        job.questionMessageId = storeMessage(MessageRole::User, request, MessageState::Complete, {},
                                             QJsonObject{{QStringLiteral("document"), job.document.title}});
        if (m_store.isOpen() && job.questionMessageId > 0) {
            Attachment attachment;
            attachment.messageId = job.questionMessageId;
            attachment.kind = AttachmentKind::Document;
            attachment.path = job.path;
            attachment.extractedText = QString::fromUtf8(documentToJson(job.document));
            reportStore(m_store.addAttachment(attachment).status());
        }
        m_documents.insert(job.questionMessageId, job.document);
        // Empty but not null: Qt SQL binds a null QString as NULL, which the content column refuses.
        job.answerMessageId = storeMessage(MessageRole::Assistant, QStringLiteral(""), MessageState::Partial, {},
                                           QJsonObject{{QStringLiteral("summary_of"), job.document.title}});
    } else {
        Message& answer = m_messages.back();
        answer.state = MessageState::Partial;
        if (m_store.isOpen() && answer.id > 0)
            reportStore(m_store.setMessageState(answer.id, MessageState::Partial));
    }
    SummaryRunRequest request;
    request.requestId = ++m_documentRequest;
    request.title = job.document.title;
    request.options = job.options;
    request.format = m_prompt;
    request.plan = job.plan;
    request.resume = job.partials;
    job.error.clear();
    m_generating = true;
    m_inference->summarize(request);
    setJobStage(SummaryJob::Stage::Running);
    emit generationStarted();
    return true;
}

// ---- from the worker ----

void ChatController::onDocumentReadProgress(quint64 requestId, double fraction)
{
    if (!m_summaryJob || requestId != m_documentRequest || m_summaryJob->stage != SummaryJob::Stage::Reading)
        return;
    m_summaryJob->readFraction = fraction;
    emit summaryJobChanged();
}

void ChatController::onDocumentRead(quint64 requestId, const ExtractedDocument& document)
{
    if (!m_summaryJob || requestId != m_documentRequest || m_summaryJob->stage != SummaryJob::Stage::Reading)
        return;
    m_summaryJob->document = document;
    m_summaryJob->readFraction = 1;
    requestPlan();
}

void ChatController::onSummaryPlanned(quint64 requestId, const SummaryPlan& plan)
{
    if (!m_summaryJob || requestId != m_documentRequest || m_summaryJob->stage != SummaryJob::Stage::Planning)
        return;
    m_summaryJob->plan = plan;
    setJobStage(SummaryJob::Stage::Ready);
}

void ChatController::onDocumentFailed(quint64 requestId, const QString& message)
{
    if (!m_summaryJob || requestId != m_documentRequest)
        return;
    m_summaryJob->error = message;
    setJobStage(SummaryJob::Stage::Failed);
    emit documentFailed(message);
}

void ChatController::onSummaryProgress(const SummaryProgressInfo& progress)
{
    if (isSummarizing() && progress.requestId == m_documentRequest)
        emit summaryProgress(progress);
}

void ChatController::onSummaryPartial(quint64 requestId, const PartialSummary& partial)
{
    if (!isSummarizing() || requestId != m_documentRequest)
        return;
    SummaryJob& job = *m_summaryJob;
    job.partials.append(partial);
    // The answer shows each partial summary as it finishes (saved as it streams, like an answer's tokens); the
    // last step's text is the summary itself, which replaces them when the run ends.
    if (partial.step + 1 < job.plan.steps.size()) {
        const qsizetype at = indexOf(job.answerMessageId);
        const QString entry = partialEntry(partial, job.plan);
        if (at >= 0) {
            m_messages[at].content += entry;
            if (m_store.isOpen() && job.answerMessageId > 0)
                reportStore(m_store.appendToMessage(job.answerMessageId, entry));
            emit assistantText(job.answerMessageId, entry);
        }
    }
    emit summaryPartial(partial);
    emit summaryJobChanged();
}

void ChatController::onSummaryEnded(quint64 requestId, const SummaryOutcome& outcome)
{
    if (!m_summaryJob || m_summaryJob->stage != SummaryJob::Stage::Running)
        return;
    // A job closed while it ran (its request id is stale) still ends here: its messages are finished all the same.
    SummaryJob& job = *m_summaryJob;
    m_generating = false;
    const qsizetype at = indexOf(job.answerMessageId);
    Message* answer = at >= 0 ? &m_messages[at] : nullptr;
    // The stats describe the last pass — what the context holds now — at the whole run's speed.
    GenerationStats stats;
    stats.requestId = m_requestId;
    if (!job.partials.isEmpty()) {
        const PartialSummary& last = job.partials.back();
        stats.promptTokens = last.promptTokens;
        stats.reusedTokens = last.reusedTokens;
        stats.generatedTokens = last.generatedTokens;
    }
    stats.generationMilliseconds = outcome.seconds * 1000;
    stats.tokensPerSecond = outcome.seconds > 0 ? outcome.generatedTokens / outcome.seconds : 0;
    if (outcome.isComplete()) {
        stats.stopReason = StopReason::EndOfGeneration;
        job.stage = SummaryJob::Stage::Finished;
        if (answer) {
            answer->content = outcome.summary;
            answer->state = MessageState::Complete;
            QJsonObject metadata = answer->metadata;
            metadata.insert(QStringLiteral("summary_of"), job.document.title);
            metadata.insert(QStringLiteral("summary_passes"), static_cast<int>(job.plan.steps.size()));
            metadata.insert(QStringLiteral("generated_tokens"), outcome.generatedTokens);
            metadata.insert(QStringLiteral("model"), m_model.name);
            answer->metadata = metadata;
        }
    } else {
        stats.stopReason = StopReason::Cancelled;
        job.stage = SummaryJob::Stage::Stopped;
        if (!outcome.status)
            job.error = QString::fromStdString(outcome.status.message());
        if (answer)
            answer->state = MessageState::Stopped;
    }
    if (answer && m_store.isOpen() && answer->id > 0) {
        reportStore(m_store.setMessageContent(answer->id, answer->content));
        reportStore(m_store.setMessageState(answer->id, answer->state));
        reportStore(m_store.setMessageMetadata(answer->id, answer->metadata));
    }
    const qint64 answerId = job.answerMessageId;
    const bool finished = job.stage == SummaryJob::Stage::Finished;
    const QString error = job.error;
    if (requestId != m_documentRequest)  // closed while it ran
        m_summaryJob.reset();
    emit summaryJobChanged();
    if (finished) {
        emit conversationOpened(m_conversationId);  // the view shows the summary in place of the partials
        emit summaryFinished(answerId);
    }
    if (!error.isEmpty())
        emit generationFailed(error);
    else
        emit generationFinished(stats);
    emit conversationsChanged();
}

// ---- follow-up questions ----

// The document a summary request carries, read from its attachment the first time it is needed.
const ExtractedDocument* ChatController::documentOf(const Message& message)
{
    if (!isDocumentRequest(message))
        return nullptr;
    if (!m_documents.contains(message.id) && m_store.isOpen() && message.id > 0) {
        const Result<QList<Attachment>> attachments = m_store.attachments(message.id);
        for (const Attachment& a : attachments.isOk() ? attachments.value() : QList<Attachment>{}) {
            if (a.kind != AttachmentKind::Document)
                continue;
            if (Result<ExtractedDocument> d = documentFromJson(a.extractedText.toUtf8()); d.isOk())
                m_documents.insert(message.id, d.value());
        }
    }
    const auto found = m_documents.constFind(message.id);
    return found != m_documents.constEnd() ? &found.value() : nullptr;
}

// The last user message of `messages` with the passages of the conversation's document most relevant to it
// before it: the model answers from them and can cite their pages. `sources` receives their citations.
QList<Message> ChatController::withDocumentPassages(const QList<Message>& messages, QStringList* sources)
{
    if (messages.isEmpty() || messages.back().role != MessageRole::User || !m_model.tokenizer)
        return messages;
    const ExtractedDocument* document = nullptr;  // the newest document of the conversation
    for (auto m = messages.crbegin(); m != messages.crend() && !document; ++m)
        document = documentOf(*m);
    if (!document || messages.size() < 3)  // the summary request itself is not a question about it
        return messages;
    const Tokenizer& tokenizer = *m_model.tokenizer;
    const auto count = [&tokenizer](const QString& text) {
        return static_cast<int>(tokenizer.tokenize(text.toStdString(), false, false).size());
    };
    const int budget = static_cast<int>(m_model.context * kPassageShare);
    // Passages small enough that a few fit a small context, no larger than a page's worth in a large one.
    const int passageTokens = std::clamp(budget / 3, 32, 200);
    const QList<DocumentPassage> passages =
        relevantPassages(*document, messages.back().content, budget, count, passageTokens);
    if (passages.isEmpty())
        return messages;
    for (const DocumentPassage& p : passages)
        if (!sources->contains(p.source.citation()))  // several passages of one page name it once
            *sources << p.source.citation();
    QList<Message> result = messages;
    result.back().content = tr("Passages of “%1” that may help (cite the page or section in brackets):\n\n%2\n\n"
                               "Question: %3")
                                .arg(document->title, passagesForPrompt(passages), messages.back().content);
    return result;
}

}  // namespace vela::app
