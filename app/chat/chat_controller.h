// The chat's state, without widgets: the open conversation (its active path of messages), the loaded model,
// and the one generation in flight. It talks to ChatStore (every message is saved, the answer as it streams)
// and to InferenceThread (queued calls only: nothing here waits on the worker), and tells the widgets what
// changed through signals.
//
//   ChatController chat;
//   chat.openStore(dataDir);               // shows the newest conversation, if any
//   chat.loadModel("/models/x.gguf");     // modelReady / loadFailed
//   chat.send("Once upon a time");        // messageAdded (user, then assistant), assistantText…, finished
//
// The prompt is rendered with the model's chat template (PromptBuilder); without one it is plain text, which
// is also what a base model (TinyStories) continues naturally.
#pragma once

#include "chat/prompt_builder.h"
#include "chat/summary_job.h"
#include "storage/chat_store.h"
#include "worker/generation_request.h"
#include "worker/inference_thread.h"
#include "worker/summary_request.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>

namespace vela::app {

// Where a message sits among its siblings (the answers a regeneration made, the edits of a question).
struct BranchPosition {
    int index = 1;  // 1-based
    int count = 1;
};

class ChatController : public QObject {
    Q_OBJECT

public:
    explicit ChatController(QObject* parent = nullptr);
    ~ChatController() override;

    // Opens `dir`/chats.sqlite and shows the newest conversation. Without a store (failed or never opened)
    // the chat still works, in memory only.
    Status openStore(const QString& dir);
    bool hasStore() const { return m_store.isOpen(); }

    // Settings for conversations created from now on (temperature, system prompt, context size…).
    // An empty new chat takes them too.
    void setDefaultSettings(const ConversationSettings& settings);
    const ConversationSettings& defaultSettings() const { return m_defaults; }
    // Keep generating past the end-of-text token, until the token limit or a full context (benchmarks, tests).
    void setIgnoreEndOfGeneration(bool ignore) { m_ignoreEndOfGeneration = ignore; }

    // Model. Loading replaces the loaded model; cancelLoad() ends a load in progress (loadFailed follows).
    void loadModel(const QString& path);
    void cancelLoad();
    bool isLoading() const { return m_loading; }
    bool hasModel() const { return m_hasModel; }
    const ModelSummary& model() const { return m_model; }

    // Conversations.
    QList<Conversation> conversations() const;
    qint64 currentConversation() const { return m_conversationId; }
    void openConversation(qint64 id);
    void newConversation();  // an empty chat; it is stored when its first message is sent
    void deleteConversation(qint64 id);
    const QList<Message>& messages() const { return m_messages; }  // the active path, oldest first

    // Conversation actions: the list's rename, delete with undo and search, the File menu's import and
    // export, the settings dialog. Failures come back as a Status for the window to show.
    Status renameConversation(qint64 id, const QString& title);
    Status restoreConversation(qint64 id);  // undoes deleteConversation, and opens it
    Result<int> purgeDeleted(const QDateTime& deletedBefore);  // forgets for good what was deleted before
    QList<Conversation> searchConversations(const QString& text) const;  // title or message text; "": all
    QString currentTitle() const;
    Result<QString> exportMarkdown() const;  // the open conversation
    Result<QByteArray> exportJson() const;
    Result<qint64> importConversation(const QByteArray& json);  // adds it and opens it
    // The open chat's settings (an empty new chat's included). Saved with the conversation and used from
    // the next generation on; a new context size takes effect when a model is loaded next.
    const ConversationSettings& conversationSettings() const { return m_settings; }
    Status setConversationSettings(const ConversationSettings& settings);

    // Generation. send() needs a loaded model and no generation in flight; it returns false otherwise.
    bool send(const QString& text);
    // Answers the question of `assistantId` again (0: the last answer) as a new branch beside the old one.
    bool regenerate(qint64 assistantId = 0);
    // A new version of a user message, beside the old one (which keeps its answers), answered at once.
    bool editAndResend(qint64 userMessageId, const QString& text);
    // Reflexion (Shinn et al. 2023, arXiv:2303.11366): the model critiques its answer, then writes a revised
    // one, stored as a new branch beside the answer with the critique in its metadata ("critique").
    bool reflect(qint64 assistantId);
    void stop();

    // Branches. switchBranch shows the previous (step -1) or next (+1) sibling of `messageId` and the path
    // below it. Both need the store (a chat kept in memory only has no branches).
    BranchPosition branchPosition(qint64 messageId) const;
    bool switchBranch(qint64 messageId, int step);
    const Message* findMessage(qint64 id) const;  // on the active path; null if not there
    qint64 streamingMessage() const { return m_generating && !m_messages.isEmpty() ? m_messages.back().id : 0; }
    bool isGenerating() const { return m_generating; }
    const QString& lastPrompt() const { return m_lastPrompt; }  // the text the last answer continued
    bool usesChatTemplate() const { return m_prompt.usesTemplate(); }

    // Model choices (the model panel). The device is a chooseDevice() request ("" = the best one), used by
    // the next load. The prompt format says which template renders the chat (PromptBuilder::description());
    // an override is saved for the loaded model's file and used from the next turn on.
    void setDevice(const QString& request) { m_device = request; }
    QString device() const { return m_device; }
    uint32_t requestedContext() const;  // the conversation's context size, before the model's own cap
    QString promptFormat() const { return m_prompt.description(); }
    void applyTemplateOverride(const QString& source);
    // The loaded model's LoRA adapters (the model panel): saved for its file, applied by reloading it. Every
    // load of a file applies the adapters saved for it; one that no longer fits is left out and forgotten.
    void setAdapters(const QList<LoraChoice>& adapters);
    // For tests that must act at a precise point of a load (a direct connection to loadProgress).
    InferenceWorker* worker() const { return m_inference->worker(); }

    // Images (chat_images.cpp). A model sees images when its vision projector loaded with it: the one chosen
    // by hand (setProjector: saved for its file, applied by reloading it) or else the one beside it
    // (ModelLibrary::pairedProjector). sendWithImages stores the images with the question (by content hash
    // beside the database) and answers it; a model that cannot see them, or PaliGemma given more than one,
    // refuses them with imagesRefused and keeps nothing. Gemma 3 sees each image where a vela::kMediaMarker
    // stands in the prompt: at the start of the message it came with; PaliGemma sees the question's text as
    // its task prefix ("caption en", "detect cat") with the newest image of the conversation, no chat template.
    bool sendWithImages(const QString& text, const QList<MessageImage>& images);
    bool seesImages() const { return m_hasModel && m_model.seesImages(); }
    void setProjector(const QString& path);

    // Documents (chat_documents.cpp). openDocument() reads a .txt/.md/.pdf/.html/.docx/.epub on the worker and
    // plans its summary with the loaded model (summaryJob(): Reading, Planning, then Ready with the plan, or
    // Failed with the reason; documentFailed says it too); setSummaryOptions() plans it again with another
    // length, focus or language. startSummary() stores a user message "Summarize “<title>”" with the document
    // attached (its extracted text, kept for follow-up questions) and an assistant message that shows the
    // partial summaries as they finish and is replaced by the summary at the end (summaryProgress,
    // summaryPartial, summaryFinished). stop() cancels it between tokens: the partials stay in the message
    // (Stopped) and in the job, and startSummary() resumes after them. closeDocument() forgets the job (a
    // running one is stopped first). All need a loaded model and nothing else in flight; they return false
    // otherwise. While a summary runs, isGenerating() is true, so the chat's other actions wait.
    //
    // A question sent in a conversation that holds a document is answered from the document's passages most
    // relevant to it, which the prompt carries with their pages or sections (Message::metadata "sources").
    bool openDocument(const QString& path);
    bool setSummaryOptions(const SummaryOptions& options);
    bool startSummary();
    void closeDocument();
    const SummaryJob* summaryJob() const { return m_summaryJob.get(); }
    bool isSummarizing() const { return m_summaryJob && m_summaryJob->stage == SummaryJob::Stage::Running; }
    // The request message of a summary (metadata "document": the title); its answer has "summary_of". Neither
    // is edited, regenerated or reflected on as a chat turn: the summary panel makes a summary again.
    static bool isDocumentRequest(const Message& message);

signals:
    void loadProgress(double fraction);
    void modelReady(const vela::app::ModelSummary& summary);
    void loadFailed(const QString& message);
    void conversationsChanged();
    void conversationOpened(qint64 id);  // messages() holds its active path
    void conversationDeleted(qint64 id, const QString& title);  // softly: restoreConversation undoes it
    void messageAdded(const vela::app::Message& message);
    void messageRemoved(qint64 id);      // the answer a regeneration replaces
    void assistantText(qint64 messageId, const QString& text);  // a streamed batch to append
    void generationStarted();
    void generationFinished(const vela::app::GenerationStats& stats);
    void generationFailed(const QString& message);
    void storeError(const QString& message);
    void promptWarning(const QString& message);  // the chat template failed: plain text was used
    void critiqueText(qint64 messageId, const QString& text);  // Reflect's critique, streamed
    // The conversation is longer than the context: the oldest `dropped` messages were left out of this prompt.
    void contextTrimmed(int dropped, const QString& notice);
    // The model is gone (the device was lost mid-answer); the conversation is intact.
    void modelLost(const QString& message);
    void promptFormatChanged(const QString& description);
    void imagesRefused(const QString& message);  // sendWithImages: nothing was sent
    // Documents: the job's stage, plan or partials changed (summaryJob() holds them; null after closeDocument).
    void summaryJobChanged();
    void documentFailed(const QString& message);  // reading or planning failed: the job is Failed
    void summaryProgress(const vela::app::SummaryProgressInfo& progress);
    void summaryPartial(const vela::app::PartialSummary& partial);
    void summaryFinished(qint64 messageId);  // the summary is the content of this assistant message

private:
    void connectWorker();
    void onModelReady(const ModelSummary& summary);
    void onLoadFailed(const QString& message);
    void onToken(const QString& text);
    void onFinished(const GenerationStats& stats);
    void onFailed(const QString& message);
    void onModelUnloaded();
    qint64 ensureConversation(const QString& firstText);
    qint64 storeMessage(MessageRole role, const QString& text, MessageState state,
                        const QList<MessageImage>& images = {}, const QJsonObject& metadata = {});
    void startAnswer();
    void runGeneration(const QList<Message>& promptMessages);
    QString buildPrompt(const QList<Message>& messages);
    void failAnswer(const QString& message);
    void finishCritique();
    qsizetype indexOf(qint64 id) const;
    bool reloadActivePath();
    ConversationSettings currentSettings() const;
    void reportStore(const Status& status);
    // chat_images.cpp
    QString projectorFor(const QString& modelPath) const;
    void checkProjector(const ModelSummary& summary);
    QString imageRefusal(const QString& text, const QList<MessageImage>& images) const;
    QList<MessageImage> keepImages(const QList<MessageImage>& images);
    void saveImageAttachments(qint64 messageId, const QList<MessageImage>& images);
    QList<Message> withImageMarkers(const QList<Message>& messages) const;
    std::vector<TokenId> countPromptTokens(const Tokenizer& tokenizer, const QString& prompt) const;
    QString attachPromptImages(GenerationRequest& request, const QList<Message>& kept, const QList<Message>& all);
    // chat_documents.cpp
    void connectDocumentSignals();
    void requestPlan();
    void onDocumentReadProgress(quint64 requestId, double fraction);
    void onDocumentRead(quint64 requestId, const ExtractedDocument& document);
    void onSummaryPlanned(quint64 requestId, const SummaryPlan& plan);
    void onDocumentFailed(quint64 requestId, const QString& message);
    void onSummaryProgress(const SummaryProgressInfo& progress);
    void onSummaryPartial(quint64 requestId, const PartialSummary& partial);
    void onSummaryEnded(quint64 requestId, const SummaryOutcome& outcome);
    QString partialsText() const;
    void setJobStage(SummaryJob::Stage stage);
    void stopJobWork();
    QList<Message> withDocumentPassages(const QList<Message>& messages, QStringList* sources);
    const ExtractedDocument* documentOf(const Message& message);

    ChatStore m_store;
    std::unique_ptr<InferenceThread> m_inference;  // declared last among owners: destroyed first
    ConversationSettings m_defaults;
    ConversationSettings m_settings;  // the open conversation's, or the new chat's until it is stored
    ModelSummary m_model;
    PromptBuilder m_prompt;
    QString m_device;
    QString m_lastPrompt;
    QList<Message> m_messages;
    qint64 m_conversationId = 0;
    qint64 m_nextLocalId = -1;  // ids for messages kept in memory only (no store): negative
    quint64 m_requestId = 0;
    bool m_loading = false;
    bool m_hasModel = false;
    bool m_generating = false;
    bool m_ignoreEndOfGeneration = false;
    bool m_modelLost = false;  // the worker unloaded the model during a generation

    // What the running generation writes: an answer, or one of Reflect's two steps.
    enum class Phase { Answer, Critique, Revision };
    Phase m_phase = Phase::Answer;
    QList<Message> m_reflectBase;  // Reflect: the path up to and including the answer being reflected on
    QString m_critique;

    // Documents: the one summary job, and the request its worker answers belong to.
    std::unique_ptr<SummaryJob> m_summaryJob;
    quint64 m_documentRequest = 0;
    SummaryOptions m_summaryOptions;  // the last chosen, for the next document
    // The documents of the open conversation's messages (by user message id), read from their attachments once.
    QHash<qint64, ExtractedDocument> m_documents;
};

}  // namespace vela::app
