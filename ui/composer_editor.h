// The composer's text box: a QPlainTextEdit that hands images — dropped image files, pasted image data — to
// its owner instead of inserting their names or nothing, and takes every other text as usual. Both drops and
// pastes reach insertFromMimeData, so this one place catches each way an image comes in.
#pragma once

#include <QPlainTextEdit>

#include <functional>

class QMimeData;

namespace vela::ui {

class ComposerEditor : public QPlainTextEdit {
    Q_OBJECT

public:
    using ImageHandler = std::function<bool(const QMimeData*)>;  // true: the data was images, handled

    explicit ComposerEditor(QWidget* parent = nullptr) : QPlainTextEdit(parent) {}
    void setImageHandler(ImageHandler handler) { m_images = std::move(handler); }
    static bool holdsImages(const QMimeData* mime);

protected:
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;

private:
    ImageHandler m_images;
};

}  // namespace vela::ui
