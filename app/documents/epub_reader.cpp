#include "documents/epub_reader.h"

#include "documents/html_reader.h"
#include "documents/text_decoding.h"
#include "documents/zip_archive.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QUrl>
#include <QXmlStreamReader>

namespace vela::app {
namespace {

constexpr qint64 kMaxPartBytes = 256ll * 1024 * 1024;  // inflated; a zip bomb stops here

struct Package {
    QString title;
    QStringList spine;  // archive paths of the content documents, in reading order
};

Status notEpub(const ReadContext& context, const QString& why)
{
    return context.failure(QStringLiteral("is not a readable EPUB book: ") + why);
}

QString messageOf(const Status& status)
{
    return QString::fromStdString(status.message());
}

// The package document's (OPF) path, from META-INF/container.xml.
Result<QString> packagePath(const ZipArchive& zip)
{
    const Result<QByteArray> container = zip.read(QStringLiteral("META-INF/container.xml"), kMaxPartBytes);
    if (!container)
        return container.status();
    QXmlStreamReader xml(*container);
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"rootfile")
            return xml.attributes().value(QLatin1String("full-path")).toString();
    return Status::failure("META-INF/container.xml names no package document");
}

// "Text/ch%201.xhtml#s2" relative to the package in "OEBPS/" → "OEBPS/Text/ch 1.xhtml".
QString resolveHref(const QString& packageDir, const QString& href)
{
    QString path = QUrl::fromPercentEncoding(href.section('#', 0, 0).toUtf8());
    return QDir::cleanPath(packageDir.isEmpty() ? path : packageDir + '/' + path);
}

Result<Package> readPackage(const ZipArchive& zip, const QString& opfPath)
{
    const Result<QByteArray> opf = zip.read(opfPath, kMaxPartBytes);
    if (!opf)
        return opf.status();
    const QString packageDir = QFileInfo(opfPath).path() == "." ? QString() : QFileInfo(opfPath).path();
    Package package;
    QHash<QString, QString> manifest;  // id → archive path of XHTML items
    QStringList spineIds;
    QXmlStreamReader xml(*opf);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QXmlStreamAttributes a = xml.attributes();
        if (xml.name() == u"title" && package.title.isEmpty()) {
            package.title = xml.readElementText().simplified();
        } else if (xml.name() == u"item") {
            const QStringView type = a.value(QLatin1String("media-type"));
            if (type == u"application/xhtml+xml" || type == u"text/html")
                manifest.insert(a.value(QLatin1String("id")).toString(),
                                resolveHref(packageDir, a.value(QLatin1String("href")).toString()));
        } else if (xml.name() == u"itemref") {
            spineIds << a.value(QLatin1String("idref")).toString();
        }
    }
    if (xml.hasError())
        return Status::failure(QStringLiteral("%1 is not valid XML: %2").arg(opfPath, xml.errorString()).toStdString());
    for (const QString& id : spineIds)
        if (manifest.contains(id))
            package.spine << manifest.value(id);
    return package;
}

// The archive paths META-INF/encryption.xml says are encrypted (absent: none).
QSet<QString> encryptedPaths(const ZipArchive& zip)
{
    QSet<QString> paths;
    const Result<QByteArray> bytes = zip.read(QStringLiteral("META-INF/encryption.xml"), kMaxPartBytes);
    if (!bytes)
        return paths;
    QXmlStreamReader xml(*bytes);
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"CipherReference")
            paths.insert(resolveHref({}, xml.attributes().value(QLatin1String("URI")).toString()));
    return paths;
}

}  // namespace

Status readEpub(const QString& path, ReadContext& context, BlockBuilder& out, QString& title)
{
    const Result<ZipArchive> zip = ZipArchive::open(path);
    if (!zip)
        return notEpub(context, QStringLiteral("it %1").arg(messageOf(zip.status())));
    const Result<QString> opfPath = packagePath(*zip);
    if (!opfPath)
        return notEpub(context, messageOf(opfPath.status()));
    const Result<Package> package = readPackage(*zip, *opfPath);
    if (!package)
        return notEpub(context, messageOf(package.status()));
    if (package->spine.isEmpty())
        return notEpub(context, QStringLiteral("its spine lists no chapters"));
    const QSet<QString> encrypted = encryptedPaths(*zip);
    for (const QString& chapter : package->spine)
        if (encrypted.contains(chapter))
            return context.failure(QStringLiteral("is protected by DRM (its text is encrypted); Vela reads EPUB books "
                                                  "without DRM only."));
    title = package->title;
    for (qsizetype i = 0; i < package->spine.size(); ++i) {
        if (context.isCancelled())
            return ReadContext::cancelled();
        const Result<QByteArray> bytes = zip->read(package->spine[i], kMaxPartBytes);
        if (!bytes)
            return notEpub(context, messageOf(bytes.status()));
        const Result<DecodedText> text = decodeText(*bytes, package->spine[i]);
        if (!text)
            return notEpub(context, messageOf(text.status()));
        readHtml(text->text, out);
        context.reportProgress(double(i + 1) / double(package->spine.size()));
    }
    return {};
}

}  // namespace vela::app
