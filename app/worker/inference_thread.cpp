#include "worker/inference_thread.h"

namespace vela::app {

InferenceThread::InferenceThread() : m_worker(std::make_unique<InferenceWorker>())
{
    m_thread.setObjectName(QStringLiteral("vela-inference"));
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

InferenceThread::~InferenceThread()
{
    // shutDown() makes the running slot return and every call still queued a no-op, so the event loop
    // reaches quit() after at most one more token.
    m_worker->shutDown();
    m_thread.quit();
    m_thread.wait();
    // The thread has ended: the model and session can be freed from here.
    m_worker.reset();
}

void InferenceThread::loadModel(const QString& path, const LoadRequest& request)
{
    InferenceWorker* worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [worker, path, request] { worker->loadModel(path, request); }, Qt::QueuedConnection);
}

void InferenceThread::unloadModel()
{
    InferenceWorker* worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [worker] { worker->unloadModel(); }, Qt::QueuedConnection);
}

void InferenceThread::generate(const GenerationRequest& request)
{
    InferenceWorker* worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->generate(request); }, Qt::QueuedConnection);
}

void InferenceThread::readDocument(quint64 requestId, const QString& path)
{
    InferenceWorker* worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [worker, requestId, path] { worker->readDocument(requestId, path); }, Qt::QueuedConnection);
}

void InferenceThread::planSummary(const SummaryPlanRequest& request)
{
    InferenceWorker* worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->planSummary(request); }, Qt::QueuedConnection);
}

void InferenceThread::summarize(const SummaryRunRequest& request)
{
    InferenceWorker* worker = m_worker.get();
    QMetaObject::invokeMethod(worker, [worker, request] { worker->summarize(request); }, Qt::QueuedConnection);
}

}  // namespace vela::app
