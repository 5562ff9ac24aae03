// The images attached to the message being written: a row of thumbnails above the message box, each with a
// × button that takes it off again, and its name and size in a tooltip. Hidden while empty.
#pragma once

#include "storage/chat_store.h"

#include <QImage>
#include <QList>
#include <QWidget>

class QHBoxLayout;
class QToolButton;

namespace vela::ui {

class AttachmentStrip : public QWidget {
    Q_OBJECT

public:
    static constexpr int kThumbnailSide = 64;  // px

    explicit AttachmentStrip(QWidget* parent = nullptr);

    void addImage(const vela::app::MessageImage& image, const QImage& picture);
    void removeImage(int index);
    void clear();
    int count() const { return m_images.size(); }
    const QList<vela::app::MessageImage>& images() const { return m_images; }
    QToolButton* removeButton(int index) const;  // the × on thumbnail `index`
    QWidget* tile(int index) const;

signals:
    void changed();

private:
    QWidget* makeTile(const vela::app::MessageImage& image, const QImage& picture);

    QHBoxLayout* m_row;
    QList<vela::app::MessageImage> m_images;
    QList<QWidget*> m_tiles;
};

}  // namespace vela::ui
