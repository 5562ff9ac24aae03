#include "attachment_strip.h"

#include "image_thumbnail.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QToolButton>

namespace vela::ui {

AttachmentStrip::AttachmentStrip(QWidget* parent) : QWidget(parent), m_row(new QHBoxLayout(this))
{
    setObjectName("attachmentStrip");
    m_row->setContentsMargins(0, 0, 0, 0);
    m_row->setSpacing(8);
    m_row->addStretch(1);
    hide();
}

QWidget* AttachmentStrip::makeTile(const vela::app::MessageImage& image, const QImage& picture)
{
    auto* tile = new QWidget(this);
    tile->setObjectName("attachedImage");
    tile->setFixedSize(kThumbnailSide + 8, kThumbnailSide + 8);
    auto* thumbnail = new QLabel(tile);
    thumbnail->setAlignment(Qt::AlignCenter);
    thumbnail->setGeometry(0, 4, kThumbnailSide + 4, kThumbnailSide + 4);
    thumbnail->setPixmap(QPixmap::fromImage(scaledToFit(picture, kThumbnailSide)));
    thumbnail->setStyleSheet("QLabel { border: 1px solid palette(mid); border-radius: 4px; }");
    tile->setToolTip(tr("%1 · %2×%3 · %4")
                         .arg(image.name)
                         .arg(picture.width())
                         .arg(picture.height())
                         .arg(QLocale::system().formattedDataSize(image.bytes.size(), 1)));
    // The × sits on the thumbnail's corner, where file chips in chat apps put it.
    auto* remove = new QToolButton(tile);
    remove->setObjectName("removeImage");
    remove->setText(QStringLiteral("×"));
    remove->setToolTip(tr("Remove %1").arg(image.name));
    remove->setAutoRaise(false);
    remove->setFixedSize(20, 20);
    remove->move(tile->width() - remove->width(), 0);
    remove->setStyleSheet("QToolButton { border-radius: 10px; background: #444; color: white; font-weight: bold; }"
                          "QToolButton:hover { background: #b3261e; }");
    connect(remove, &QToolButton::clicked, this, [this, tile] { removeImage(m_tiles.indexOf(tile)); });
    return tile;
}

void AttachmentStrip::addImage(const vela::app::MessageImage& image, const QImage& picture)
{
    QWidget* tile = makeTile(image, picture);
    m_row->insertWidget(m_tiles.size(), tile);  // before the stretch
    m_images.append(image);
    m_tiles.append(tile);
    show();
    emit changed();
}

void AttachmentStrip::removeImage(int index)
{
    if (index < 0 || index >= m_tiles.size())
        return;
    delete m_tiles.takeAt(index);
    m_images.removeAt(index);
    setVisible(!m_tiles.isEmpty());
    emit changed();
}

void AttachmentStrip::clear()
{
    if (m_tiles.isEmpty())
        return;
    qDeleteAll(m_tiles);
    m_tiles.clear();
    m_images.clear();
    hide();
    emit changed();
}

QToolButton* AttachmentStrip::removeButton(int index) const
{
    return index >= 0 && index < m_tiles.size() ? m_tiles[index]->findChild<QToolButton*>("removeImage") : nullptr;
}

QWidget* AttachmentStrip::tile(int index) const
{
    return index >= 0 && index < m_tiles.size() ? m_tiles[index] : nullptr;
}

}  // namespace vela::ui
