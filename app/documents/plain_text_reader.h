// Plain text and Markdown (already decoded, newlines '\n') into blocks. Paragraphs are separated by blank
// lines; their lines are kept. Markdown stays Markdown text, but its ATX (# …) and setext (===, ---)
// headings become heading blocks, the section boundaries the planner splits on; a fenced code block is one
// paragraph and a '#' inside it is not a heading.
#pragma once

#include "documents/block_builder.h"

#include <QStringView>

namespace vela::app {

void readPlainText(QStringView text, BlockBuilder& out);
void readMarkdown(QStringView text, BlockBuilder& out);

}  // namespace vela::app
