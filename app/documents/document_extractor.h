// Text extraction for document summaries (DESIGN.md §1.3): a .txt/.md/.pdf/.html/.docx/.epub file becomes an
// ExtractedDocument — paragraphs and headings in reading order, with PDF page numbers and section headings —
// or a message a user can act on (encrypted, scanned, empty, too large, not text, damaged).
//
// Threads: extractDocument() is synchronous and can take seconds on a large PDF, so call it off the GUI thread
// (the inference worker, a QtConcurrent task, a command-line tool). It is reentrant and thread-safe: calls
// share no state and may run at the same time on different threads, each on its own file. `progress` is
// called on the calling thread; `cancel` may be set from any thread.
#pragma once

#include "documents/extracted_document.h"
#include "vela/status.h"

#include <QStringList>

#include <atomic>
#include <functional>

namespace vela::app {

// Files larger than this are refused before any byte is read.
inline constexpr qint64 kMaxDocumentBytes = 200ll * 1024 * 1024;
// The message of a cancelled extraction.
inline constexpr char kExtractionCancelled[] = "cancelled";

struct ExtractOptions {
    // The fraction done (0…1), rising; called at least once at 0 and once at 1 on success, at most every
    // page, zip entry or 4 MiB read.
    std::function<void(double fraction)> progress;
    // Checked at the same points: once it is true, extraction stops and fails with kExtractionCancelled.
    const std::atomic<bool>* cancel = nullptr;
};

// The document's text, chosen by `path`'s extension (case-insensitive, see supportedDocumentSuffixes()).
// On failure the message names the file and says what is wrong and, where there is one, what to do:
// unsupported extension, missing/unreadable file, over kMaxDocumentBytes, empty, binary data in a text
// file, an encrypted / damaged / 0-page / scanned (no text layer) PDF, a damaged or DRM-protected
// DOCX/EPUB, no text at all, cancelled.
Result<ExtractedDocument> extractDocument(const QString& path, const ExtractOptions& options = {});

// Lower-case extensions extractDocument() reads, without dots: for file dialogs and drop filters.
QStringList supportedDocumentSuffixes();
bool isSupportedDocument(const QString& path);

}  // namespace vela::app
