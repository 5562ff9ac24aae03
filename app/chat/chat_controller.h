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
#include "storage/chat_store.h"
#include "worker/generation_request.h"
#include "worker/inference_thread.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>

namespace vela::app {

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
    void setDefaultSettings(const ConversationSettings& settings) { m_defaults = settings; }
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

    // Generation. send() needs a loaded model and no generation in flight; it returns false otherwise.
    bool send(const QString& text);
    bool regenerate();  // answers the last user message again, as a new branch
    void stop();
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
    // For tests that must act at a precise point of a load (a direct connection to loadProgress).
    InferenceWorker* worker() const { return m_inference->worker(); }

signals:
    void loadProgress(double fraction);
    void modelReady(const vela::app::ModelSummary& summary);
    void loadFailed(const QString& message);
    void conversationsChanged();
    void conversationOpened(qint64 id);  // messages() holds its active path
    void messageAdded(const vela::app::Message& message);
    void messageRemoved(qint64 id);      // the answer a regeneration replaces
    void assistantText(qint64 messageId, const QString& text);  // a streamed batch to append
    void generationStarted();
    void generationFinished(const vela::app::GenerationStats& stats);
    void generationFailed(const QString& message);
    void storeError(const QString& message);
    void promptWarning(const QString& message);  // the chat template failed: plain text was used
    void promptFormatChanged(const QString& description);

private:
    void connectWorker();
    void onModelReady(const ModelSummary& summary);
    void onLoadFailed(const QString& message);
    void onToken(const QString& text);
    void onFinished(const GenerationStats& stats);
    void onFailed(const QString& message);
    qint64 ensureConversation(const QString& firstText);
    qint64 storeMessage(MessageRole role, const QString& text, MessageState state);
    void startAnswer();
    QString buildPrompt();
    ConversationSettings currentSettings() const;
    void reportStore(const Status& status);

    ChatStore m_store;
    std::unique_ptr<InferenceThread> m_inference;  // declared last among owners: destroyed first
    ConversationSettings m_defaults;
    ConversationSettings m_settings;  // the open conversation's
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
};

}  // namespace vela::app
