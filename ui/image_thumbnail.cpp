#include "image_thumbnail.h"

#include <QFile>
#include <QFontMetrics>
#include <QPainter>

#include <span>

namespace vela::ui {

QImage toQImage(const vela::Image& image)
{
    if (image.width == 0 || image.height == 0)
        return {};
    const QImage view(image.rgb.data(), int(image.width), int(image.height), int(image.width) * 3, QImage::Format_RGB888);
    return view.copy();  // owns its pixels
}

QImage scaledToFit(const QImage& image, int maxSide)
{
    if (image.isNull() || (image.width() <= maxSide && image.height() <= maxSide))
        return image;
    return image.scaled(maxSide, maxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

QImage loadThumbnail(const vela::app::MessageImage& image, int maxSide)
{
    QByteArray bytes = image.bytes;
    if (bytes.isEmpty()) {
        QFile file(image.path);
        if (image.path.isEmpty() || !file.open(QIODevice::ReadOnly))
            return {};
        bytes = file.readAll();
    }
    const std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    Result<vela::Image> decoded = vela::decodeImage(data, image.name.toStdString());
    return decoded ? scaledToFit(toQImage(*decoded), maxSide) : QImage();
}

QImage drawDetections(const QImage& image, const QList<vela::app::DetectionBox>& boxes)
{
    QImage canvas = image.convertToFormat(QImage::Format_RGB32);
    QPainter painter(&canvas);
    painter.setRenderHint(QPainter::Antialiasing, false);  // crisp, exact edges
    QFont font = painter.font();
    font.setPixelSize(std::max(10, canvas.height() / 22));
    font.setBold(true);
    painter.setFont(font);
    const QFontMetrics metrics(font);
    for (const vela::app::DetectionBox& box : boxes) {
        const QRect rect(QPoint(int(box.left * canvas.width()), int(box.top * canvas.height())),
                         QPoint(int(box.right * canvas.width()) - 1, int(box.bottom * canvas.height()) - 1));
        painter.setPen(QPen(kDetectionColor, 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect.adjusted(1, 1, -1, -1));
        if (box.label.isEmpty())
            continue;
        const QString label = metrics.elidedText(box.label, Qt::ElideRight, std::max(rect.width(), 40));
        QRect tab(rect.topLeft(), QSize(metrics.horizontalAdvance(label) + 8, metrics.height() + 2));
        if (tab.top() - tab.height() >= 0)
            tab.moveBottom(rect.top() - 1);  // above the box when there is room
        painter.fillRect(tab, kDetectionColor);
        painter.setPen(Qt::white);
        painter.drawText(tab, Qt::AlignCenter, label);
    }
    return canvas;
}

}  // namespace vela::ui
