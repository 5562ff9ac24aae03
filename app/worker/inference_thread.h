// Owns the inference worker and the thread it runs on. The UI holds one of these, connects to worker()'s
// signals and calls the methods below, which only queue work: none of them waits.
//
//   InferenceThread inference;
//   QObject::connect(inference.worker(), &InferenceWorker::token, view, &ChatView::appendText);
//   inference.loadModel(path, {.contextLength = 4096});
//   inference.generate(request);
//   inference.requestStop();
//
// Destroying it stops a running load or generation, joins the thread and frees the model: that wait is
// one token (or one layer of a prompt batch, or one chunk of weights) long.
#pragma once

#include "worker/inference_worker.h"

#include <QThread>

#include <memory>

namespace vela::app {

class InferenceThread {
public:
    InferenceThread();
    ~InferenceThread();
    InferenceThread(const InferenceThread&) = delete;
    InferenceThread& operator=(const InferenceThread&) = delete;

    // Lives on the worker thread: connect to its signals, call its slots only through queued calls.
    InferenceWorker* worker() const { return m_worker.get(); }

    void loadModel(const QString& path, const LoadRequest& request = {});
    void unloadModel();
    void generate(const GenerationRequest& request);
    // Documents: see InferenceWorker::readDocument, planSummary and summarize.
    void readDocument(quint64 requestId, const QString& path);
    void planSummary(const SummaryPlanRequest& request);
    void summarize(const SummaryRunRequest& request);
    // Thread-safe, immediate: see InferenceWorker::requestStop().
    void requestStop() { m_worker->requestStop(); }

private:
    QThread m_thread;
    std::unique_ptr<InferenceWorker> m_worker;
};

}  // namespace vela::app
