// A PDF's text layer through Poppler (the library behind Okular and pdftotext), page by page in reading
// order. Every block keeps its 1-based page; paragraphs are found from the lines' positions (a gap above a
// line, or a jump to the next column); a bookmark (outline entry) names the section of the blocks from the
// paragraph it points at to the next bookmark. Pages without text are listed; a PDF with no text on any page
// is refused as scanned (Vela has no OCR yet), and encrypted, damaged and 0-page files get their own messages.
#pragma once

#include "documents/block_builder.h"
#include "documents/read_context.h"

namespace vela::app {

// Fills `out`, and `document`'s title, pageCount and pagesWithoutText.
Status readPdf(const QString& path, ReadContext& context, BlockBuilder& out, ExtractedDocument& document);

}  // namespace vela::app
