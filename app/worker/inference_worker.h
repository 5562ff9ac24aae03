// The Qt adapter between the UI and the engine (DESIGN.md §6): a QObject that lives on its own thread
// (InferenceThread), owns the loaded LanguageModel and its Session, and turns the engine's Status values
// into signals. The UI reaches it only through queued calls (InferenceThread's methods or
// QMetaObject::invokeMethod) and never waits on it; requestStop() is the one method meant to be called
// directly from another thread.
//
// A generation runs inside generate() from start to end, so calls queued meanwhile (another generate, an
// unload) run after it; requestStop() ends it between tokens (or between a prompt's layers) and a load
// between chunks of weights.
#pragma once

#include "worker/generation_request.h"
#include "worker/summary_request.h"
#include "worker/vision_support.h"

#include "vela/language_model.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace vela::app {

class TextBatcher;

class InferenceWorker : public QObject {
    Q_OBJECT

public:
    explicit InferenceWorker(QObject* parent = nullptr);
    ~InferenceWorker() override;

    // Thread-safe. Ends the running load or generation (loadFailed("loading cancelled") or finished with
    // StopReason::Cancelled). A stop requested while idle is forgotten when the next request starts.
    void requestStop();
    // Thread-safe. Like requestStop(), and every later request is refused at once: for destruction.
    void shutDown();

    // Worker thread only.
    bool hasModel() const { return m_model != nullptr; }

public slots:
    // Replaces the loaded model (the old one is freed first: device memory rarely holds two).
    void loadModel(const QString& path, const vela::app::LoadRequest& request);
    void unloadModel();
    void generate(const vela::app::GenerationRequest& request);

    // Documents (inference_worker_documents.cpp). readDocument extracts the file's text (documentReadProgress,
    // then documentRead or documentFailed; requestStop() cancels it); planSummary plans its summary with the
    // loaded model's tokenizer and this session's context, timing the device once per model for the estimate
    // (summaryPlanned or documentFailed); summarize runs a plan (summaryProgress, summaryPartial per finished
    // step, then summaryEnded — cancelled by requestStop(), with the partials finished so far).
    void readDocument(quint64 requestId, const QString& path);
    void planSummary(const vela::app::SummaryPlanRequest& request);
    void summarize(const vela::app::SummaryRunRequest& request);

signals:
    void loadProgress(double fraction);
    void loadFailed(const QString& message);
    void modelReady(const vela::app::ModelSummary& summary);
    void modelUnloaded();
    // Generated text in batches (at most every ~30 ms), never part of a UTF-8 character.
    void token(const QString& text);
    void finished(const vela::app::GenerationStats& stats);
    void failed(const QString& message);
    void documentReadProgress(quint64 requestId, double fraction);
    void documentRead(quint64 requestId, const vela::app::ExtractedDocument& document);
    void summaryPlanned(quint64 requestId, const vela::app::SummaryPlan& plan);
    void documentFailed(quint64 requestId, const QString& message);
    void summaryProgress(const vela::app::SummaryProgressInfo& progress);
    void summaryPartial(quint64 requestId, const vela::app::PartialSummary& partial);
    void summaryEnded(quint64 requestId, const vela::app::SummaryOutcome& outcome);

private:
    struct Generation;

    bool reportLoadProgress(double fraction);
    ModelSummary summarize(const QString& path) const;
    static void chooseAdapters(const QString& modelPath, const QList<LoraChoice>& requested, LoadOptions& options,
                               QList<LoraChoice>& applied, QStringList& problems);
    void setSession(std::unique_ptr<Session> session);
    bool stopRequested() const { return m_stop.load() || m_shutDown.load(); }
    Status evaluatePrompt(Generation& g, TokenId& first);
    Status evaluateNext(Generation& g, TokenId current, TokenId& next);
    Status retryIfStaleCancel(const std::function<Status()>& step);
    void runGeneration(Generation& g);
    StopReason runTokens(Generation& g, TokenId next, TextBatcher& batcher, QString& error);
    void emitText(TextBatcher& batcher, bool force);
    void fail(const QString& engineMessage);

    // Images (inference_worker_images.cpp): the projector loaded with the model, and prompts laid out around
    // images, evaluated chunk by chunk with the cached prefix reused where a chunk boundary allows.
    void loadProjector(const QString& path, ModelSummary& summary);
    QString layOutImages(Generation& g);
    Status evaluateChunks(Generation& g, TokenId& first);

    std::unique_ptr<LanguageModel> m_model;
    std::unique_ptr<VisionSupport> m_vision;  // the model's projector, when it has one; freed before the model
    std::unique_ptr<Session> m_session;  // written under m_sessionMutex; requestStop() reads it there
    std::mutex m_sessionMutex;
    bool m_generating = false;  // under m_sessionMutex: whether Session::cancel() has an evaluate to act on
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_shutDown{false};
    double m_lastProgress = -1;
    SummarySpeed m_summarySpeed;  // measured once per loaded model, for summary plans' time estimates
};

}  // namespace vela::app
