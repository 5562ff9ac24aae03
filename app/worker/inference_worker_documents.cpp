// InferenceWorker's documents: reading a file's text, planning its summary with the loaded model, and running
// the plan on the worker's session (the chat's KV cache is reused by the next turn where its prefix survives).
// Extraction runs here too, off the GUI thread, and a stop cancels it between pages or 4 MiB reads.
#include "worker/inference_worker.h"

#include "documents/document_extractor.h"

namespace vela::app {
namespace {

constexpr double kReadProgressStep = 0.01;

}  // namespace

void InferenceWorker::readDocument(quint64 requestId, const QString& path)
{
    if (m_shutDown.load())
        return;
    m_stop.store(false);
    double reported = -1;
    ExtractOptions options;
    options.cancel = &m_stop;
    options.progress = [&](double fraction) {
        if (fraction >= 1.0 || fraction - reported >= kReadProgressStep) {
            reported = fraction;
            emit documentReadProgress(requestId, fraction);
        }
    };
    Result<ExtractedDocument> document = extractDocument(path, options);
    if (!document)
        emit documentFailed(requestId, QString::fromStdString(document.message()));
    else
        emit documentRead(requestId, *document);
}

void InferenceWorker::planSummary(const SummaryPlanRequest& request)
{
    if (m_shutDown.load())
        return;
    m_stop.store(false);
    if (!m_model || !m_session) {
        emit documentFailed(request.requestId, tr("Load a model first: its tokenizer and context decide how the "
                                                  "document is split."));
        return;
    }
    const SummaryPrompts prompts(request.format, m_model->tokenizer(), request.options, request.document.title);
    if (!m_summarySpeed.isKnown()) {
        // A second or two of the device's time, once per model, so the plan can say how long it will take.
        Result<SummarySpeed> speed =
            Summarizer(*m_session, prompts).measureSpeed(Summarizer::speedSample(request.document));
        if (speed)
            m_summarySpeed = *speed;
    }
    PlanSettings settings;
    settings.contextLength = static_cast<int>(m_session->contextLength());
    settings.model = &m_model->info();
    settings.speed = m_summarySpeed;
    Result<SummaryPlan> plan = vela::app::planSummary(request.document, prompts, settings);
    if (!plan)
        emit documentFailed(request.requestId, QString::fromStdString(plan.message()));
    else
        emit summaryPlanned(request.requestId, *plan);
}

void InferenceWorker::summarize(const SummaryRunRequest& request)
{
    if (m_shutDown.load())
        return;
    m_stop.store(false);
    if (!m_model || !m_session) {
        SummaryOutcome outcome;
        outcome.status = Status::failure(tr("no model loaded").toStdString());
        emit summaryEnded(request.requestId, outcome);
        return;
    }
    const SummaryPrompts prompts(request.format, m_model->tokenizer(), request.options, request.title);
    SummaryRunOptions options;
    options.cancel = &m_stop;
    options.resume = request.resume;
    options.progress = [&](const SummaryProgress& p) {
        if (p.finished)
            emit summaryPartial(request.requestId, *p.finished);
        emit summaryProgress({request.requestId, p.stepsDone, p.stepsTotal, p.stepFraction, p.elapsedSeconds,
                              p.remainingSeconds});
    };
    {
        std::lock_guard lock(m_sessionMutex);
        m_generating = true;  // requestStop() now also cancels a long prompt batch
    }
    SummaryOutcome outcome = Summarizer(*m_session, prompts).run(request.plan, options);
    {
        std::lock_guard lock(m_sessionMutex);
        m_generating = false;
    }
    // A lost device leaves the model unusable, as in a chat answer (fail()): it is freed, the partials are kept.
    if (!outcome.status && QString::fromStdString(outcome.status.message()).contains(QLatin1String("VK_ERROR_DEVICE_LOST"))) {
        unloadModel();
        outcome.status = Status::failure(
            tr("The graphics device stopped responding (VK_ERROR_DEVICE_LOST). The model was unloaded; the partial "
               "summaries are kept. Load the model again to resume.")
                .toStdString());
    }
    emit summaryEnded(request.requestId, outcome);
}

}  // namespace vela::app
