#include "documents/zip_archive.h"

#include <QFile>

#include <zip.h>

namespace vela::app {
namespace {

QString entryFailure(const QString& name, const char* what)
{
    return QStringLiteral("%1 in the archive %2").arg(name, QString::fromUtf8(what));
}

Status failure(const QString& message)
{
    return Status::failure(message.toStdString());
}

}  // namespace

void ZipArchive::Closer::operator()(zip* archive) const
{
    zip_discard(archive);  // read-only: nothing to write back
}

Result<ZipArchive> ZipArchive::open(const QString& path)
{
    int error = 0;
    zip* archive = zip_open(QFile::encodeName(path).constData(), ZIP_RDONLY, &error);
    if (!archive) {
        const bool notZip = error == ZIP_ER_NOZIP || error == ZIP_ER_INCONS;
        return failure(notZip ? QStringLiteral("is not a zip archive") : QStringLiteral("cannot be read"));
    }
    return ZipArchive(archive);
}

long long ZipArchive::locate(const QString& name) const
{
    const QByteArray utf8 = name.toUtf8();
    const zip_int64_t exact = zip_name_locate(m_zip.get(), utf8.constData(), 0);
    return exact >= 0 ? exact : zip_name_locate(m_zip.get(), utf8.constData(), ZIP_FL_NOCASE);
}

bool ZipArchive::contains(const QString& name) const
{
    return locate(name) >= 0;
}

Result<QByteArray> ZipArchive::read(const QString& name, qint64 maxBytes) const
{
    const long long index = locate(name);
    if (index < 0)
        return failure(entryFailure(name, "is missing"));
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(m_zip.get(), zip_uint64_t(index), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE))
        return failure(entryFailure(name, "is damaged"));
    if (stat.size > zip_uint64_t(maxBytes))
        return failure(QStringLiteral("%1 in the archive is %2 MB once unpacked, more than Vela reads (%3 MB)")
                           .arg(name)
                           .arg(stat.size >> 20)
                           .arg(maxBytes >> 20));
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen_index(m_zip.get(), zip_uint64_t(index), 0),
                                                           zip_fclose);
    if (!file) {
        const int code = zip_error_code_zip(zip_get_error(m_zip.get()));
        const bool locked = code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP;
        return failure(entryFailure(name, locked ? "is encrypted" : "cannot be unpacked"));
    }
    QByteArray bytes(qsizetype(stat.size), Qt::Uninitialized);
    // libzip checks the entry's CRC when the last byte is read, so damage shows up as a short or failed read.
    const zip_int64_t n = zip_fread(file.get(), bytes.data(), stat.size);
    if (n < 0 || zip_uint64_t(n) != stat.size)
        return failure(entryFailure(name, "is damaged"));
    return bytes;
}

}  // namespace vela::app
