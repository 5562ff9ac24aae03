// The generation loop follows app/cli/command_generate.cpp: greedy decoding keeps the argmax on the device
// (Session::evaluateGreedy), sampling downloads the logits for the Sampler; text goes through a
// StreamingDecoder (whole characters) and a StopStringMatcher (never half a stop string) before the batcher.
#include "worker/inference_worker.h"

#include "worker/text_batcher.h"
#include "worker/worker_generation.h"

#include "vela/ggml_type.h"
#include "vela/gguf.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <chrono>

namespace vela::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kTextInterval{30};
constexpr double kProgressStep = 0.01;  // loadProgress is emitted once per percent at most

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

QString toQString(const std::string& s)
{
    return QString::fromStdString(s);
}

QString dominantQuant(const ModelInfo& info)
{
    const auto most = std::max_element(info.tensorTypes.begin(), info.tensorTypes.end(),
                                       [](const TensorTypeSummary& a, const TensorTypeSummary& b) { return a.bytes < b.bytes; });
    if (most == info.tensorTypes.end())
        return {};
    const std::string_view name = ggmlTypeName(most->type);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

}  // namespace

InferenceWorker::InferenceWorker(QObject* parent) : QObject(parent)
{
    registerWorkerTypes();
}

InferenceWorker::~InferenceWorker()
{
    // The owner destroys us after our thread ended, so no evaluate can be running.
    setSession(nullptr);
    m_vision.reset();
    m_model.reset();
}

void InferenceWorker::requestStop()
{
    m_stop.store(true);
    std::lock_guard lock(m_sessionMutex);
    if (m_session && m_generating)
        m_session->cancel();
}

void InferenceWorker::shutDown()
{
    m_shutDown.store(true);
    requestStop();
}

void InferenceWorker::setSession(std::unique_ptr<Session> session)
{
    std::lock_guard lock(m_sessionMutex);
    m_session = std::move(session);
}

void InferenceWorker::unloadModel()
{
    const bool had = m_model != nullptr;
    m_summarySpeed = {};
    setSession(nullptr);
    m_vision.reset();
    m_model.reset();
    if (had)
        emit modelUnloaded();
}

bool InferenceWorker::reportLoadProgress(double fraction)
{
    if (fraction >= 1.0 || fraction - m_lastProgress >= kProgressStep) {
        m_lastProgress = fraction;
        emit loadProgress(fraction);
    }
    return !stopRequested();
}

void InferenceWorker::loadModel(const QString& path, const LoadRequest& request)
{
    if (m_shutDown.load())
        return;
    unloadModel();
    m_stop.store(false);
    if (path.isEmpty()) {
        emit loadFailed(tr("no model file given"));
        return;
    }
    LoadOptions options;
    options.device = request.device.toStdString();
    options.contextLength = request.contextLength;
    options.progress = [this](double fraction) { return reportLoadProgress(fraction); };
    m_lastProgress = -1;
    QList<LoraChoice> adapters;
    QStringList adapterProblems;
    chooseAdapters(path, request.adapters, options, adapters, adapterProblems);
    Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load(QFile::encodeName(path).toStdString(), options);
    if (!model) {
        emit loadFailed(toQString(model.message()));
        return;
    }
    SessionOptions sessionOptions;
    sessionOptions.contextLength = request.contextLength;
    Result<std::unique_ptr<Session>> session = (*model)->createSession(sessionOptions);
    // A stop that came after the last chunk still means the user no longer wants this model.
    if (!session || stopRequested()) {
        const QString message = !session ? toQString(session.message()) : QStringLiteral("loading cancelled");
        // Freed before the signal: whoever hears it may count the device memory at once.
        session = Status::failure("released");
        model = Status::failure("released");
        emit loadFailed(message);
        return;
    }
    m_model = std::move(model).value();
    setSession(std::move(session).value());
    ModelSummary summary = summarize(path);
    summary.adapters = adapters;
    summary.adapterProblems = adapterProblems;
    loadProjector(request.projector, summary);
    emit modelReady(summary);
}

// The requested LoRA adapters that fit the model go into `options` (and `applied`); the others are left out with
// their reason in `problems`, so that a stale or wrong adapter never costs the user the model itself.
void InferenceWorker::chooseAdapters(const QString& modelPath, const QList<LoraChoice>& requested, LoadOptions& options,
                                     QList<LoraChoice>& applied, QStringList& problems)
{
    for (const LoraChoice& adapter : requested) {
        const Status checked = LanguageModel::checkLoraAdapter(QFile::encodeName(modelPath).toStdString(),
                                                               QFile::encodeName(adapter.path).toStdString());
        if (!checked) {
            problems << toQString(checked.message());
            continue;
        }
        options.loraAdapters.push_back({QFile::encodeName(adapter.path).toStdString(), static_cast<float>(adapter.scale)});
        applied << adapter;
    }
}

ModelSummary InferenceWorker::summarize(const QString& path) const
{
    const ModelInfo& info = m_model->info();
    ModelSummary s;
    s.name = info.name.empty() ? QFileInfo(path).completeBaseName() : toQString(info.name);
    s.architecture = toQString(info.architecture);
    s.parameters = info.parameterCount;
    s.quant = dominantQuant(info);
    s.device = toQString(m_model->device().name);
    s.context = m_session->contextLength();
    s.memory = m_model->deviceBytes() + m_session->deviceBytes();
    s.path = path;
    // A tokenizer of its own for the UI thread (prompt lengths, fitting a chat to the context), read here so
    // the UI never parses a vocabulary; without one the UI sends text and the worker tokenizes.
    if (Result<GgufFile> file = GgufFile::open(QFile::encodeName(path).toStdString())) {
        if (Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*file))
            s.tokenizer = std::make_shared<const Tokenizer>(std::move(tokenizer).value());
    }
    return s;
}

// Session::cancel() sets a flag that the next evaluate consumes. A stop that lands just after the last
// evaluate of a generation leaves it set, and the next generation's first step would fail "cancelled":
// such a step is run again.
Status InferenceWorker::retryIfStaleCancel(const std::function<Status()>& step)
{
    Status s = step();
    if (!s && s.message() == "cancelled" && !stopRequested())
        s = step();
    return s;
}

// Brings the KV cache to the request's sequence, re-running only what follows the prefix it already holds,
// and yields the first generated token.
Status InferenceWorker::evaluatePrompt(Generation& g, TokenId& first)
{
    if (!g.chunks.empty())
        return evaluateChunks(g, first);
    Session& session = *m_session;
    const std::span<const TokenId> ids(g.ids);
    if (!g.greedy) {
        uint32_t reused = 0;
        Status s = retryIfStaleCancel([&] { return session.evaluateReusingPrefix(ids, g.logits, &reused); });
        g.stats.reusedTokens = static_cast<int>(reused);
        if (s)
            first = g.sampler.sample(g.logits);
        return s;
    }
    // Greedy: all but the last token without logits, then the last one through evaluateGreedy, so the
    // argmax stays on the device (as vela-cli generate does).
    const size_t common = session.keepCachedPrefix(ids);
    g.stats.reusedTokens = static_cast<int>(common);
    const std::span<const TokenId> rest = ids.subspan(common, ids.size() - 1 - common);
    if (!rest.empty()) {
        Status s = retryIfStaleCancel([&] { return session.evaluate(rest, Logits::None, g.logits); });
        if (!s)
            return s;
    }
    return evaluateNext(g, ids.back(), first);
}

Status InferenceWorker::evaluateNext(Generation& g, TokenId current, TokenId& next)
{
    if (g.failAfterTokens >= 0 && g.stats.generatedTokens >= g.failAfterTokens)
        return Status::failure("Vulkan error VK_ERROR_DEVICE_LOST in vkQueueSubmit (simulated: VELA_TEST_DEVICE_LOST_AFTER)");
    Session& session = *m_session;
    if (g.greedy) {
        Result<TokenId> id = kNoToken;
        Status s = retryIfStaleCancel([&] {
            id = session.evaluateGreedy(current);
            return id ? Status{} : id.status();
        });
        if (s)
            next = *id;
        return s;
    }
    const TokenId one[] = {current};
    Status s = retryIfStaleCancel([&] { return session.evaluate(one, Logits::Last, g.logits); });
    if (s)
        next = g.sampler.sample(g.logits);
    return s;
}

void InferenceWorker::emitText(TextBatcher& batcher, bool force)
{
    const std::string text = force ? batcher.takeAll() : batcher.takeIfDue();
    if (!text.empty())
        emit token(QString::fromStdString(text));
}

// The decode loop; returns why it ended, or leaves `error` set when a step failed.
StopReason InferenceWorker::runTokens(Generation& g, TokenId next, TextBatcher& batcher, QString& error)
{
    const Tokenizer& tokenizer = m_model->tokenizer();
    std::vector<std::string> stopStrings = g.request.sampling.stopStrings;
    for (const QString& stop : g.request.stopStrings)
        stopStrings.push_back(stop.toStdString());
    StreamingDecoder decoder(tokenizer, false);
    StopStringMatcher stops(std::move(stopStrings));  // holds back text that may be the start of a stop string
    StopReason reason = StopReason::Limit;
    while (true) {
        if (next == kNoToken) {
            error = tr("the model's logits held no usable value (NaN or -inf everywhere)");
            return reason;
        }
        ++g.stats.generatedTokens;
        g.sampler.accept(next);
        if (!g.request.ignoreEndOfGeneration && tokenizer.isEndOfGeneration(next)) {
            reason = StopReason::EndOfGeneration;
            break;
        }
        const StopStringMatcher::Output shown = stops.feed(decoder.push(next));
        batcher.append(shown.text);
        emitText(batcher, false);
        if (shown.stopped) {
            g.stats.stopString = QString::fromStdString(shown.stopString);
            return StopReason::StopString;
        }
        if (g.stats.generatedTokens >= g.request.maxTokens) {
            reason = StopReason::Limit;
            break;
        }
        if (stopRequested()) {
            reason = StopReason::Cancelled;
            break;
        }
        if (m_session->position() >= m_session->contextLength()) {
            reason = StopReason::ContextFull;
            break;
        }
        const TokenId current = next;
        if (Status s = evaluateNext(g, current, next); !s) {
            if (stopRequested()) {
                reason = StopReason::Cancelled;
                break;
            }
            error = toQString(s.message());
            return reason;
        }
    }
    batcher.append(stops.feed(decoder.flush()).text);
    batcher.append(stops.flush());
    return reason;
}

void InferenceWorker::generate(const GenerationRequest& request)
{
    if (m_shutDown.load())
        return;
    m_stop.store(false);
    if (!m_model) {
        emit failed(tr("no model loaded"));
        return;
    }
    Generation g{request, request.tokens, request.sampling.temperature <= 0, Sampler(request.sampling), {}, {}};
    if (!request.images.isEmpty()) {
        if (const QString error = layOutImages(g); !error.isEmpty()) {
            emit failed(error);
            return;
        }
    } else if (g.ids.empty()) {
        g.ids = m_model->tokenizer().tokenize(request.prompt.toStdString(), true, true);
    }
    if (g.promptRows() == 0) {
        emit failed(tr("the prompt is empty"));
        return;
    }
    if (g.promptRows() >= m_session->contextLength()) {
        emit failed(tr("the prompt has %1 tokens, the context holds %2").arg(g.promptRows()).arg(m_session->contextLength()));
        return;
    }
    g.stats.requestId = request.requestId;
    g.stats.promptTokens = static_cast<int>(g.promptRows());
    bool injected = false;
    const int failAfter = qEnvironmentVariableIntValue("VELA_TEST_DEVICE_LOST_AFTER", &injected);
    g.failAfterTokens = injected ? failAfter : -1;
    for (TokenId id : g.ids)
        g.sampler.accept(id);
    {
        std::lock_guard lock(m_sessionMutex);
        m_generating = true;
    }
    runGeneration(g);
    std::lock_guard lock(m_sessionMutex);
    m_generating = false;
}

void InferenceWorker::runGeneration(Generation& g)
{
    const Clock::time_point promptStart = Clock::now();
    TokenId first = kNoToken;
    const Status prompt = stopRequested() ? Status::failure("cancelled") : evaluatePrompt(g, first);
    g.stats.promptMilliseconds = millisecondsSince(promptStart);
    if (!prompt && !stopRequested()) {
        fail(toQString(prompt.message()));
        return;
    }
    TextBatcher batcher(kTextInterval);
    QString error;
    const Clock::time_point genStart = Clock::now();
    if (!prompt || g.request.maxTokens <= 0)
        g.stats.stopReason = prompt ? StopReason::Limit : StopReason::Cancelled;
    else
        g.stats.stopReason = runTokens(g, first, batcher, error);
    emitText(batcher, true);
    if (!error.isEmpty()) {
        fail(error);
        return;
    }
    g.stats.generationMilliseconds = millisecondsSince(genStart);
    const int n = g.stats.generatedTokens;
    g.stats.tokensPerSecond = n > 1 ? (n - 1) * 1000.0 / g.stats.generationMilliseconds : 0.0;
    emit finished(g.stats);
}

// A lost device (driver reset, GPU hang, out of video memory under another app) leaves the model unusable:
// it is freed, and the UI is told in words it can show; everything else keeps the model.
void InferenceWorker::fail(const QString& engineMessage)
{
    if (!engineMessage.contains(QLatin1String("VK_ERROR_DEVICE_LOST"))) {
        emit failed(engineMessage);
        return;
    }
    {
        std::lock_guard lock(m_sessionMutex);
        m_generating = false;
    }
    unloadModel();
    emit failed(tr("The graphics device stopped responding (VK_ERROR_DEVICE_LOST: a driver reset, a GPU hang, or "
                   "another program took its memory). The model was unloaded; your conversation is saved. Load the "
                   "model again to continue."));
}

QString stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::EndOfGeneration: return QStringLiteral("eos");
    case StopReason::Limit: return QStringLiteral("limit");
    case StopReason::StopString: return QStringLiteral("stop-string");
    case StopReason::Cancelled: return QStringLiteral("cancelled");
    case StopReason::ContextFull: return QStringLiteral("context-full");
    }
    return {};
}

void registerWorkerTypes()
{
    qRegisterMetaType<LoadRequest>();
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<ModelSummary>();
    qRegisterMetaType<GenerationStats>();
    qRegisterMetaType<ExtractedDocument>();
    qRegisterMetaType<SummaryOptions>();
    qRegisterMetaType<SummaryPlan>();
    qRegisterMetaType<PartialSummary>();
    qRegisterMetaType<SummaryOutcome>();
    qRegisterMetaType<SummaryPlanRequest>();
    qRegisterMetaType<SummaryRunRequest>();
    qRegisterMetaType<SummaryProgressInfo>();
}

}  // namespace vela::app
