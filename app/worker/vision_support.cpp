#include "worker/vision_support.h"

#include "vela/image.h"
#include "vela/image_preprocess.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

#include <span>

namespace vela::app {
namespace {

std::string fileNameOf(const QString& path)
{
    return QFileInfo(path).fileName().toStdString();
}

Status readImageBytes(const ImageInput& image, QByteArray& bytes)
{
    bytes = image.bytes;
    if (!bytes.isEmpty() || image.path.isEmpty())
        return Status::success();
    QFile file(image.path);
    if (!file.open(QIODevice::ReadOnly))
        return Status::failure("cannot read image '" + image.name.toStdString() + "': " + file.errorString().toStdString());
    bytes = file.readAll();
    return Status::success();
}

}  // namespace

Result<std::unique_ptr<VisionSupport>> VisionSupport::load(const QString& path, const std::string& device,
                                                           const LanguageModel& model)
{
    LoadOptions options;
    options.device = device;
    Result<std::unique_ptr<VisionEncoder>> encoder = VisionEncoder::load(QFile::encodeName(path).toStdString(), options);
    if (!encoder)
        return encoder.status();
    const uint32_t rows = (*encoder)->outputLength();
    const uint32_t embedding = model.info().embeddingLength;
    if (rows != embedding)
        return Status::failure(fileNameOf(path) + " does not fit this model: its image rows have " +
                               std::to_string(rows) + " values, the model takes " + std::to_string(embedding) +
                               " (it is the projector of another model)");
    return std::unique_ptr<VisionSupport>(new VisionSupport(std::move(encoder).value()));
}

VisionKind VisionSupport::kind() const
{
    return m_encoder->projector() == VisionProjector::PaliGemma ? VisionKind::PaliGemma : VisionKind::Gemma3;
}

Result<std::vector<PromptChunk>> VisionSupport::layout(const Tokenizer& tokenizer, const QString& prompt,
                                                       const QList<ImageInput>& images, uint32_t embeddingLength)
{
    std::vector<EncodedImage> encoded;
    for (const ImageInput& image : images) {
        Result<EncodedImage> rows = encode(image);
        if (!rows)
            return rows.status();
        encoded.push_back(std::move(rows).value());
    }
    return layoutMultimodalPrompt(tokenizer, m_encoder->projector(), prompt.toStdString(), encoded,
                                  m_encoder->tokensPerImage(), embeddingLength);
}

Result<EncodedImage> VisionSupport::encode(const ImageInput& image)
{
    QByteArray bytes;
    if (Status s = readImageBytes(image, bytes); !s)
        return s;
    const QByteArray hash = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
        if (it->first == hash) {
            m_cache.splice(m_cache.begin(), m_cache, it);
            return m_cache.front().second;
        }
    }
    const std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    Result<Image> decoded = decodeImage(data, image.name.toStdString());
    if (!decoded)
        return decoded.status();
    Result<ImageTensor> pixels = preprocessImage(*decoded, m_encoder->preprocessing());
    if (!pixels)
        return Status::failure("cannot read image '" + image.name.toStdString() + "': " + pixels.message());
    Result<std::vector<float>> rows = m_encoder->encode(pixels->chw);
    if (!rows)
        return rows.status();
    EncodedImage result{std::move(rows).value(), 0};
    result.id = imageRowId(result.rows);
    m_cache.emplace_front(hash, result);
    if (m_cache.size() > kCachedImages)
        m_cache.pop_back();
    return result;
}

}  // namespace vela::app
