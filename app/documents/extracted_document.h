// What text extraction gives the summary planner: a document as an ordered list of blocks (paragraphs and
// headings), each with the page it is on and the section it belongs to, so the planner can split on
// paragraph/heading/page boundaries and the summary can cite "p. 12" or "§ Results".
#pragma once

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

}  // namespace vela::app
