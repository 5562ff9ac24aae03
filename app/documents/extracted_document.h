// What text extraction gives the summary planner: a document as an ordered list of blocks (paragraphs and
// headings), each with the page it is on and the section it belongs to, so the planner can split on
// paragraph/heading/page boundaries and the summary can cite "p. 12" or "§ Results".
#pragma once

#include "vela/status.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace vela::app {

enum class DocumentFormat { PlainText, Markdown, Pdf, Html, Docx, Epub };

// "text", "markdown", "pdf", "html", "docx", "epub".
QString documentFormatName(DocumentFormat format);

struct DocumentBlock {
    enum class Kind { Paragraph, Heading };

    Kind kind = Kind::Paragraph;
    // Paragraph: its text, with '\n' between the source's lines where it has them (text, Markdown and PDF
    // lines, <br>, <pre>, Word line breaks). Heading: the heading's own text without markup, on one line.
    // Never empty; no leading or trailing whitespace.
    QString text;
    int headingLevel = 0;  // 1…6 for a heading (Markdown #…######, <h1>…<h6>, Word "heading N"); 0 otherwise
    int page = 0;          // 1-based page of a PDF; 0 for formats without pages
    // The innermost heading at or above this block ("" before the first heading); a heading's own text for
    // a heading block.
    QString section;

    bool isHeading() const { return kind == Kind::Heading; }
};

struct ExtractedDocument {
    QString path;  // absolute
    // The document's own title (PDF/DOCX/EPUB metadata, HTML <title>, Markdown's first heading), else the
    // file name without its extension.
    QString title;
    DocumentFormat format = DocumentFormat::PlainText;
    QList<DocumentBlock> blocks;  // in reading order; never empty after a successful extraction
    int pageCount = 0;            // PDF: pages in the file; 0 for formats without pages
    QList<int> pagesWithoutText;  // PDF: pages with no text layer (scanned or pictures only), skipped

    // All blocks' text, separated by blank lines (what a single-pass prompt would carry).
    QString plainText() const;
    qsizetype characterCount() const;
};

// The extracted document as it is stored with a conversation (ChatStore's Attachment::extractedText of a
// document), so follow-up questions can be answered from it later. Compact JSON, UTF-8:
//   {"format":"vela-document-v1","path":…,"title":…,"format_name":"pdf","page_count":12,
//    "pages_without_text":[4],"blocks":[{"k":"h","t":"Results","l":2,"p":3,"s":"Results"},{"k":"p","t":…,"p":3,"s":…}]}
// A block's "l" is written for headings only, "p" when it is above 0, "s" when it is not empty.
QByteArray documentToJson(const ExtractedDocument& document);
// Reads what documentToJson wrote. The text may come from a damaged or imported database, so everything is
// checked (format tag, types, an empty block list or text, heading levels 1…6, pages 0…page_count) and any
// flaw is a failure saying what is wrong, never a crash or a half-read document.
Result<ExtractedDocument> documentFromJson(const QByteArray& json);

}  // namespace vela::app
