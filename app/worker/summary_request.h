// What the UI asks the inference worker for when it summarizes a document, and what comes back (DESIGN.md
// §1.3, §6): reading the file, planning its summary with the loaded model's tokenizer, and running the plan.
// Plain values copied across threads through queued connections (registered by registerWorkerTypes()).
#pragma once

#include "chat/prompt_builder.h"
#include "documents/extracted_document.h"
#include "documents/summarizer.h"
#include "documents/summary_plan.h"
#include "documents/summary_prompts.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace vela::app {

// Plan the summary of `document` for the loaded model and its session's context.
struct SummaryPlanRequest {
    quint64 requestId = 0;  // echoed in the answer, so a stale one can be told apart
    ExtractedDocument document;
    SummaryOptions options;
    PromptBuilder format;  // the chat template the prompts go through (the controller's, with any override)
};

// Run a plan made by the worker for the same model: `resume` holds the partial summaries of an earlier,
// cancelled run of the same plan (only the steps after them run).
struct SummaryRunRequest {
    quint64 requestId = 0;
    QString title;  // the document's, named in the instructions (the plan's title)
    SummaryOptions options;
    PromptBuilder format;
    SummaryPlan plan;
    QList<PartialSummary> resume;
};

// SummaryProgress without its pointer: what crosses the thread. A finished step comes as summaryPartial.
struct SummaryProgressInfo {
    quint64 requestId = 0;
    int stepsDone = 0;
    int stepsTotal = 0;
    double stepFraction = 0;        // of the running step's prompt processed
    double elapsedSeconds = 0;      // this run's (a resumed run starts at 0)
    double remainingSeconds = -1;   // -1: not known yet
};

}  // namespace vela::app

Q_DECLARE_METATYPE(vela::app::ExtractedDocument)
Q_DECLARE_METATYPE(vela::app::SummaryOptions)
Q_DECLARE_METATYPE(vela::app::SummaryPlan)
Q_DECLARE_METATYPE(vela::app::PartialSummary)
Q_DECLARE_METATYPE(vela::app::SummaryOutcome)
Q_DECLARE_METATYPE(vela::app::SummaryPlanRequest)
Q_DECLARE_METATYPE(vela::app::SummaryRunRequest)
Q_DECLARE_METATYPE(vela::app::SummaryProgressInfo)
