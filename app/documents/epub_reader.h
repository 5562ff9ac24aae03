// An EPUB book: the XHTML documents of its spine, in reading order, each through the HTML reader (so its
// <h1>…<h6> are the sections). Books whose text is encrypted (DRM) are refused; obfuscated fonts, which
// many books have, are not text and do not matter. No page numbers: an e-book has none.
#pragma once

#include "documents/block_builder.h"
#include "documents/read_context.h"

namespace vela::app {

// Fills `out`; `title` gets the book's dc:title ("" when none).
Status readEpub(const QString& path, ReadContext& context, BlockBuilder& out, QString& title);

}  // namespace vela::app
