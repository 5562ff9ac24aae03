// The middle of the window: the open conversation, each message rendered from Markdown (code in monospace
// on a tinted background). A streaming answer is re-rendered at most every kRenderInterval, and only its own
// part of the document, so a long conversation stays cheap to update.
#pragma once

#include "storage/chat_store.h"

#include <QList>
#include <QTextBrowser>
#include <QTimer>

namespace vela::ui {

class ChatView : public QTextBrowser {
    Q_OBJECT

public:
    static constexpr int kRenderInterval = 40;  // ms

    explicit ChatView(QWidget* parent = nullptr);

    void setMessages(const QList<vela::app::Message>& messages);
    void addMessage(const vela::app::Message& message);
    void removeMessage(qint64 id);
    void appendText(qint64 id, const QString& text);  // to the last message, rendered on the next tick
    void setLastState(vela::app::MessageState state);
    void setAssistantName(const QString& name) { m_assistantName = name; }
    int messageCount() const { return m_messages.size(); }

private:
    void renderAll();
    void renderLastBody();
    void insertHeader(QTextCursor& cursor, const vela::app::Message& message);
    void insertBody(QTextCursor& cursor, const vela::app::Message& message);
    void styleCode(int from);
    bool atBottom() const;
    void scrollToBottom();

    QList<vela::app::Message> m_messages;
    QString m_assistantName;
    int m_lastBodyStart = 0;  // document position where the last message's body begins
    QTimer m_renderTimer;
};

}  // namespace vela::ui
