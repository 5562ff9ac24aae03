// Runs a SummaryPlan on a model (DESIGN.md §1.3): every step's prompt through the model's chat template (or
// plain text), generation greedy (or at a low temperature) up to the step's token limit, the partial summaries
// fed to the reduce steps with their page and section labels, and the last step's answer as the summary.
//
// One session serves every step: each prompt re-runs only what follows the longest prefix the session already
// holds (the template and instructions stay cached from one chunk to the next, Session::keepCachedPrefix),
// and nothing is allocated per step, so device memory is the session's fixed KV cache and scratch however
// long the document is. The engine processes prompts in batches with flash-style attention, so a long
// single-pass prompt needs no memory quadratic in its length.
//
// A cancelled run can be resumed: pass its partial summaries back (SummaryRunOptions::resume) and only the
// steps after them run.
//
// Threads: like extractDocument(), run() is synchronous and can take minutes; call it on the thread that owns
// the session (the inference worker, a command-line tool). Summarizers share no state: several may run at
// once, each on its own session. `progress` is called on the calling thread; `cancel` may be set from any
// thread, and is checked between prompt batches and between generated tokens. To stop a long prompt batch
// sooner, also call Session::cancel().
#pragma once

#include "documents/summary_plan.h"
#include "documents/summary_prompts.h"

#include "vela/language_model.h"

#include <QList>
#include <QString>

#include <atomic>
#include <functional>

namespace vela::app {

// One finished step's answer.
struct PartialSummary {
    int step = 0;  // the index in SummaryPlan::steps
    SummaryPass pass = SummaryPass::Map;
    int level = 0;
    int number = 0;  // 1-based among the plan's steps of the same pass: chunk i of mapCount(), combine j of reduceCount()
    SourceRange source;
    QString text;             // trimmed; a cut-off answer ends at its last complete sentence where there is one
    bool truncated = false;   // generation reached the step's maxTokens
    int promptTokens = 0;
    int reusedTokens = 0;     // of promptTokens, kept in the session from the step before
    int generatedTokens = 0;
    double seconds = 0;
};

struct SummaryProgress {
    int stepsDone = 0;
    int stepsTotal = 0;
    double stepFraction = 0;        // of the running step's prompt processed (0…1)
    double elapsedSeconds = 0;
    double remainingSeconds = -1;   // from the plan's step costs scaled by the time measured so far; -1 unknown
    const PartialSummary* finished = nullptr;  // set when a step has just finished, else null (prompt progress)
};

struct SummaryRunOptions {
    // Called after each prompt batch and each finished step.
    std::function<void(const SummaryProgress&)> progress;
    // Once true, the run stops at the next check and returns the steps finished so far.
    const std::atomic<bool>* cancel = nullptr;
    // The partial summaries of an earlier, cancelled run of the same plan (its outcome's `partials`): those
    // steps are not run again, so a restart goes on where the cancel stopped. They count as done in the
    // progress, not in this run's tokens and seconds.
    QList<PartialSummary> resume;
};

struct SummaryOutcome {
    Status status;           // a failure carries the session's message; the partials before it are kept
    bool cancelled = false;
    QString summary;         // the last step's text; empty when cancelled or failed
    QList<PartialSummary> partials;  // every finished step, in run order, the final one included
    // This run's work (resumed steps left out):
    int promptTokens = 0;
    int reusedTokens = 0;
    int generatedTokens = 0;
    double seconds = 0;

    bool isComplete() const { return status.isOk() && !cancelled; }
};

class Summarizer {
public:
    // `session` must have the plan's context (or more); `prompts` must be the ones the plan was made with. Both
    // must outlive the summarizer.
    Summarizer(Session& session, const SummaryPrompts& prompts);

    // Times prompt processing and generation on `sample` (repeated or cut to half the context, at most 512
    // tokens, then 16 generated tokens) for the plan's time estimate, and leaves the session empty.
    Result<SummarySpeed> measureSpeed(const QString& sample);
    // What measureSpeed is given for `document`: its first few thousand characters.
    static QString speedSample(const ExtractedDocument& document);

    SummaryOutcome run(const SummaryPlan& plan, const SummaryRunOptions& options = {});

private:
    class Run;

    Session& m_session;
    const SummaryPrompts& m_prompts;
};

}  // namespace vela::app
