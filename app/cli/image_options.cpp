#include "cli/image_options.h"

#include "cli/cli_support.h"

#include "vela/image.h"
#include "vela/vision_encoder.h"

#include <chrono>
#include <cstdio>

namespace vela::cli {

void ImageOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOption(mmproj);
    parser.addOption(image);
}

std::optional<std::vector<PromptChunk>> ImageOptions::buildPrompt(const QCommandLineParser& parser,
                                                                  const LanguageModel& model,
                                                                  const std::string& text) const
{
    LoadOptions load;
    load.device = parser.value("device").toStdString();
    if (!parser.isSet(mmproj) || !parser.isSet(image)) {
        reportError(parser.isSet(image) ? "--image needs the model's vision projector (--mmproj FILE)"
                                        : "--mmproj needs at least one --image FILE");
        return std::nullopt;
    }
    Result<std::unique_ptr<VisionEncoder>> encoder = VisionEncoder::load(parser.value(mmproj).toStdString(), load);
    if (!encoder) {
        reportError(encoder.message());
        return std::nullopt;
    }
    std::vector<EncodedImage> images;
    for (const QString& path : parser.values(image)) {
        const auto start = std::chrono::steady_clock::now();
        Result<Image> decoded = decodeImageFile(path.toStdString());
        if (!decoded) {
            reportError(decoded.message());
            return std::nullopt;
        }
        Result<ImageTensor> pixels = preprocessImage(*decoded, (*encoder)->preprocessing());
        if (!pixels) {
            reportError(path.toStdString() + ": " + pixels.message());
            return std::nullopt;
        }
        Result<std::vector<float>> rows = (*encoder)->encode(pixels->chw);
        if (!rows) {
            reportError(rows.message());
            return std::nullopt;
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "image %s: %u×%u, %u rows, encoded in %.1f ms\n", qPrintable(path), decoded->width,
                     decoded->height, (*encoder)->tokensPerImage(), ms);
        images.push_back({std::move(rows).value(), 0});
        images.back().id = imageRowId(images.back().rows);
    }
    Result<std::vector<PromptChunk>> chunks =
        layoutMultimodalPrompt(model.tokenizer(), (*encoder)->projector(), text, images, (*encoder)->tokensPerImage(),
                               model.info().embeddingLength);
    if (!chunks) {
        reportError(chunks.message());
        return std::nullopt;
    }
    return std::move(chunks).value();
}

}  // namespace vela::cli
