#include "chat_view.h"

#include <QDesktopServices>
#include <QFontDatabase>
#include <QJsonArray>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>
#include <QUrlQuery>

namespace vela::ui {

using vela::app::BranchPosition;
using vela::app::Message;
using vela::app::MessageRole;
using vela::app::MessageState;

namespace {

constexpr const char* kScheme = "vela";
const QString kCritiqueKey = QStringLiteral("critique");

QString critiqueOf(const Message& m)
{
    return m.metadata.value(kCritiqueKey).toString();
}

bool isReflection(const Message& m)
{
    return m.metadata.contains(kCritiqueKey);
}

// A fence opens with ``` or ~~~ (up to three spaces in), and closes with a line of the same character at
// least as long; an unclosed fence runs to the end (a streaming answer).
struct Fence {
    QChar mark;
    int length = 0;
};

Fence fenceOf(const QString& line)
{
    qsizetype indent = 0;
    while (indent < line.size() && line[indent] == QLatin1Char(' '))
        ++indent;
    if (indent > 3)
        return {};  // an indented code line, not a fence
    const QString t = line.trimmed();
    for (QChar mark : {QChar('`'), QChar('~')}) {
        int n = 0;
        while (n < t.size() && t[n] == mark)
            ++n;
        if (n >= 3)
            return {mark, n};
    }
    return {};
}

}  // namespace

ChatView::ChatView(QWidget* parent) : QTextBrowser(parent), m_assistantName(tr("Vela"))
{
    setObjectName("chatView");
    setOpenLinks(false);  // our links are actions; web links go to the desktop's browser
    setFrameShape(QFrame::NoFrame);
    document()->setDocumentMargin(16);
    setModelLoaded(false);
    m_renderTimer.setSingleShot(true);
    m_renderTimer.setInterval(kRenderInterval);
    connect(&m_renderTimer, &QTimer::timeout, this, &ChatView::renderLast);
    connect(this, &QTextBrowser::anchorClicked, this, &ChatView::activateLink);
}

// ---- content ----

void ChatView::setModelLoaded(bool loaded)
{
    setPlaceholderText(loaded ? tr("Type a message below, or drop a document (PDF, Word, HTML, EPUB, text) here to "
                                   "summarize it.")
                              : tr("Load a model on the right, then type a message below."));
}

void ChatView::setMessages(const QList<Message>& messages)
{
    m_messages = messages;
    renderAll();
    scrollToBottom();
}

void ChatView::addMessage(const Message& message)
{
    const bool follow = atBottom();
    m_messages.append(message);
    // The message before it gains its actions (it was the last, perhaps streaming, one).
    renderAll();
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

void ChatView::appendCritique(qint64 id, const QString& text)
{
    if (m_messages.isEmpty() || m_messages.back().id != id)
        return;
    Message& m = m_messages.back();
    m.metadata.insert(kCritiqueKey, critiqueOf(m) + text);
    if (!m_renderTimer.isActive())
        m_renderTimer.start();
}

void ChatView::setLastState(MessageState state)
{
    if (m_messages.isEmpty())
        return;
    m_messages.back().state = state;
    m_renderTimer.stop();
    renderLast();
}

void ChatView::setStreaming(bool streaming)
{
    m_streaming = streaming;
    m_renderTimer.stop();
    renderLast();  // actions appear (or go) under the last message
}

const Message* ChatView::message(qint64 id) const
{
    for (const Message& m : m_messages) {
        if (m.id == id)
            return &m;
    }
    return nullptr;
}

// ---- links ----

QUrl ChatView::actionUrl(const QString& action, qint64 messageId, int extra)
{
    QUrl url;
    url.setScheme(kScheme);
    url.setPath(action);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("m"), QString::number(messageId));
    if (action == QLatin1String("branch"))
        query.addQueryItem(QStringLiteral("step"), QString::number(extra));
    else if (action == QLatin1String("copy-code"))
        query.addQueryItem(QStringLiteral("i"), QString::number(extra));
    url.setQuery(query);
    return url;
}

QStringList ChatView::links() const
{
    QStringList found;
    for (const QTextCharFormat& f : fragmentFormats())
        if (f.isAnchor() && !f.anchorHref().isEmpty() && (found.isEmpty() || found.back() != f.anchorHref()))
            found.append(f.anchorHref());
    return found;
}

QList<QTextCharFormat> ChatView::fragmentFormats() const
{
    QList<QTextCharFormat> formats;
    for (QTextBlock block = document()->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            formats.append(it.fragment().charFormat());
    return formats;
}

void ChatView::activateLink(const QUrl& url)
{
    if (url.scheme() != QLatin1String(kScheme)) {
        if (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
            QDesktopServices::openUrl(url);
        return;
    }
    const QUrlQuery query(url);
    const qint64 id = query.queryItemValue(QStringLiteral("m")).toLongLong();
    const Message* m = message(id);
    if (!m)
        return;
    const QString action = url.path();
    if (action == QLatin1String("copy")) {
        emit copyRequested(m->content);
    } else if (action == QLatin1String("copy-code")) {
        const QStringList blocks = codeBlocks(m->content);
        const int index = query.queryItemValue(QStringLiteral("i")).toInt();
        if (index >= 0 && index < blocks.size())
            emit copyRequested(blocks[index]);
    } else if (action == QLatin1String("edit")) {
        emit editRequested(id, m->content);
    } else if (action == QLatin1String("regenerate")) {
        emit regenerateRequested(id);
    } else if (action == QLatin1String("reflect")) {
        emit reflectRequested(id);
    } else if (action == QLatin1String("branch")) {
        emit branchRequested(id, query.queryItemValue(QStringLiteral("step")).toInt());
    } else if (action == QLatin1String("critique")) {
        if (!m_openCritiques.remove(id))
            m_openCritiques.insert(id);
        const int scroll = verticalScrollBar()->value();
        renderAll();
        verticalScrollBar()->setValue(scroll);  // a toggle should not jump the view
    }
}

QStringList ChatView::codeBlocks(const QString& markdown)
{
    QStringList blocks;
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    Fence open;
    QStringList current;
    for (const QString& line : lines) {
        const Fence fence = fenceOf(line);
        if (open.length == 0) {
            if (fence.length > 0) {
                open = fence;
                current.clear();
            }
            continue;
        }
        if (fence.mark == open.mark && fence.length >= open.length && line.trimmed().size() == fence.length) {
            blocks.append(current.join(QLatin1Char('\n')));
            open = {};
            continue;
        }
        current.append(line);
    }
    if (open.length > 0)
        blocks.append(current.join(QLatin1Char('\n')));
    return blocks;
}

// ---- rendering ----

void ChatView::renderAll()
{
    m_renderTimer.stop();
    document()->clear();
    QTextCursor cursor(document());
    m_lastStart = 0;
    for (qsizetype i = 0; i < m_messages.size(); ++i) {
        const bool last = i + 1 == m_messages.size();
        if (last)
            m_lastStart = cursor.position();
        insertMessage(cursor, m_messages[i], last);
    }
}

void ChatView::renderLast()
{
    if (m_messages.isEmpty())
        return;
    const bool follow = atBottom();
    QTextCursor cursor(document());
    cursor.setPosition(m_lastStart);
    cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    cursor.removeSelectedText();
    insertMessage(cursor, m_messages.back(), true);
    if (follow)
        scrollToBottom();
}

void ChatView::insertMessage(QTextCursor& cursor, const Message& message, bool last)
{
    insertHeader(cursor, message, last);
    insertCritique(cursor, message, last);
    insertImages(cursor, message);
    insertBody(cursor, message);
    insertDetections(cursor, message);
    if (!(last && m_streaming))
        insertActions(cursor, message);
}

void ChatView::insertHeader(QTextCursor& cursor, const Message& message, bool last)
{
    QTextBlockFormat block;
    block.setTopMargin(cursor.position() == 0 ? 0 : 14);
    block.setBottomMargin(2);
    if (cursor.position() != 0 || !cursor.block().text().isEmpty())
        cursor.insertBlock(block, QTextCharFormat());
    else
        cursor.setBlockFormat(block);
    QTextCharFormat format;
    format.setFontWeight(QFont::Bold);
    const bool user = message.role == MessageRole::User;
    // Readable on both: darker names on a light background, lighter ones on a dark one.
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const QColor you = dark ? QColor(0x6c, 0xb2, 0xff) : QColor(0x2b, 0x6c, 0xb0);
    const QColor assistant = dark ? QColor(0x5f, 0xc9, 0x8e) : QColor(0x2f, 0x85, 0x5a);
    format.setForeground(user ? you : assistant);
    const QString title = user ? tr("You") : message.role == MessageRole::System ? tr("System") : m_assistantName;
    cursor.insertText(title, format);

    QTextCharFormat note;
    note.setForeground(palette().placeholderText());
    const bool streaming = last && m_streaming;
    if (message.state == MessageState::Stopped)
        cursor.insertText(tr("  · stopped"), note);
    else if (message.state == MessageState::Failed)
        cursor.insertText(tr("  · failed"), note);
    else if (message.state == MessageState::Partial && !streaming)
        cursor.insertText(tr("  · interrupted"), note);  // the app closed while it was being written
    else if (streaming && isReflection(message) && message.content.isEmpty())
        cursor.insertText(tr("  · reflecting on its answer…"), note);
    if (isReflection(message) && !streaming)
        cursor.insertText(tr("  · revised after reflection"), note);
    // A document's summary, and an answer drawn from its passages, say where they come from.
    if (const QString of = message.metadata.value(QStringLiteral("summary_of")).toString(); !of.isEmpty())
        cursor.insertText(tr("  · summary of “%1”").arg(of), note);
    if (const QJsonArray sources = message.metadata.value(QStringLiteral("sources")).toArray(); !sources.isEmpty()) {
        QStringList cited;
        for (const QJsonValue& source : sources)
            cited << source.toString();
        cursor.insertText(tr("  · from %1").arg(cited.join(QStringLiteral("; "))), note);
    }

    const BranchPosition branch = m_branches && !streaming ? m_branches(message.id) : BranchPosition{};
    if (branch.count > 1) {
        cursor.insertText(QStringLiteral("    "), note);
        QTextCharFormat link;
        link.setAnchor(true);
        link.setForeground(palette().link());
        QTextCharFormat disabled = note;
        auto arrow = [&](const QString& glyph, int step, bool enabled) {
            if (!enabled) {
                cursor.insertText(glyph, disabled);
                return;
            }
            link.setAnchorHref(actionUrl(QStringLiteral("branch"), message.id, step).toString());
            link.setToolTip(step < 0 ? tr("Previous version") : tr("Next version"));
            cursor.insertText(glyph, link);
        };
        arrow(QStringLiteral("‹"), -1, branch.index > 1);
        cursor.insertText(QStringLiteral(" %1/%2 ").arg(branch.index).arg(branch.count), note);
        arrow(QStringLiteral("›"), +1, branch.index < branch.count);
    }
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
}

// A reflected answer's critique, tinted, when the user opened it — or while it is being written.
void ChatView::insertCritique(QTextCursor& cursor, const Message& message, bool last)
{
    const QString critique = critiqueOf(message);
    const bool writing = last && m_streaming && isReflection(message) && message.content.isEmpty();
    if (!isReflection(message) || !(writing || m_openCritiques.contains(message.id)))
        return;
    QTextCharFormat label;
    label.setFontItalic(true);
    label.setForeground(palette().placeholderText());
    cursor.insertText(tr("Critique of the earlier answer"), label);
    QTextBlockFormat tinted;
    tinted.setBackground(palette().alternateBase());
    tinted.setLeftMargin(8);
    cursor.insertBlock(tinted, QTextCharFormat());
    cursor.insertText(critique.isEmpty() ? tr("…") : critique.trimmed());
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
}

void ChatView::insertBody(QTextCursor& cursor, const Message& message)
{
    if (insertDetectionText(cursor, message))
        return;
    const int from = cursor.position();
    if (message.content.isEmpty()) {
        QTextCharFormat waiting;
        waiting.setFontItalic(true);
        waiting.setForeground(palette().placeholderText());
        cursor.insertText(message.state == MessageState::Partial ? tr("…") : QString(), waiting);
        return;
    }
    cursor.insertMarkdown(message.content, QTextDocument::MarkdownDialectGitHub);
    styleCode(cursor, from, message.id);
}

void ChatView::insertActions(QTextCursor& cursor, const Message& message)
{
    if (message.role == MessageRole::System)
        return;
    QStringList actions;  // "action|label"
    actions << QStringLiteral("copy|") + tr("Copy");
    // A summary and its request are made again from the document (the summary panel), not edited as chat turns.
    const bool document = message.metadata.contains(QStringLiteral("document")) ||
                          message.metadata.contains(QStringLiteral("summary_of"));
    if (message.role == MessageRole::User) {
        if (!document)
            actions << QStringLiteral("edit|") + tr("Edit");
    } else if (!document) {
        actions << QStringLiteral("regenerate|") + tr("Regenerate");
        if (!message.content.isEmpty())
            actions << QStringLiteral("reflect|") + tr("Reflect");
        if (!critiqueOf(message).isEmpty())
            actions << QStringLiteral("critique|") +
                           (m_openCritiques.contains(message.id) ? tr("Hide critique") : tr("Show critique"));
    }
    QTextBlockFormat block;
    block.setTopMargin(2);
    cursor.insertBlock(block, QTextCharFormat());
    QTextCharFormat separator;
    separator.setForeground(palette().placeholderText());
    separator.setFontPointSize(font().pointSizeF() * 0.85);
    QTextCharFormat link = separator;
    link.setAnchor(true);
    link.setForeground(palette().link());
    for (qsizetype i = 0; i < actions.size(); ++i) {
        const QStringList parts = actions[i].split(QLatin1Char('|'));
        if (i > 0)
            cursor.insertText(QStringLiteral("  ·  "), separator);
        link.setAnchorHref(actionUrl(parts[0], message.id).toString());
        cursor.insertText(parts[1], link);
    }
    cursor.setCharFormat(QTextCharFormat());
}

// Qt's Markdown importer marks code as fixed-pitch but leaves the proportional font family in place; each
// fenced block also gets a "Copy code" link above it.
void ChatView::styleCode(QTextCursor& cursor, int from, qint64 messageId)
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QColor tint = palette().alternateBase().color();
    QList<int> fenceStarts;  // document positions of each fenced block's first line
    bool inFence = false;
    for (QTextBlock block = document()->findBlock(from); block.isValid(); block = block.next()) {
        const bool fenced = block.blockFormat().hasProperty(QTextFormat::BlockCodeFence);
        const bool codeBlock = fenced || block.blockFormat().nonBreakableLines();
        if (fenced && !inFence)
            fenceStarts.append(block.position());
        inFence = fenced;
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
    // From the last block up, so the earlier positions stay valid.
    for (qsizetype i = fenceStarts.size() - 1; i >= 0; --i) {
        QTextCursor c(document());
        c.setPosition(fenceStarts[i]);
        // Splitting gives the code line a new block with its own format; the empty block left in front of it
        // becomes the link's.
        c.insertBlock(c.blockFormat(), c.charFormat());
        c.movePosition(QTextCursor::PreviousBlock);
        QTextBlockFormat plain;
        plain.setTopMargin(4);
        c.setBlockFormat(plain);
        QTextCharFormat link;
        link.setAnchor(true);
        link.setAnchorHref(actionUrl(QStringLiteral("copy-code"), messageId, static_cast<int>(i)).toString());
        link.setForeground(palette().link());
        link.setFontPointSize(font().pointSizeF() * 0.85);
        c.insertText(tr("Copy code"), link);
    }
    cursor.movePosition(QTextCursor::End);
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
