// For the worker's tests: the InferenceWorker's signals, re-emitted on the main thread. QSignalSpy records a
// signal in the thread that emits it, unlocked, and its wait() misses one that came before it started; spying on
// this mirror, which receives through queued connections as the UI does, avoids both.
#pragma once

#include "worker/inference_worker.h"

#include <QObject>

namespace vela::test {

class WorkerEvents : public QObject {
    Q_OBJECT

public:
    explicit WorkerEvents(vela::app::InferenceWorker* worker)
    {
        using vela::app::InferenceWorker;
        connect(worker, &InferenceWorker::loadProgress, this, &WorkerEvents::loadProgress);
        connect(worker, &InferenceWorker::loadFailed, this, &WorkerEvents::loadFailed);
        connect(worker, &InferenceWorker::modelReady, this, &WorkerEvents::modelReady);
        connect(worker, &InferenceWorker::token, this, &WorkerEvents::token);
        connect(worker, &InferenceWorker::finished, this, &WorkerEvents::finished);
        connect(worker, &InferenceWorker::failed, this, &WorkerEvents::failed);
    }

signals:
    void loadProgress(double fraction);
    void loadFailed(const QString& message);
    void modelReady(const vela::app::ModelSummary& summary);
    void token(const QString& text);
    void finished(const vela::app::GenerationStats& stats);
    void failed(const QString& message);
};

}  // namespace vela::test
