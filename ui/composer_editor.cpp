#include "composer_editor.h"

#include "chat/attached_image.h"
#include "documents/document_extractor.h"

#include <QMimeData>
#include <QUrl>

namespace vela::ui {

bool ComposerEditor::holdsImages(const QMimeData* mime)
{
    if (!mime)
        return false;
    if (mime->hasImage())
        return true;
    for (const QString& format : mime->formats()) {
        if (format.startsWith(QLatin1String("image/")))
            return true;
    }
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile() && vela::app::isImageFileName(url.toLocalFile()))
            return true;
    }
    return false;
}

QString ComposerEditor::droppedDocument(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile() && vela::app::isSupportedDocument(url.toLocalFile()))
            return url.toLocalFile();
    }
    return {};
}

bool ComposerEditor::canInsertFromMimeData(const QMimeData* source) const
{
    return (m_images && holdsImages(source)) || (m_documents && !droppedDocument(source).isEmpty())
           || QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposerEditor::insertFromMimeData(const QMimeData* source)
{
    if (const QString document = droppedDocument(source); m_documents && !document.isEmpty()) {
        m_documents(document);
        return;
    }
    if (m_images && holdsImages(source) && m_images(source))
        return;
    QPlainTextEdit::insertFromMimeData(source);
}

}  // namespace vela::ui
