// The text of an HTML (or EPUB XHTML) page: the body without scripts, styles and other non-text elements;
// block elements (p, div, li, tr, blockquote, …) end paragraphs, <br> ends a line, <h1>…<h6> become heading
// blocks, <pre> keeps its whitespace and everything else collapses to single spaces, and character
// references (&amp; &eacute; &#8212; &#x2014;) are decoded. A small tolerant scanner rather than
// QTextDocument::setHtml: that lives in QtGui and lays the text out with fonts, which a command-line
// summary has no use for, and its plain text loses the paragraph/heading structure the planner needs.
#pragma once

#include "documents/block_builder.h"

#include <QStringView>

namespace vela::app {

// Appends the page's blocks to `out` and returns its <title> (whitespace simplified; "" when none).
QString readHtml(QStringView html, BlockBuilder& out);

// `text` with its character references decoded (unknown ones kept as written).
QString decodeHtmlEntities(QStringView text);

}  // namespace vela::app
