#include "documents/document_extractor.h"

#include "documents/block_builder.h"
#include "documents/docx_reader.h"
#include "documents/epub_reader.h"
#include "documents/html_reader.h"
#include "documents/pdf_reader.h"
#include "documents/plain_text_reader.h"
#include "documents/read_context.h"
#include "documents/text_decoding.h"

#include <QFile>
#include <QFileInfo>

#include <cmath>
#include <optional>

namespace vela::app {
namespace {

constexpr qint64 kReadChunkBytes = 4ll * 1024 * 1024;
// Text formats: reading the bytes is this share of the progress, decoding and splitting the rest.
constexpr double kReadShare = 0.6;

struct SuffixFormat {
    const char* suffix;
    DocumentFormat format;
};
constexpr SuffixFormat kSuffixes[] = {
    {"txt", DocumentFormat::PlainText}, {"text", DocumentFormat::PlainText}, {"md", DocumentFormat::Markdown},
    {"markdown", DocumentFormat::Markdown}, {"pdf", DocumentFormat::Pdf},     {"html", DocumentFormat::Html},
    {"htm", DocumentFormat::Html},      {"xhtml", DocumentFormat::Html},     {"docx", DocumentFormat::Docx},
    {"epub", DocumentFormat::Epub}};

std::optional<DocumentFormat> formatOf(const QFileInfo& info)
{
    const QString suffix = info.suffix().toLower();
    for (const SuffixFormat& s : kSuffixes)
        if (suffix == QLatin1String(s.suffix))
            return s.format;
    return std::nullopt;
}

// Why the file cannot be read at all, before any reader sees it (or no value when it can).
std::optional<Status> checkFile(const QFileInfo& info, const ReadContext& context)
{
    if (!info.exists())
        return context.failure(QStringLiteral("was not found: it may have been moved or deleted."));
    if (!info.isFile())
        return context.failure(QStringLiteral("is a folder, not a document."));
    if (!formatOf(info))
        return context.failure(QStringLiteral("is not a kind of document Vela reads: it reads .txt, .md, .pdf, "
                                              ".html, .docx and .epub files."));
    if (info.size() > kMaxDocumentBytes)
        return context.failure(QStringLiteral("is %1 MB; Vela reads documents up to %2 MB.")
                                   .arg(std::llround(double(info.size()) / (1024.0 * 1024.0)))
                                   .arg(kMaxDocumentBytes / (1024 * 1024)));
    if (info.size() == 0)
        return context.failure(QStringLiteral("is empty: the document has no text."));
    return std::nullopt;
}

// The whole file, read in chunks so a large one reports progress and can be cancelled.
Result<QByteArray> readFileBytes(const QString& path, const ReadContext& context)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return context.failure(QStringLiteral("cannot be opened: %1.").arg(file.errorString()));
    const qint64 size = file.size();
    QByteArray bytes(size, Qt::Uninitialized);
    qint64 done = 0;
    while (done < size) {
        if (context.isCancelled())
            return ReadContext::cancelled();
        const qint64 n = file.read(bytes.data() + done, std::min(kReadChunkBytes, size - done));
        if (n <= 0)
            return context.failure(QStringLiteral("could not be read to the end: %1.").arg(file.errorString()));
        done += n;
        context.reportProgress(double(done) / double(size));
    }
    return bytes;
}

// .txt, .md, .html: bytes → text → blocks; `title` gets an HTML page's <title>.
Status readTextDocument(const QString& path, DocumentFormat format, ReadContext& context, BlockBuilder& out,
                        QString& title)
{
    context.setProgressRange(0.0, kReadShare);
    const Result<QByteArray> bytes = readFileBytes(path, context);
    if (!bytes)
        return bytes.status();
    const Result<DecodedText> decoded = decodeText(*bytes, context.fileName());
    if (!decoded)
        return decoded.status();
    if (context.isCancelled())
        return ReadContext::cancelled();
    if (format == DocumentFormat::Markdown)
        readMarkdown(decoded->text, out);
    else if (format == DocumentFormat::Html)
        title = readHtml(decoded->text, out);
    else
        readPlainText(decoded->text, out);
    return {};
}

Status readDocument(const QString& path, ReadContext& context, BlockBuilder& out, ExtractedDocument& document)
{
    switch (document.format) {
    case DocumentFormat::Pdf: return readPdf(path, context, out, document);
    case DocumentFormat::Docx: return readDocx(path, context, out, document.title);
    case DocumentFormat::Epub: return readEpub(path, context, out, document.title);
    case DocumentFormat::PlainText:
    case DocumentFormat::Markdown:
    case DocumentFormat::Html: return readTextDocument(path, document.format, context, out, document.title);
    }
    return Status::failure("unknown document format");
}

}  // namespace

Result<ExtractedDocument> extractDocument(const QString& path, const ExtractOptions& options)
{
    const QFileInfo info(path);
    ReadContext context(info.fileName(), options);
    if (std::optional<Status> problem = checkFile(info, context))
        return std::move(*problem);
    context.reportProgress(0.0);

    ExtractedDocument document;
    document.path = info.absoluteFilePath();
    document.format = *formatOf(info);
    BlockBuilder blocks;
    if (Status status = readDocument(path, context, blocks, document); !status)
        return status;
    if (context.isCancelled())
        return ReadContext::cancelled();
    if (blocks.isEmpty())
        return context.failure(QStringLiteral("has no text: the document is empty."));
    if (document.title.isEmpty() && document.format == DocumentFormat::Markdown)
        document.title = blocks.firstHeading();
    if (document.title.isEmpty())
        document.title = info.completeBaseName();
    document.blocks = blocks.takeBlocks();
    context.setProgressRange(0.0, 1.0);
    context.reportProgress(1.0);
    return document;
}

QStringList supportedDocumentSuffixes()
{
    QStringList suffixes;
    for (const SuffixFormat& s : kSuffixes)
        suffixes << QString::fromLatin1(s.suffix);
    return suffixes;
}

bool isSupportedDocument(const QString& path)
{
    return formatOf(QFileInfo(path)).has_value();
}

}  // namespace vela::app
