#include "documents/extracted_document.h"

namespace vela::app {

QString documentFormatName(DocumentFormat format)
{
    switch (format) {
    case DocumentFormat::PlainText: return QStringLiteral("text");
    case DocumentFormat::Markdown: return QStringLiteral("markdown");
    case DocumentFormat::Pdf: return QStringLiteral("pdf");
    case DocumentFormat::Html: return QStringLiteral("html");
    case DocumentFormat::Docx: return QStringLiteral("docx");
    case DocumentFormat::Epub: return QStringLiteral("epub");
    }
    return {};
}

QString ExtractedDocument::plainText() const
{
    QString out;
    out.reserve(characterCount() + 2 * blocks.size());
    for (const DocumentBlock& b : blocks) {
        if (!out.isEmpty())
            out += QStringLiteral("\n\n");
        out += b.text;
    }
    return out;
}

qsizetype ExtractedDocument::characterCount() const
{
    qsizetype n = 0;
    for (const DocumentBlock& b : blocks)
        n += b.text.size();
    return n;
}

}  // namespace vela::app
