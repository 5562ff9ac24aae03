// ChatView's images. Thumbnails are QTextDocument image resources added at each render (clear() drops them),
// decoded once per content with the engine's reader (what the model saw, EXIF rotation included). A detect
// answer's boxes go on the newest image above the answer, the one PaliGemma was asked about.
#include "chat_view.h"

#include "image_thumbnail.h"

#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>
#include <QTextImageFormat>
#include <QUrl>

namespace vela::ui {

using vela::app::DetectionBox;
using vela::app::Message;
using vela::app::MessageImage;
using vela::app::MessageRole;

namespace {

const QString kImageScheme = QStringLiteral("vela-image");
const QString kDetectScheme = QStringLiteral("vela-detect");

QString keyOf(const MessageImage& image)
{
    if (!image.hash.isEmpty())
        return image.hash;
    if (!image.path.isEmpty())
        return image.path;
    return QString::number(reinterpret_cast<quintptr>(image.bytes.constData()), 16);  // bytes kept in memory only
}

}  // namespace

QImage ChatView::thumbnail(const MessageImage& image, int side)
{
    const QString key = QStringLiteral("%1:%2").arg(side).arg(keyOf(image));
    auto it = m_thumbnails.find(key);
    if (it == m_thumbnails.end())
        it = m_thumbnails.insert(key, loadThumbnail(image, side));
    return it.value();
}

void ChatView::insertPicture(QTextCursor& cursor, const QString& name, const QImage& picture, const QString& tip)
{
    document()->addResource(QTextDocument::ImageResource, QUrl(name), picture);
    QTextImageFormat format;
    format.setName(name);
    format.setWidth(picture.width());
    format.setHeight(picture.height());
    format.setToolTip(tip);
    cursor.insertImage(format);
}

void ChatView::insertImages(QTextCursor& cursor, const Message& message)
{
    if (message.images.isEmpty())
        return;
    QTextBlockFormat block;
    block.setBottomMargin(6);
    cursor.setBlockFormat(block);
    for (qsizetype i = 0; i < message.images.size(); ++i) {
        const MessageImage& image = message.images[i];
        if (i > 0)
            cursor.insertText(QStringLiteral("  "));
        const QImage picture = thumbnail(image, kThumbnailSide);
        if (picture.isNull()) {
            QTextCharFormat missing;
            missing.setFontItalic(true);
            missing.setForeground(palette().placeholderText());
            cursor.insertText(tr("[image “%1” could not be read]").arg(image.name), missing);
            continue;
        }
        insertPicture(cursor, kImageScheme + QLatin1Char(':') + keyOf(image), picture, image.name);
    }
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
}

const MessageImage* ChatView::imageBefore(qint64 messageId) const
{
    qsizetype at = m_messages.size();
    for (qsizetype i = 0; i < m_messages.size(); ++i) {
        if (m_messages[i].id == messageId)
            at = i;
    }
    for (qsizetype i = at - 1; i >= 0; --i) {
        if (!m_messages[i].images.isEmpty())
            return &m_messages[i].images.back();
    }
    return nullptr;
}

QList<DetectionBox> ChatView::detectionsShown(qint64 messageId) const
{
    const Message* m = message(messageId);
    if (!m || m->role != MessageRole::Assistant || !imageBefore(messageId))
        return {};
    return vela::app::parseDetections(m->content);
}

void ChatView::insertDetections(QTextCursor& cursor, const Message& message)
{
    const QList<DetectionBox> boxes = detectionsShown(message.id);
    if (boxes.isEmpty())
        return;
    const MessageImage* image = imageBefore(message.id);
    const QImage picture = thumbnail(*image, kDetectionSide);
    if (picture.isNull())
        return;
    QStringList labels;
    for (const DetectionBox& box : boxes)
        labels << box.label;
    QTextBlockFormat block;
    block.setTopMargin(6);
    cursor.insertBlock(block, QTextCharFormat());
    insertPicture(cursor, QStringLiteral("%1:%2").arg(kDetectScheme).arg(message.id), drawDetections(picture, boxes),
                  tr("%1 — %n box(es): %2", nullptr, static_cast<int>(boxes.size())).arg(image->name, labels.join(", ")));
}

// A detect answer as the model wrote it, as plain text: Markdown would take its <locNNNN> tokens for HTML
// tags and show nothing. The boxes themselves follow on the image.
bool ChatView::insertDetectionText(QTextCursor& cursor, const Message& message)
{
    if (detectionsShown(message.id).isEmpty())
        return false;
    QTextCharFormat raw;
    raw.setForeground(palette().placeholderText());
    raw.setFontPointSize(font().pointSizeF() * 0.85);
    cursor.insertText(message.content.trimmed(), raw);
    cursor.setCharFormat(QTextCharFormat());
    return true;
}

QStringList ChatView::imageNames() const
{
    QStringList names;
    for (const QTextCharFormat& f : fragmentFormats())
        if (f.isImageFormat())
            names << f.toImageFormat().name();
    return names;
}

QImage ChatView::shownImage(const QString& name) const
{
    return document()->resource(QTextDocument::ImageResource, QUrl(name)).value<QImage>();
}

}  // namespace vela::ui
