// Follow-up questions about a summarized document (issue 7): the document's text stays attached to the
// conversation, and each question is answered from the passages most relevant to it, cited by page or
// section. This file picks those passages; ChatController puts them into the prompt.
//
// Threads: reentrant (no shared state); countTokens is called from the calling thread.
#pragma once

#include "documents/extracted_document.h"
#include "documents/summary_plan.h"

#include <QList>
#include <QString>

#include <functional>

namespace vela::app {

struct DocumentPassage {
    // Consecutive blocks joined by blank lines, a heading as "# Title" ("##" for level 2, …) as in a summary's
    // chunks; a block too long for one passage is cut at sentences, then lines, then words.
    QString text;
    SourceRange source;  // its pages and sections (citation(): "p. 3", "§ Results"); parts are not used
    int tokens = 0;      // countTokens(text)
    double score = 0;    // its BM25 score for the question; 0 for the introduction given when nothing matched
};

// The passages of `document` most relevant to `question`, that fit `tokenBudget` tokens together (the sum of
// their `tokens`; passagesForPrompt's labels and blank lines come on top, a few tokens a passage), in document
// order.
//
// Passages are consecutive blocks of about `passageTokens` tokens (at most `tokenBudget`), split on paragraph
// boundaries, and on heading and page boundaries once half full, so most cite one page or one section. Their
// size is estimated from the document's tokens per character, measured with countTokens on a sample of its
// blocks; only the passages considered for the answer are counted exactly.
//
// Ranking: BM25 over case-folded words (runs of Unicode letters, digits and marks; a Chinese or Japanese
// character is a word of its own), without a small list of English stop words and with a crude English suffix
// strip so "summaries" meets "summary". The sections a passage belongs to count as words of that passage, so
// a question naming a section finds the text under its heading. Passages with a score above 0 are taken best
// first while they fit.
//
// A question that shares no word with the document gets the document's first passages — its introduction —
// as many as fit: the best context there is for "what is this about?". An empty document or a budget of 0 or
// less gives an empty list.
QList<DocumentPassage> relevantPassages(const ExtractedDocument& document, const QString& question, int tokenBudget,
                                        const std::function<int(const QString&)>& countTokens, int passageTokens = 200);

// The passages as a prompt carries them: "[p. 3]\n<text>" blocks separated by blank lines; "[excerpt]" for a
// passage of a document with neither pages nor sections.
QString passagesForPrompt(const QList<DocumentPassage>& passages);

}  // namespace vela::app
