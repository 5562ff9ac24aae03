// The composer's images: drops and pastes (through ComposerEditor, and on the composer's own area), the
// thumbnails, the note about images, and PaliGemma's task buttons.
#include "composer.h"

#include "attachment_strip.h"
#include "image_thumbnail.h"
#include "paligemma_tasks.h"

#include "chat/attached_image.h"

#include <QBuffer>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QImage>
#include <QLabel>
#include <QMimeData>
#include <QUrl>
#include <QVBoxLayout>

namespace vela::ui {

using vela::app::VisionKind;

namespace {

// Image data a paste or drop carries as the file itself (kept byte for byte) rather than as pixels.
constexpr const char* kEncodedFormats[] = {"image/png", "image/jpeg", "image/gif", "image/bmp", "image/x-tga"};

}  // namespace

void Composer::setUpImages()
{
    auto* column = static_cast<QVBoxLayout*>(layout());
    m_imageNote = new QLabel(this);
    m_imageNote->setObjectName("imageNote");
    m_imageNote->setWordWrap(true);
    m_imageNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_imageNote->setStyleSheet("QLabel { color: #7a4b00; background: #fff4d6; border-radius: 4px; padding: 4px 6px; }");
    m_imageNote->hide();
    m_tasks = new PaliGemmaTasks(m_edit, this);
    m_tasks->hide();
    m_attachments = new AttachmentStrip(this);
    column->addWidget(m_imageNote);
    column->addWidget(m_tasks);
    column->addWidget(m_attachments);
    m_edit->setImageHandler([this](const QMimeData* mime) { return addImagesFrom(mime); });
    m_edit->setDocumentHandler([this](const QString& path) { emit documentDropped(path); });
    connect(m_attachments, &AttachmentStrip::changed, this, &Composer::updateImageNote);
    setAcceptDrops(true);
}

bool Composer::attach(const Result<vela::app::AttachedImage>& read)
{
    if (!read) {
        const QString message = QString::fromStdString(read.message());
        showImageNote(message);  // after the strip's own update: the refusal is what the user must see
        emit imageRejected(message);
        return false;
    }
    m_attachments->addImage(read->image, toQImage(read->pixels));
    return true;
}

bool Composer::addImageFile(const QString& path)
{
    return attach(vela::app::readImageFile(path));
}

bool Composer::addImageData(const QByteArray& bytes, const QString& name)
{
    return attach(vela::app::readImageData(bytes, name));
}

bool Composer::addImagesFrom(const QMimeData* mime)
{
    if (!ComposerEditor::holdsImages(mime))
        return false;
    QStringList refused;
    bool files = false;
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile() && vela::app::isImageFileName(url.toLocalFile())) {
            files = true;
            if (!addImageFile(url.toLocalFile()))
                refused << imageNote();
        }
    }
    if (files) {
        if (!refused.isEmpty())
            showImageNote(refused.join(QLatin1Char('\n')));  // every refusal, not just the last
        return true;
    }
    for (const char* format : kEncodedFormats) {
        if (mime->hasFormat(QLatin1String(format))) {
            addImageData(mime->data(QLatin1String(format)), vela::app::pastedImageName());
            return true;
        }
    }
    // Pixels only (a screenshot tool's clipboard): saved as PNG, losslessly.
    const QImage image = qvariant_cast<QImage>(mime->imageData());
    QByteArray png;
    QBuffer buffer(&png);
    if (image.isNull() || !buffer.open(QIODevice::WriteOnly) || !image.save(&buffer, "PNG")) {
        showImageNote(tr("The pasted image could not be read."));
        return true;
    }
    addImageData(png, vela::app::pastedImageName());
    return true;
}

void Composer::dragEnterEvent(QDragEnterEvent* event)
{
    if (ComposerEditor::holdsImages(event->mimeData()) || !ComposerEditor::droppedDocument(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void Composer::dropEvent(QDropEvent* event)
{
    if (const QString document = ComposerEditor::droppedDocument(event->mimeData()); !document.isEmpty()) {
        event->acceptProposedAction();
        emit documentDropped(document);
    } else if (addImagesFrom(event->mimeData())) {
        event->acceptProposedAction();
    }
}

QList<vela::app::MessageImage> Composer::images() const
{
    return m_attachments->images();
}

void Composer::setVision(VisionKind vision, const QString& modelName, bool hasModel)
{
    m_vision = vision;
    m_modelName = modelName;
    m_hasModel = hasModel;
    m_tasks->setVisible(vision == VisionKind::PaliGemma);
    updateImageNote();
}

// While images wait: whether the loaded model will see them. Cleared when they are all gone.
void Composer::updateImageNote()
{
    if (m_attachments->count() == 0) {
        showImageNote(QString());
        return;
    }
    if (!m_hasModel)
        showImageNote(tr("Load a vision model (a model with its mmproj projector) to ask about the image."));
    else if (m_vision == VisionKind::None)
        showImageNote(tr("%1 cannot see images: it is a text-only model. The image stays attached; load a vision "
                         "model, or choose a projector under Images in the model panel.")
                          .arg(m_modelName));
    else
        showImageNote(QString());
}

void Composer::showImageNote(const QString& text)
{
    m_imageNote->setText(text);
    m_imageNote->setVisible(!text.isEmpty());
}

QString Composer::imageNote() const
{
    return m_imageNote->isHidden() ? QString() : m_imageNote->text();
}

void Composer::clearAfterSend()
{
    m_edit->clear();
    m_attachments->clear();
}

}  // namespace vela::ui
