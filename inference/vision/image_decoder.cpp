// Decoding with stb_image (Debian libstb-dev), guarded: format and limits are checked from the header before
// stb_image allocates anything, and its terse failure codes become sentences.
#include "vela/image.h"

#include "gguf/mapped_file.h"
#include "vision/exif_orientation.h"
#include "vision/image_header.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

namespace vela {

namespace {

constexpr std::string_view kReadableFormats = "PNG, JPEG, BMP, GIF or TGA";

struct StbFree {
    void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};
using StbPixels = std::unique_ptr<stbi_uc, StbFree>;

bool startsWith(std::span<const uint8_t> bytes, std::string_view magic)
{
    return bytes.size() >= magic.size() && std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

// The format by its signature. TGA has none: it is what stb_image recognises once every other format's
// signature has been ruled out (stb_image tries TGA last too).
std::optional<ImageFormat> formatFromSignature(std::span<const uint8_t> bytes)
{
    if (startsWith(bytes, "\x89PNG\r\n\x1a\n"))
        return ImageFormat::Png;
    if (startsWith(bytes, "\xFF\xD8\xFF"))
        return ImageFormat::Jpeg;
    if (startsWith(bytes, "GIF87a") || startsWith(bytes, "GIF89a"))
        return ImageFormat::Gif;
    if (startsWith(bytes, "BM"))
        return ImageFormat::Bmp;
    return std::nullopt;
}

// Formats stb_image also decodes but Vela does not accept (rarely seen, and stb's least-tested decoders).
std::optional<std::string_view> unsupportedFormatName(std::span<const uint8_t> bytes)
{
    if (startsWith(bytes, "8BPS"))
        return "Photoshop (PSD)";
    if (startsWith(bytes, "#?RADIANCE") || startsWith(bytes, "#?RGBE"))
        return "Radiance HDR";
    if (startsWith(bytes, "\x53\x80\xF6\x34"))
        return "Softimage PIC";
    if (startsWith(bytes, "P5") || startsWith(bytes, "P6"))
        return "PNM";
    return std::nullopt;
}

struct FailureSentence {
    std::string_view reason;  // stbi_failure_reason()
    std::string_view sentence;
};

// stb_image codes that mean something other than "damaged"; every other code is reported as damage.
constexpr std::array kFailureSentences{
    FailureSentence{"outofmem", "there is not enough memory to decode it"},
    FailureSentence{"too large", "it is too large to decode"},
    FailureSentence{"only 8-bit", "it uses a bit depth Vela's decoder does not support; save it as 8-bit"},
    FailureSentence{"1/2/4/8/16-bit only", "it uses a bit depth Vela's decoder does not support; save it as 8-bit"},
    FailureSentence{"bad compression", "it uses a compression Vela's decoder does not support; save it as PNG"},
    FailureSentence{"0-pixel image", "it has no pixels (its width or height is 0)"},
    FailureSentence{"0 width", "it has no pixels (its width or height is 0)"},
    FailureSentence{"unknown image type",
                    "its content is not a PNG, JPEG, BMP, GIF or TGA image, whatever its name says"},
};

std::string describeStbFailure(ImageFormat format)
{
    const char* reason = stbi_failure_reason();
    const std::string_view code = reason ? reason : "unknown";
    std::string sentence;
    const auto known = std::find_if(kFailureSentences.begin(), kFailureSentences.end(),
                                    [&](const FailureSentence& f) { return f.reason == code; });
    if (known != kFailureSentences.end())
        sentence = std::string(known->sentence);
    else
        sentence = "its " + std::string(imageFormatName(format))
                   + " data is damaged or cut short; the file may be incomplete (save or download it again)";
    return sentence + " [stb_image: " + std::string(code) + "]";
}

Status failure(const std::string& displayName, const std::string& sentence)
{
    return Status::failure("cannot read image '" + displayName + "': " + sentence);
}

std::string mebibytes(uint64_t bytes)
{
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// `channels`: 3, or 4 with alpha (the decoded layout before alpha is split off).
Status checkLimits(uint32_t width, uint32_t height, uint32_t channels, const std::string& displayName,
                   const ImageDecodeOptions& options)
{
    const std::string size = std::to_string(width) + "×" + std::to_string(height);
    if (width == 0 || height == 0)
        return failure(displayName, "the image is " + size + " and has no pixels");
    if (width > options.maxSide || height > options.maxSide)
        return failure(displayName, "image is " + size + "; Vela reads images up to "
                                        + std::to_string(options.maxSide) + " px a side");
    const uint64_t decoded = uint64_t(width) * height * channels;
    if (decoded > options.maxDecodedBytes)
        return failure(displayName, "image is " + size + " (" + mebibytes(decoded)
                                        + " once decoded); Vela reads images up to "
                                        + mebibytes(options.maxDecodedBytes) + " decoded; scale it down first");
    return {};
}

// Splits stb_image's interleaved RGBA into rgb and alpha; alpha is dropped when every pixel is opaque.
void splitAlpha(const stbi_uc* rgba, Image& image)
{
    const size_t count = size_t(image.width) * image.height;
    image.rgb.resize(count * 3);
    image.alpha.resize(count);
    bool opaque = true;
    for (size_t i = 0; i < count; ++i) {
        std::memcpy(&image.rgb[i * 3], &rgba[i * 4], 3);
        image.alpha[i] = rgba[i * 4 + 3];
        opaque = opaque && image.alpha[i] == 255;
    }
    if (opaque)
        image.alpha = {};
}

void applyExifOrientation(Image& image, uint16_t orientation)
{
    if (orientation == 1)
        return;
    image.rgb = applyOrientation(image.rgb, image.width, image.height, 3, orientation);
    if (image.hasAlpha())
        image.alpha = applyOrientation(image.alpha, image.width, image.height, 1, orientation);
    if (orientationSwapsAxes(orientation))
        std::swap(image.width, image.height);
    image.appliedOrientation = orientation;
}

}  // namespace

std::string_view imageFormatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::Gif: return "GIF";
    case ImageFormat::Tga: return "TGA";
    }
    return "image";
}

Result<ImageInfo> probeImage(std::span<const uint8_t> bytes, const std::string& displayName,
                             const ImageDecodeOptions& options)
{
    if (bytes.empty())
        return failure(displayName, "the file is empty (0 bytes)");
    if (bytes.size() > kMaxImageFileBytes || bytes.size() > size_t(INT_MAX))
        return failure(displayName, "the file is " + mebibytes(bytes.size()) + "; Vela reads image files up to "
                                        + mebibytes(kMaxImageFileBytes));
    if (const auto other = unsupportedFormatName(bytes))
        return failure(displayName, "it is a " + std::string(*other) + " image; Vela reads "
                                        + std::string(kReadableFormats) + " images");
    const auto signature = formatFromSignature(bytes);
    // The declared size first: stb_image's header reader gives up on some huge files without telling their size.
    if (const auto declared = signature ? readDeclaredSize(bytes, *signature) : std::nullopt) {
        if (Status limits = checkLimits(declared->width, declared->height, declared->channels, displayName, options);
            !limits)
            return limits;
    }
    int width = 0, height = 0, channels = 0;
    if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &width, &height, &channels)) {
        if (!signature)
            return failure(displayName, "its content is not a " + std::string(kReadableFormats)
                                            + " image, whatever its name says");
        // No stb_image code here: after its PNG/JPEG/… reader fails it tries TGA last, whose code would show.
        return failure(displayName, "its " + std::string(imageFormatName(*signature))
                                        + " header is damaged; the file may be incomplete or not really a "
                                        + std::string(imageFormatName(*signature)));
    }
    ImageInfo info;
    info.format = signature.value_or(ImageFormat::Tga);
    info.width = uint32_t(std::max(width, 0));
    info.height = uint32_t(std::max(height, 0));
    info.hasAlpha = channels == 2 || channels == 4;
    if (info.format == ImageFormat::Jpeg)
        info.orientation = readJpegExifOrientation(bytes);
    if (Status limits = checkLimits(info.width, info.height, info.hasAlpha ? 4 : 3, displayName, options); !limits)
        return limits;
    return info;
}

Result<Image> decodeImage(std::span<const uint8_t> bytes, const std::string& displayName,
                          const ImageDecodeOptions& options)
{
    auto info = probeImage(bytes, displayName, options);
    if (!info)
        return info.status();
    const int wanted = info->hasAlpha ? 4 : 3;
    int width = 0, height = 0, channels = 0;
    StbPixels pixels(stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &channels, wanted));
    if (!pixels)
        return failure(displayName, describeStbFailure(info->format));
    if (uint32_t(width) != info->width || uint32_t(height) != info->height)
        return failure(displayName, "its " + std::string(imageFormatName(info->format))
                                        + " data does not match its header; the file is damaged");
    Image image;
    image.format = info->format;
    image.width = info->width;
    image.height = info->height;
    if (wanted == 4)
        splitAlpha(pixels.get(), image);
    else
        image.rgb.assign(pixels.get(), pixels.get() + size_t(width) * height * 3);
    pixels.reset();  // before the rotation's copy: at most two full images in memory
    if (options.applyExifOrientation)
        applyExifOrientation(image, info->orientation);
    return image;
}

Result<Image> decodeImageFile(const std::string& path, const ImageDecodeOptions& options)
{
    const std::string name = std::filesystem::path(path).filename().string();
    auto file = MappedFile::open(path);
    if (!file)
        return failure(name, file.message());
    return decodeImage((*file)->bytes(), name, options);
}

}  // namespace vela
