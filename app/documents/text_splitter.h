// Cutting a paragraph too long for one chunk of a summary into pieces that fit: at sentence ends first, then
// at line ends, then — for text with neither (a table dump, a list of URLs, Chinese without punctuation) —
// between tokens.
#pragma once

#include "vela/tokenizer.h"

#include <QStringList>

namespace vela::app {

// Consecutive pieces of `text`, each at most `maxTokens` tokens (tokenized as plain text, no special tokens),
// trimmed and never empty; joined in order they hold the text's words in order. `maxTokens` ≥ 1.
QStringList splitToFit(const QString& text, int maxTokens, const Tokenizer& tokenizer);

// Consecutive pieces of `text` of at most `maxChars` UTF-16 units, cut like splitToFit — at sentence ends,
// then line ends, then spaces, then between characters (never inside a surrogate pair) — for callers that
// size pieces by an estimate rather than a tokenizer (document passages). Trimmed, never empty; joined in
// order they hold the text's words in order. `maxChars` ≥ 2.
QStringList splitToLength(const QString& text, qsizetype maxChars);

// The sentences of `text`, trimmed: each ends with its closing punctuation (. ! ? … and the full-width
// 。！？) and any closing quotes or brackets after it; a full stop counts only before whitespace or the end,
// so "3.5" and "e.g.x" stay whole.
QStringList splitSentences(const QString& text);

}  // namespace vela::app
