// Images as the window shows them: the engine's decoded pixels as a QImage, small copies for thumbnails,
// and PaliGemma's detection boxes drawn on a copy with their labels.
#pragma once

#include "chat/detections.h"
#include "storage/chat_store.h"

#include "vela/image.h"

#include <QColor>
#include <QImage>
#include <QList>

namespace vela::ui {

inline const QColor kDetectionColor{0xff, 0x2d, 0x55};

QImage toQImage(const vela::Image& image);
// Fits `image` in a maxSide × maxSide square, keeping its shape (never enlarging).
QImage scaledToFit(const QImage& image, int maxSide);
// A message's image read from its file or bytes (with the engine's decoder, as the model sees it) and scaled;
// a null QImage when it cannot be read.
QImage loadThumbnail(const vela::app::MessageImage& image, int maxSide);
// `image` with each box outlined in kDetectionColor and its label on a tab above it.
QImage drawDetections(const QImage& image, const QList<vela::app::DetectionBox>& boxes);

}  // namespace vela::ui
