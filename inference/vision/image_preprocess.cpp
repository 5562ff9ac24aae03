#include "vela/image_preprocess.h"

#include "vision/image_resize.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace vela {

namespace {

// Largest clip.vision.image_size accepted: 896 is the largest released (Gemma 3, PaliGemma 896); leave room.
constexpr int64_t kMaxEncoderImageSize = 4096;

// The image's RGB with alpha handled as the projector's reference does.
Rgb8Image flattenAlpha(const Image& image, AlphaHandling alpha)
{
    Rgb8Image rgb{image.width, image.height, image.rgb};
    if (alpha == AlphaHandling::Drop || !image.hasAlpha())
        return rgb;
    // PIL's alpha_composite over opaque white, then RGB: (c·a + 255·(255 − a) + 127) / 255, rounded.
    for (size_t i = 0; i < image.alpha.size(); ++i) {
        const uint32_t a = image.alpha[i];
        for (int c = 0; c < 3; ++c) {
            uint8_t& v = rgb.pixels[i * 3 + c];
            v = uint8_t((v * a + 255 * (255 - a) + 127) / 255);
        }
    }
    return rgb;
}

Rgb8Image resize(const Rgb8Image& rgb, uint32_t width, uint32_t height, ResizeFilter filter)
{
    return filter == ResizeFilter::BicubicPillow ? resizeBicubicPillow(rgb, width, height)
                                                 : resizeBilinearLlamaCpp(rgb, width, height);
}

// llama.cpp's img_tool::resize with padding: aspect kept, float32 scale, centred on black.
Rgb8Image letterbox(const Rgb8Image& rgb, uint32_t size, ResizeFilter filter)
{
    const int s = int(size);
    const float scale = std::min(float(s) / float(rgb.width), float(s) / float(rgb.height));
    const int newWidth = std::min(int(std::ceil(float(rgb.width) * scale)), s);
    const int newHeight = std::min(int(std::ceil(float(rgb.height) * scale)), s);
    const Rgb8Image scaled = resize(rgb, uint32_t(newWidth), uint32_t(newHeight), filter);
    Rgb8Image canvas{size, size, std::vector<uint8_t>(size_t(size) * size * 3, 0)};
    const int offsetX = (s - newWidth) / 2;
    const int offsetY = (s - newHeight) / 2;
    for (int y = 0; y < newHeight; ++y)
        std::copy_n(&scaled.pixels[size_t(y) * newWidth * 3], size_t(newWidth) * 3,
                    &canvas.pixels[(size_t(y + offsetY) * s + offsetX) * 3]);
    return canvas;
}

// (3, S, S) planar from (S, S, 3) interleaved, normalised with the reference's arithmetic: llama.cpp's
// float32 (u/255.0f − mean)/std for gemma3, the HF/numpy double-precision form for PaliGemma.
ImageTensor normalize(const Rgb8Image& rgb, const ImagePreprocessing& p)
{
    ImageTensor tensor{rgb.width, std::vector<float>(size_t(3) * rgb.width * rgb.height)};
    const size_t plane = size_t(rgb.width) * rgb.height;
    for (size_t i = 0; i < plane; ++i) {
        for (int c = 0; c < 3; ++c) {
            const uint8_t u = rgb.pixels[i * 3 + c];
            float v;
            if (p.projector == VisionProjector::Gemma3)
                v = (float(u) / 255.0f - p.mean[c]) / p.stddev[c];
            else
                v = float((double(u) / 255.0 - double(p.mean[c])) / double(p.stddev[c]));
            tensor.chw[c * plane + i] = v;
        }
    }
    return tensor;
}

Status keyError(const GgufFile& mmproj, std::string_view key, const std::string& problem)
{
    const std::string name =
        mmproj.paths().empty() ? "mmproj" : std::filesystem::path(mmproj.paths().front()).filename().string();
    return Status::failure("the vision projector file '" + name + "' " + problem + " (" + std::string(key)
                           + "); it is not a usable mmproj file");
}

// A normalisation key: an array of at least 3 numbers, std entries non-zero.
Result<std::array<float, 3>> readTriple(const GgufFile& mmproj, std::string_view key, bool nonZero)
{
    const GgufValue* value = mmproj.find(key);
    if (!value)
        return keyError(mmproj, key, "lacks a key Vela needs");
    if (!value->isArray() || value->items().size() < 3)
        return keyError(mmproj, key, "has a key that is not an array of 3 numbers");
    std::array<float, 3> triple{};
    for (size_t c = 0; c < 3; ++c) {
        const auto v = value->items()[c].asFloat();
        if (!v || !std::isfinite(*v) || (nonZero && *v == 0.0))
            return keyError(mmproj, key, "has an invalid normalisation value");
        triple[c] = float(*v);
    }
    return triple;
}

Result<VisionProjector> readProjector(const GgufFile& mmproj)
{
    std::string_view key = "clip.projector_type";
    auto type = mmproj.getString(key);
    if (!type) {
        key = "clip.vision.projector_type";  // files with vision and audio encoders name it per modality
        type = mmproj.getString(key);
    }
    if (!type)
        return keyError(mmproj, "clip.projector_type", "lacks a key Vela needs");
    for (const auto projector : {VisionProjector::Gemma3, VisionProjector::PaliGemma})
        if (*type == visionProjectorName(projector))
            return projector;
    return keyError(mmproj, key, "is for projector type '" + std::string(*type)
                                     + "', which Vela does not run (it runs gemma3 and paligemma)");
}

}  // namespace

std::string_view visionProjectorName(VisionProjector projector)
{
    return projector == VisionProjector::Gemma3 ? "gemma3" : "paligemma";
}

ImagePreprocessing preprocessingFor(VisionProjector projector, uint32_t imageSize, std::array<float, 3> mean,
                                    std::array<float, 3> stddev)
{
    ImagePreprocessing p;
    p.projector = projector;
    p.imageSize = imageSize;
    p.mean = mean;
    p.stddev = stddev;
    const bool gemma3 = projector == VisionProjector::Gemma3;
    p.fit = gemma3 ? ImageFit::Letterbox : ImageFit::Stretch;
    p.filter = gemma3 ? ResizeFilter::BilinearLlamaCpp : ResizeFilter::BicubicPillow;
    p.alpha = gemma3 ? AlphaHandling::Drop : AlphaHandling::OverWhite;
    return p;
}

Result<ImagePreprocessing> readImagePreprocessing(const GgufFile& mmproj)
{
    auto projector = readProjector(mmproj);
    if (!projector)
        return projector.status();
    constexpr std::string_view kSizeKey = "clip.vision.image_size";
    const auto size = mmproj.getInt(kSizeKey);
    if (!size)
        return keyError(mmproj, kSizeKey, "lacks a key Vela needs");
    if (*size < 1 || *size > kMaxEncoderImageSize)
        return keyError(mmproj, kSizeKey, "has an image size of " + std::to_string(*size) + " px, outside 1…"
                                              + std::to_string(kMaxEncoderImageSize));
    auto mean = readTriple(mmproj, "clip.vision.image_mean", false);
    if (!mean)
        return mean.status();
    auto stddev = readTriple(mmproj, "clip.vision.image_std", true);
    if (!stddev)
        return stddev.status();
    return preprocessingFor(*projector, uint32_t(*size), *mean, *stddev);
}

Result<ImageTensor> preprocessImage(const Image& image, const ImagePreprocessing& preprocessing)
{
    if (image.width == 0 || image.height == 0 || image.rgb.size() != size_t(image.width) * image.height * 3)
        return Status::failure("the image has no pixels to give the vision encoder");
    if (preprocessing.imageSize == 0)
        return Status::failure("the vision encoder's input size is 0; the mmproj file is not usable");
    const Rgb8Image rgb = flattenAlpha(image, preprocessing.alpha);
    const uint32_t s = preprocessing.imageSize;
    const Rgb8Image fitted = preprocessing.fit == ImageFit::Letterbox ? letterbox(rgb, s, preprocessing.filter)
                                                                      : resize(rgb, s, s, preprocessing.filter);
    return normalize(fitted, preprocessing);
}

}  // namespace vela
