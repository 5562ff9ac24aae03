// InferenceWorker's image half: the vision projector loaded beside the model, prompts laid out around images,
// and their evaluation. A chat sends the same images turn after turn, so the chunks are evaluated reusing the
// longest cached prefix (image rows carry content-derived ids, so two images never share one), cut back to
// the start of an image block that the prefix ends inside: a block's rows see each other both ways and
// must be evaluated together.
#include "worker/inference_worker.h"

#include "worker/worker_generation.h"

#include <QFileInfo>

#include <algorithm>
#include <span>

namespace vela::app {
namespace {

QString toQString(const std::string& s)
{
    return QString::fromStdString(s);
}

// How many leading rows of `chunks` the cache already holds in a form that can be kept.
uint32_t reusableRows(const std::vector<TokenId>& cached, const std::vector<PromptChunk>& chunks)
{
    std::vector<TokenId> ids;
    for (const PromptChunk& chunk : chunks)
        ids.insert(ids.end(), chunk.ids.begin(), chunk.ids.end());
    size_t common = 0;
    // The last row is always evaluated: its logits start the answer.
    while (common < cached.size() && common + 1 < ids.size() && cached[common] == ids[common])
        ++common;
    size_t at = 0;
    for (const PromptChunk& chunk : chunks) {
        const size_t end = at + chunk.ids.size();
        const bool block = chunk.bidirectional || !chunk.rows.empty();
        if (block && at < common && common < end)
            return static_cast<uint32_t>(at);
        at = end;
    }
    return static_cast<uint32_t>(common);
}

}  // namespace

QString visionKindName(VisionKind kind)
{
    switch (kind) {
    case VisionKind::Gemma3: return QStringLiteral("Gemma 3 vision");
    case VisionKind::PaliGemma: return QStringLiteral("PaliGemma");
    case VisionKind::None: break;
    }
    return {};
}

void InferenceWorker::loadProjector(const QString& path, ModelSummary& summary)
{
    if (path.isEmpty())
        return;
    Result<std::unique_ptr<VisionSupport>> vision = VisionSupport::load(path, m_model->device().name, *m_model);
    if (!vision) {
        summary.visionProblem = toQString(vision.message());
        return;
    }
    m_vision = std::move(vision).value();
    summary.vision = m_vision->kind();
    summary.projectorPath = path;
    summary.imageTokens = m_vision->tokensPerImage();
    summary.memory += m_vision->deviceBytes();
}

// Decodes and encodes the request's images and lays the prompt out around them; "" when it worked, else why not.
QString InferenceWorker::layOutImages(Generation& g)
{
    if (!m_vision)
        return tr("%n image(s) sent, but the loaded model cannot see images (it has no vision projector)", nullptr,
                  static_cast<int>(g.request.images.size()));
    Result<std::vector<PromptChunk>> chunks =
        m_vision->layout(m_model->tokenizer(), g.request.prompt, g.request.images, m_model->info().embeddingLength);
    if (!chunks)
        return toQString(chunks.message());
    g.chunks = std::move(chunks).value();
    g.ids.clear();
    for (const PromptChunk& chunk : g.chunks)
        std::copy_if(chunk.ids.begin(), chunk.ids.end(), std::back_inserter(g.ids), [](TokenId id) { return id >= 0; });
    return {};
}

Status InferenceWorker::evaluateChunks(Generation& g, TokenId& first)
{
    Session& session = *m_session;
    const uint32_t start = reusableRows(session.cachedTokens(), g.chunks);
    session.truncate(start);
    g.stats.reusedTokens = static_cast<int>(start);
    uint32_t at = 0;
    for (size_t i = 0; i < g.chunks.size(); ++i) {
        const PromptChunk& chunk = g.chunks[i];
        const uint32_t end = at + static_cast<uint32_t>(chunk.ids.size());
        const Logits which = i + 1 == g.chunks.size() ? Logits::Last : Logits::None;
        if (end > start) {
            const uint32_t before = session.position();
            // Only a text chunk can start part-way: reusableRows never cuts into an image block.
            const std::span<const TokenId> ids = std::span<const TokenId>(chunk.ids).subspan(std::max(start, at) - at);
            Status s = retryIfStaleCancel([&] {
                session.truncate(before);
                return chunk.rows.empty() && !chunk.bidirectional
                           ? session.evaluate(ids, which, g.logits)
                           : session.evaluateBlock(ids, chunk.rows, chunk.bidirectional, which, g.logits);
            });
            if (!s)
                return s;
        }
        at = end;
    }
    if (g.greedy)  // ties to the lowest id, as vela-cli generate and llama.cpp's greedy sampler
        first = static_cast<TokenId>(std::max_element(g.logits.begin(), g.logits.end()) - g.logits.begin());
    else
        first = g.sampler.sample(g.logits);
    return {};
}

}  // namespace vela::app
