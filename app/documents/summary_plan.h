// How a document will be summarized, decided before anything runs (DESIGN.md §1.3) and shown to the user:
// when the instructions, the whole document and room for the answer fit the context, one pass; otherwise
// map-reduce — the document's blocks are packed into chunks that fit with room for their summary (split on
// paragraph, heading and page boundaries; a block larger than a chunk at sentence, then line, then token
// boundaries), each chunk is summarized (map), and the summaries are combined in groups that fit, level by
// level, until one remains (reduce). Every chunk and every summary keeps the pages and sections it covers,
// so partial summaries are labelled with them and the final one can cite "(pp. 3–5)" or "(§ Results)".
//
// Threads: planSummary() is reentrant (it only tokenizes); run it off the GUI thread for long documents.
#pragma once

#include "documents/extracted_document.h"
#include "documents/summary_prompts.h"

#include "vela/model_info.h"
#include "vela/status.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace vela::app {

// Documents longer than this are refused: their summary would take days on a laptop.
inline constexpr int kMaxSummaryTokens = 5'000'000;

// The part of a document a chunk or a summary covers.
struct SourceRange {
    int firstPage = 0;  // 1-based PDF pages; 0 when the document has no pages
    int lastPage = 0;
    QStringList sections;  // the sections it covers, in order, each once ("" — before the first heading — left out)
    int firstPart = 0;     // 1-based chunk numbers of map-reduce; 0 for a single pass over the whole document
    int lastPart = 0;

    void addBlock(int page, const QString& section);
    void merge(const SourceRange& other);
    // How a summary cites it: "pp. 3–5, § Results", "p. 7", "§ Methods … § Results", "part 4", "parts 1–6".
    // Pages first, sections when there are no pages or one section, parts when neither is known. Section names
    // are cut at 40 characters.
    QString citation() const;
    bool operator==(const SourceRange&) const = default;
};

// One map pass's input: consecutive blocks of the document.
struct SummaryChunk {
    // The blocks joined by blank lines; a heading as "# Title" ("##" for level 2, …); "[p. N]" before the
    // first block of each page.
    QString text;
    int tokens = 0;        // about what `text` adds to its prompt
    int promptTokens = 0;  // the whole prompt (SummaryPrompts::tokenize) — exact
    SourceRange source;
};

// One pass of the model.
struct SummaryStep {
    SummaryPass pass = SummaryPass::Single;
    int level = 0;       // 0: reads the document (Single, Map); n: combines summaries of level n - 1 or below
    int chunk = -1;      // Single, Map: the index in SummaryPlan::chunks
    QList<int> inputs;   // Reduce: the earlier steps whose summaries it combines, in document order
    SourceRange source;  // what it covers
    // The prompt's tokens: exact for Single and Map; for Reduce an upper bound, its inputs' lengths being
    // known only when they are written (each at most its answer's maxTokens).
    int promptTokens = 0;
    AnswerBudget answer;  // what the instructions ask for and where generation is cut
};

// Measured on the device (Summarizer::measureSpeed); zero when unknown.
struct SummarySpeed {
    double promptTokensPerSecond = 0;
    double generatedTokensPerSecond = 0;
    bool isKnown() const { return promptTokensPerSecond > 0 && generatedTokensPerSecond > 0; }
};

struct SummaryPlan {
    QString title;
    int documentTokens = 0;  // all blocks' text as a prompt body
    int blockCount = 0;
    int pageCount = 0;
    int contextLength = 0;
    double tokensPerWord = 0;  // the document's, with this tokenizer
    QList<SummaryChunk> chunks;
    // In run order: every step's inputs come before it, and the last step writes the summary the user reads.
    QList<SummaryStep> steps;
    int reduceLevels = 0;  // 0 for one pass or a single chunk
    MemoryEstimate memory;  // weights + KV cache + scratch of the session (zero when no model info was given)
    SummarySpeed speed;
    // At `speed`, every answer taken to its maxTokens; -1 when unknown. `speed` is measured on a short prompt,
    // so long prompts on a device where attention dominates take longer: the runner refines it as it goes.
    double estimatedSeconds = -1;

    bool isSinglePass() const { return steps.size() == 1; }
    int mapCount() const;
    int reduceCount() const;
    const SummaryStep& finalStep() const { return steps.back(); }
    // The work a step is expected to take: seconds at `speed` when known, else a relative measure (a
    // generated token ≈ 10 prompt tokens). Remaining-time estimates scale it by what the run has measured.
    double stepCost(int step) const;
    // A few lines for the CLI's stderr and the UI: size, passes, answer lengths, time, memory.
    QString describe() const;
};

struct PlanSettings {
    int contextLength = 0;            // the session's context in tokens
    const ModelInfo* model = nullptr;  // for the memory estimate; may be null
    SummarySpeed speed;               // for the time estimate; may be unknown
};

// Fails when the document is over kMaxSummaryTokens, or the context is too small for the instructions and
// a useful chunk ("… use a context of at least N tokens").
Result<SummaryPlan> planSummary(const ExtractedDocument& document, const SummaryPrompts& prompts,
                                const PlanSettings& settings);

// "1 h 05 min", "4 min 10 s", "12 s".
QString formatDuration(double seconds);

}  // namespace vela::app
