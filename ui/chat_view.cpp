#include "chat_view.h"

#include <QFontDatabase>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>

namespace vela::ui {

using vela::app::Message;
using vela::app::MessageRole;
using vela::app::MessageState;

ChatView::ChatView(QWidget* parent) : QTextBrowser(parent), m_assistantName(tr("Vela"))
{
    setObjectName("chatView");
    setOpenExternalLinks(true);
    setFrameShape(QFrame::NoFrame);
    document()->setDocumentMargin(16);
    setPlaceholderText(tr("Load a model on the right, then type a message below."));
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(kRenderInterval);
    connect(&m_renderTimer, &QTimer::timeout, this, &ChatView::renderLastBody);
}

void ChatView::setMessages(const QList<Message>& messages)
{
    m_messages = messages;
    renderAll();
}

void ChatView::addMessage(const Message& message)
{
    m_messages.append(message);
    const bool follow = atBottom();
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    insertHeader(cursor, message);
    m_lastBodyStart = cursor.position();
    insertBody(cursor, message);
    if (follow)
        scrollToBottom();
}

void ChatView::removeMessage(qint64 id)
{
    for (qsizetype i = 0; i < m_messages.size(); ++i) {
        if (m_messages[i].id == id) {
            m_messages.removeAt(i);
            renderAll();
            return;
        }
    }
}

void ChatView::appendText(qint64 id, const QString& text)
{
    if (m_messages.isEmpty() || m_messages.back().id != id)
        return;
    m_messages.back().content += text;
    if (!m_renderTimer.isActive())
        m_renderTimer.start();
}

void ChatView::setLastState(MessageState state)
{
    if (m_messages.isEmpty())
        return;
    m_messages.back().state = state;
    m_renderTimer.stop();
    renderAll();  // the header shows the state
}

void ChatView::renderAll()
{
    m_renderTimer.stop();
    document()->clear();
    QTextCursor cursor(document());
    m_lastBodyStart = 0;
    for (const Message& m : m_messages) {
        insertHeader(cursor, m);
        m_lastBodyStart = cursor.position();
        insertBody(cursor, m);
    }
    scrollToBottom();
}

void ChatView::renderLastBody()
{
    if (m_messages.isEmpty())
        return;
    const bool follow = atBottom();
    QTextCursor cursor(document());
    cursor.setPosition(m_lastBodyStart);
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    cursor.removeSelectedText();
    insertBody(cursor, m_messages.back());
    if (follow)
        scrollToBottom();
}

void ChatView::insertHeader(QTextCursor& cursor, const Message& message)
{
    QTextBlockFormat block;
    block.setTopMargin(cursor.position() == 0 ? 0 : 14);
    block.setBottomMargin(2);
    if (cursor.position() != 0 || !cursor.block().text().isEmpty())
        cursor.insertBlock(block);
    else
        cursor.setBlockFormat(block);
    QTextCharFormat format;
    format.setFontWeight(QFont::Bold);
    const bool user = message.role == MessageRole::User;
    // Lighter shades on a dark background (the dark theme), so the names stay readable there too.
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const QColor you = dark ? QColor(0x6c, 0xb2, 0xff) : QColor(0x2b, 0x6c, 0xb0);
    const QColor assistant = dark ? QColor(0x5f, 0xc9, 0x8e) : QColor(0x2f, 0x85, 0x5a);
    format.setForeground(user ? you : assistant);
    QString title = user ? tr("You") : message.role == MessageRole::System ? tr("System") : m_assistantName;
    cursor.insertText(title, format);
    QTextCharFormat note;
    note.setForeground(palette().placeholderText());
    if (message.state == MessageState::Stopped)
        cursor.insertText(tr("  · stopped"), note);
    else if (message.state == MessageState::Failed)
        cursor.insertText(tr("  · failed"), note);
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
}

void ChatView::insertBody(QTextCursor& cursor, const Message& message)
{
    const int from = cursor.position();
    if (message.content.isEmpty()) {
        QTextCharFormat waiting;
        waiting.setFontItalic(true);
        waiting.setForeground(palette().placeholderText());
        cursor.insertText(message.state == MessageState::Partial ? tr("…") : QString(), waiting);
        return;
    }
    cursor.insertMarkdown(message.content, QTextDocument::MarkdownDialectGitHub);
    styleCode(from);
}

// Qt's Markdown importer marks code as fixed-pitch but leaves the proportional font family in place.
void ChatView::styleCode(int from)
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QColor tint = palette().alternateBase().color();
    for (QTextBlock block = document()->findBlock(from); block.isValid(); block = block.next()) {
        const bool codeBlock = block.blockFormat().hasProperty(QTextFormat::BlockCodeFence) ||
                               block.blockFormat().nonBreakableLines();
        if (codeBlock) {
            QTextCursor c(block);
            QTextBlockFormat bf = block.blockFormat();
            bf.setBackground(tint);
            c.setBlockFormat(bf);
        }
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (!codeBlock && !fragment.charFormat().fontFixedPitch())
                continue;
            QTextCursor c(document());
            c.setPosition(fragment.position());
            c.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
            QTextCharFormat f;
            f.setFontFamilies({mono.family()});
            f.setFontFixedPitch(true);
            if (!codeBlock)
                f.setBackground(tint);
            c.mergeCharFormat(f);
        }
    }
}

bool ChatView::atBottom() const
{
    const QScrollBar* bar = verticalScrollBar();
    return bar->value() >= bar->maximum() - 4;
}

void ChatView::scrollToBottom()
{
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

}  // namespace vela::ui
