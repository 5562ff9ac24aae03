// The middle of the window: the open conversation, each message rendered from Markdown (code in monospace
// on a tinted background, with a "Copy code" link above each block), and under each message its actions as
// links — Copy, Edit (questions), Regenerate and Reflect (answers), ‹ 1/2 › to move between branches, and
// the critique of a reflected answer, collapsed until asked for. A streaming answer is re-rendered at most
// every kRenderInterval, and only its own part of the document, so a long conversation stays cheap.
#pragma once

#include "chat/chat_controller.h"
#include "chat/detections.h"
#include "storage/chat_store.h"

#include <QHash>
#include <QImage>
#include <QList>
#include <QSet>
#include <QStringList>
#include <QTextBrowser>
#include <QTextCharFormat>
#include <QTimer>
#include <QUrl>

#include <functional>

namespace vela::ui {

class ChatView : public QTextBrowser {
    Q_OBJECT

public:
    static constexpr int kRenderInterval = 40;  // ms

    explicit ChatView(QWidget* parent = nullptr);

    void setMessages(const QList<vela::app::Message>& messages);
    void addMessage(const vela::app::Message& message);
    void removeMessage(qint64 id);
    void appendText(qint64 id, const QString& text);      // to the last message, rendered on the next tick
    void appendCritique(qint64 id, const QString& text);  // Reflect's critique of the last message, streaming
    void setLastState(vela::app::MessageState state);
    void setStreaming(bool streaming);  // the last message is being written: no actions under it yet
    void setAssistantName(const QString& name) { m_assistantName = name; }
    // The empty chat's hint: load a model first, or what can be done with the one loaded.
    void setModelLoaded(bool loaded);
    // Where each message sits among its siblings, asked for at render time (ChatController::branchPosition).
    void setBranchProvider(std::function<vela::app::BranchPosition(qint64)> provider) { m_branches = std::move(provider); }
    int messageCount() const { return m_messages.size(); }

    // The action links the document holds now ("vela:copy?m=12", …), and following one as a click does.
    QStringList links() const;
    void activateLink(const QUrl& url);
    static QUrl actionUrl(const QString& action, qint64 messageId, int extra = 0);
    // The fenced code blocks of a Markdown text, in order (what "Copy code" copies).
    static QStringList codeBlocks(const QString& markdown);

    // Images (chat_view_images.cpp): a message's images as thumbnails above its text, and under a PaliGemma
    // `detect` answer the image it is about with the boxes drawn on it. What the document shows, for tests:
    // the images' resource names in order ("vela-image:<hash>", "vela-detect:<message id>"), one of them as
    // drawn, and the boxes drawn under an answer.
    static constexpr int kThumbnailSide = 220;
    static constexpr int kDetectionSide = 360;
    QStringList imageNames() const;
    QImage shownImage(const QString& name) const;
    QList<vela::app::DetectionBox> detectionsShown(qint64 messageId) const;

signals:
    void copyRequested(const QString& text);
    void editRequested(qint64 messageId, const QString& text);
    void regenerateRequested(qint64 messageId);
    void reflectRequested(qint64 messageId);
    void branchRequested(qint64 messageId, int step);


private:
    QList<QTextCharFormat> fragmentFormats() const;  // every text fragment's format, in document order
    void renderAll();
    void renderLast();
    void insertMessage(QTextCursor& cursor, const vela::app::Message& message, bool last);
    void insertHeader(QTextCursor& cursor, const vela::app::Message& message, bool last);
    void insertCritique(QTextCursor& cursor, const vela::app::Message& message, bool last);
    void insertBody(QTextCursor& cursor, const vela::app::Message& message);
    void insertActions(QTextCursor& cursor, const vela::app::Message& message);
    void styleCode(QTextCursor& cursor, int from, qint64 messageId);
    void insertImages(QTextCursor& cursor, const vela::app::Message& message);
    void insertDetections(QTextCursor& cursor, const vela::app::Message& message);
    bool insertDetectionText(QTextCursor& cursor, const vela::app::Message& message);
    void insertPicture(QTextCursor& cursor, const QString& name, const QImage& picture, const QString& tip);
    QImage thumbnail(const vela::app::MessageImage& image, int side);
    const vela::app::MessageImage* imageBefore(qint64 messageId) const;
    bool atBottom() const;
    void scrollToBottom();
    const vela::app::Message* message(qint64 id) const;

    QList<vela::app::Message> m_messages;
    QString m_assistantName;
    std::function<vela::app::BranchPosition(qint64)> m_branches;
    QSet<qint64> m_openCritiques;  // reflected answers whose critique is shown
    QHash<QString, QImage> m_thumbnails;  // decoded once: "<side>:<hash or path>" → scaled image
    int m_lastStart = 0;           // document position where the last message begins
    bool m_streaming = false;
    QTimer m_renderTimer;
};

}  // namespace vela::ui
