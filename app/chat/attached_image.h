// Images the user attaches to a message (a dropped file, pasted data), read and checked before they join it:
// decoded with the engine's reader, so a file that is not an image, is cut short or is too big is refused at
// once with a sentence naming it ("cannot read image 'x.png': …"), and what is accepted is exactly what the
// model will see. The pixels come along for the thumbnail.
#pragma once

#include "storage/chat_store.h"

#include "vela/image.h"
#include "vela/status.h"

#include <QByteArray>
#include <QString>

namespace vela::app {

struct AttachedImage {
    MessageImage image;  // name, the file's bytes, and its path when it came from a file
    Image pixels;
};

// The name a pasted image goes by in messages.
QString pastedImageName();

// Whether a dropped file is meant as an image (by its extension: png, jpg, jpeg, bmp, gif, tga).
bool isImageFileName(const QString& path);

Result<AttachedImage> readImageFile(const QString& path);
Result<AttachedImage> readImageData(const QByteArray& bytes, const QString& name);

}  // namespace vela::app
