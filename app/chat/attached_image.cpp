#include "chat/attached_image.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <span>

namespace vela::app {

QString pastedImageName()
{
    return QCoreApplication::translate("AttachedImage", "pasted image");
}

bool isImageFileName(const QString& path)
{
    static const QStringList kExtensions{"png", "jpg", "jpeg", "jpe", "bmp", "gif", "tga"};
    return kExtensions.contains(QFileInfo(path).suffix().toLower());
}

Result<AttachedImage> readImageFile(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure("cannot read image '" + name.toStdString() + "': " + file.errorString().toStdString());
    // The engine's own limit on encoded files, checked before reading it all in.
    if (static_cast<uint64_t>(file.size()) > kMaxImageFileBytes)
        return Status::failure(QStringLiteral("cannot read image '%1': the file is %2 MiB; Vela reads image files up to %3 MiB")
                                   .arg(name)
                                   .arg((file.size() + (1 << 20) - 1) >> 20)
                                   .arg(kMaxImageFileBytes >> 20)
                                   .toStdString());
    Result<AttachedImage> read = readImageData(file.readAll(), name);
    if (read)
        read->image.path = QFileInfo(path).absoluteFilePath();
    return read;
}

Result<AttachedImage> readImageData(const QByteArray& bytes, const QString& name)
{
    const std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    Result<Image> pixels = decodeImage(data, name.toStdString());
    if (!pixels)
        return pixels.status();
    AttachedImage attached;
    attached.image.name = name;
    attached.image.bytes = bytes;
    attached.pixels = std::move(pixels).value();
    return attached;
}

}  // namespace vela::app
