// A Word document (.docx, Office Open XML): the paragraphs (w:p) of its main part in order, with paragraphs
// of a heading style (Heading 1…6, Title, or any style or paragraph with an outline level) as heading
// blocks, table cells as paragraphs, and deleted revisions, field codes and fallback copies of drawings
// left out. No page numbers: Word decides pages only when it lays the document out.
#pragma once

#include "documents/block_builder.h"
#include "documents/read_context.h"

namespace vela::app {

// Fills `out`; `title` gets the document's dc:title ("" when none).
Status readDocx(const QString& path, ReadContext& context, BlockBuilder& out, QString& title);

}  // namespace vela::app
