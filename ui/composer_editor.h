// The composer's text box: a QPlainTextEdit that hands images — dropped image files, pasted image data — to
// its owner instead of inserting their names or nothing, and takes every other text as usual. Both drops and
// pastes reach insertFromMimeData, so this one place catches each way an image comes in. A document file
// (a .pdf, .docx, … to summarize) goes to its owner the same way, instead of its URL becoming text.
#pragma once

#include <QPlainTextEdit>

#include <functional>

class QMimeData;

namespace vela::ui {

class ComposerEditor : public QPlainTextEdit {
    Q_OBJECT

public:
    using ImageHandler = std::function<bool(const QMimeData*)>;  // true: the data was images, handled
    using DocumentHandler = std::function<void(const QString& path)>;

    explicit ComposerEditor(QWidget* parent = nullptr) : QPlainTextEdit(parent) {}
    void setImageHandler(ImageHandler handler) { m_images = std::move(handler); }
    static bool holdsImages(const QMimeData* mime);
    void setDocumentHandler(DocumentHandler handler) { m_documents = std::move(handler); }
    // The first local file `mime` holds that vela::app::isSupportedDocument() reads; "" if none.
    static QString droppedDocument(const QMimeData* mime);

protected:
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;

private:
    ImageHandler m_images;
    DocumentHandler m_documents;
};

}  // namespace vela::ui
