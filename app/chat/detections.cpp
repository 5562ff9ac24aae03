#include "chat/detections.h"

#include <QRegularExpression>

#include <algorithm>
#include <utility>

namespace vela::app {

QList<DetectionBox> parseDetections(const QString& text)
{
    static const QRegularExpression kBox(
        QStringLiteral("<loc(\\d{4})><loc(\\d{4})><loc(\\d{4})><loc(\\d{4})>([^;<]*)"));
    QList<DetectionBox> boxes;
    for (auto it = kBox.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const auto at = [&](int i) { return std::min(m.captured(i).toInt(), kLocationBins) / double(kLocationBins); };
        DetectionBox box{at(1), at(2), at(3), at(4), m.captured(5).trimmed()};
        if (box.top > box.bottom)
            std::swap(box.top, box.bottom);
        if (box.left > box.right)
            std::swap(box.left, box.right);
        boxes.append(box);
    }
    return boxes;
}

}  // namespace vela::app
