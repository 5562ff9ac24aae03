// A document the chat is summarizing, or about to: what the window's summary panel shows. ChatController
// owns the one job at a time (summaryJob()) and says when it changed; the panel reads it again then.
//
//   Reading ─▶ Planning ─▶ Ready ─start─▶ Running ─▶ Finished
//                 ▲          │              │ stop
//                 └─options──┴──────────── Stopped ─start (resumes)─▶ Running
//
// Failed: reading or planning failed (error says why); the chat is untouched. A run that fails part-way keeps
// its partial summaries and goes to Stopped, with the error set, so it can be resumed.
#pragma once

#include "documents/extracted_document.h"
#include "documents/summarizer.h"
#include "documents/summary_plan.h"
#include "documents/summary_prompts.h"

#include <QList>
#include <QString>

namespace vela::app {

struct SummaryJob {
    enum class Stage { Reading, Planning, Ready, Running, Stopped, Finished, Failed };

    QString path;
    Stage stage = Stage::Reading;
    double readFraction = 0;          // Reading: how much of the file was read
    ExtractedDocument document;       // from Planning on
    SummaryOptions options;
    SummaryPlan plan;                 // from Ready on
    QString modelPath;                // the model the plan was made for
    QList<PartialSummary> partials;   // the finished steps, in run order (kept by a stop)
    qint64 conversationId = 0;        // Running on: where the messages below are
    qint64 questionMessageId = 0;     // Running on: the user message "Summarize …" with the document attached
    qint64 answerMessageId = 0;       // the assistant message the partials, then the summary, are written into
    QString error;                    // Failed, or why a run stopped when it was not the user

    bool isBusy() const { return stage == Stage::Reading || stage == Stage::Planning || stage == Stage::Running; }
    bool canStart() const { return stage == Stage::Ready || stage == Stage::Stopped; }
    bool resumes() const { return stage == Stage::Stopped && !partials.isEmpty(); }
};

}  // namespace vela::app
