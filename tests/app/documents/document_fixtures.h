// Documents the extraction tests write for themselves: zip packages (DOCX, EPUB) through libzip, PDFs laid
// out by hand object by object (0 pages, bookmarks, RC4 encryption — what QPdfWriter cannot make), PDFs
// drawn with QPdfWriter, and large generated texts.
#pragma once

#include "documents/extracted_document.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace vela::test {

// Blocks as the extractor makes them: a paragraph under `section`, and a heading (its own section).
vela::app::DocumentBlock paragraph(const QString& text, int page = 0, const QString& section = {});
vela::app::DocumentBlock heading(const QString& text, int level = 1, int page = 0);

// Writes `bytes` to `path` (folders created); false on failure.
bool writeBytes(const QString& path, const QByteArray& bytes);

// A zip file with these entries (name, content), deflated except "mimetype" (EPUB wants it stored).
using ZipEntries = QList<QPair<QString, QByteArray>>;
bool writeZip(const QString& path, const ZipEntries& entries);

// A small Word document: headings through localised style ids, a table, a text box (with the fallback copy
// Word adds), a tracked deletion and a field code; title "Annual Report".
ZipEntries sampleDocx();
// A two-chapter EPUB, "A Small Book", whose manifest order differs from its spine order and whose font is
// obfuscated; `drm` also lists chapter two in META-INF/encryption.xml.
ZipEntries sampleEpub(bool drm);

// A PDF made of `objects` (object i + 1 is objects[i]; object 1 must be the catalog), with a correct
// cross-reference table. `trailerExtra` goes into the trailer dictionary (e.g. "/Encrypt 9 0 R /ID [...]").
QByteArray assemblePdf(const QList<QByteArray>& objects, const QByteArray& trailerExtra = {});
// A PDF whose catalog has an empty page tree (/Count 0).
QByteArray zeroPagePdf();

struct PdfPageText {
    // Drawn top-down in Helvetica 12, baselines at y = 720, 706, 692, … (14 points apart); "" leaves a gap.
    QStringList lines;
};
struct PdfBookmark {
    QString title;
    int page = 1;       // 1-based
    double top = -1.0;  // the y (points from the bottom) it shows at the window's top; -1: the whole page
};
// A Helvetica text PDF, one content stream per page, with an outline of `bookmarks`.
QByteArray textPdf(const QList<PdfPageText>& pages, const QList<PdfBookmark>& bookmarks = {});
// The same kind of PDF encrypted with the standard security handler (RC4, 40-bit, revision 2): opening it
// needs `userPassword`. Poppler unlocks it with that password, so it is a real encrypted file.
QByteArray encryptedTextPdf(const QList<PdfPageText>& pages, const QByteArray& userPassword);

// A PDF drawn with QPdfWriter (needs a QGuiApplication): page i holds pageParagraphs[i], each paragraph
// drawn as its own block with a gap after it, in DejaVu Sans of `pointSize`. `title` becomes the document
// information's Title.
bool writeQtPdf(const QString& path, const QList<QStringList>& pageParagraphs, const QString& title,
                int pointSize = 11);
// A QPdfWriter PDF of `pages` pages holding only pictures: what a scanner makes.
bool writeScannedPdf(const QString& path, int pages);

// Deterministic English-like prose: `words` words from a fixed vocabulary, sentences and capitals included.
QString proseWords(int words, unsigned seed);

}  // namespace vela::test
