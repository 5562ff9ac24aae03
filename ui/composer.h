// The message box under the chat: Enter sends, Shift+Enter starts a new line, Esc stops the answer being
// generated. Its button reads "Send" or "Stop" to match. Editing a sent message happens here too: the box
// takes the old text, says so above it, and Enter sends the new version (Esc leaves it as it was).
// Images dropped or pasted on it wait above it as thumbnails (AttachmentStrip) until sent or removed; one that
// cannot be read is refused with a note naming it, and a note says when the loaded model cannot see images
// (they stay attached). With PaliGemma loaded, its task buttons (PaliGemmaTasks) sit above the box.
// A document file dropped on it (.pdf, .docx, … : vela::app::isSupportedDocument) is handed on as
// documentDropped, for the window to summarize.
#pragma once

#include "composer_editor.h"

#include "chat/attached_image.h"
#include "storage/chat_store.h"
#include "worker/generation_request.h"

#include <QList>
#include <QWidget>

class QLabel;
class QMimeData;
class QPushButton;

namespace vela::ui {

class AttachmentStrip;
class PaliGemmaTasks;

class Composer : public QWidget {
    Q_OBJECT

public:
    explicit Composer(QWidget* parent = nullptr);

    QPlainTextEdit* editor() const { return m_edit; }
    QString text() const;
    void setGenerating(bool generating);
    void setCanSend(bool canSend);  // false while no model is loaded

    void beginEdit(qint64 messageId, const QString& text);
    void cancelEdit();
    qint64 editingMessage() const { return m_editing; }  // 0: composing a new message

    // Images (composer_images.cpp). Each add reads and checks the image; false (with imageRejected and the
    // note) when it cannot be used. addImagesFrom takes what a drop or paste holds: image files, image data.
    bool addImageFile(const QString& path);
    bool addImageData(const QByteArray& bytes, const QString& name);
    bool addImagesFrom(const QMimeData* mime);
    QList<vela::app::MessageImage> images() const;
    AttachmentStrip* attachmentStrip() const { return m_attachments; }
    PaliGemmaTasks* taskBar() const { return m_tasks; }
    // What the loaded model does with images (VisionKind::None: no model, or a text-only one).
    void setVision(vela::app::VisionKind vision, const QString& modelName, bool hasModel);
    void showImageNote(const QString& text);  // "" hides it
    QString imageNote() const;
    void clearAfterSend();  // a message with images went: its text and images leave the box

signals:
    void sendRequested(const QString& text);
    void editSubmitted(qint64 messageId, const QString& text);
    void stopRequested();
    void imageRejected(const QString& message);
    // Instead of sendRequested when images are attached; the box keeps both until clearAfterSend().
    void sendWithImagesRequested(const QString& text, const QList<vela::app::MessageImage>& images);
    void documentDropped(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void submit();
    void updateButton();
    void fitHeight();
    // composer_images.cpp
    void setUpImages();
    void updateImageNote();
    bool attach(const Result<vela::app::AttachedImage>& read);

    QLabel* m_editNote;
    ComposerEditor* m_edit;
    QPushButton* m_button;
    QLabel* m_imageNote = nullptr;
    AttachmentStrip* m_attachments = nullptr;
    PaliGemmaTasks* m_tasks = nullptr;
    vela::app::VisionKind m_vision = vela::app::VisionKind::None;
    QString m_modelName;
    bool m_hasModel = false;
    qint64 m_editing = 0;
    bool m_generating = false;
    bool m_canSend = false;
};

}  // namespace vela::ui
