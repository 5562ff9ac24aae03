// The worker's eyes: a loaded model's vision projector (vela::VisionEncoder, on the model's device) and the
// images it has encoded lately. For a generation with images it decodes, preprocesses and encodes each one
// (an image seen in an earlier turn is taken from the cache: a chat sends its images again every turn) and
// lays the prompt out around them as the model expects (vela/multimodal_prompt.h). Worker thread only.
#pragma once

#include "worker/generation_request.h"

#include "vela/language_model.h"
#include "vela/multimodal_prompt.h"
#include "vela/vision_encoder.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <list>
#include <memory>
#include <utility>
#include <vector>

namespace vela::app {

class VisionSupport {
public:
    static constexpr size_t kCachedImages = 8;

    // Loads the projector at `path` on `device` and checks it against `model` (its rows must be the model's
    // n_embd). Fails with a sentence naming the file.
    static Result<std::unique_ptr<VisionSupport>> load(const QString& path, const std::string& device,
                                                       const LanguageModel& model);

    VisionKind kind() const;
    uint32_t tokensPerImage() const { return m_encoder->tokensPerImage(); }
    uint64_t deviceBytes() const { return m_encoder->deviceBytes(); }

    // The prompt's chunks: `prompt` with its images in place. A bad image fails with "<name>: <reason>".
    Result<std::vector<PromptChunk>> layout(const Tokenizer& tokenizer, const QString& prompt,
                                            const QList<ImageInput>& images, uint32_t embeddingLength);

private:
    explicit VisionSupport(std::unique_ptr<VisionEncoder> encoder) : m_encoder(std::move(encoder)) {}
    Result<EncodedImage> encode(const ImageInput& image);

    std::unique_ptr<VisionEncoder> m_encoder;
    std::list<std::pair<QByteArray, EncodedImage>> m_cache;  // SHA-256 of the file → rows, newest first
};

}  // namespace vela::app
