// Reading images for the vision models: PNG (1–16 bit, gray, RGB, palette, with or without alpha), JPEG
// (baseline and progressive), BMP, GIF (first frame) and TGA, decoded with stb_image (Debian libstb-dev),
// the decoder llama.cpp's mtmd uses, so Vela sees the same pixels llama.cpp does.
//
// Untrusted input: the header is read first (stbi_info_from_memory) and an image over the limits is refused
// before a pixel buffer is allocated; empty, truncated or non-image data gives a Status with a sentence a
// user can act on, never a crash. Thread-safe (stb_image keeps its failure reason per thread).
#pragma once

#include "vela/status.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vela {

enum class ImageFormat { Png, Jpeg, Bmp, Gif, Tga };

std::string_view imageFormatName(ImageFormat format);  // "PNG", "JPEG", …

// Defaults of ImageDecodeOptions: a side over 16384 px or more than 256 MiB of decoded 8-bit pixels is refused.
constexpr uint32_t kMaxImageSide = 16384;
constexpr uint64_t kMaxImageDecodedBytes = 256ull << 20;
// Encoded files larger than this are refused before anything is read (stb_image takes an int length).
constexpr uint64_t kMaxImageFileBytes = 512ull << 20;

struct ImageDecodeOptions {
    uint32_t maxSide = kMaxImageSide;
    // width × height × channels (3, or 4 when the file has an alpha channel), counted at 8 bits per channel.
    uint64_t maxDecodedBytes = kMaxImageDecodedBytes;
    // JPEG only: turn the image upright as its EXIF Orientation tag (APP1, IFD0, tag 0x0112) says, as photo
    // viewers and browsers do. llama.cpp and Hugging Face processors ignore the tag (stb_image and PIL's
    // Image.open do not apply it); false reproduces them exactly for a rotated photo.
    bool applyExifOrientation = true;
};

// What the header says, without decoding.
struct ImageInfo {
    ImageFormat format = ImageFormat::Png;
    uint32_t width = 0;   // as stored, before any EXIF rotation
    uint32_t height = 0;
    bool hasAlpha = false;    // the file may carry transparency: an alpha channel or a transparent palette
                              // entry (always true for GIF, whose header cannot tell)
    uint16_t orientation = 1; // JPEG EXIF Orientation 1…8; 1 (upright) when absent or not a JPEG
};

// A decoded image: 8 bits per channel, rows top to bottom, pixels left to right.
//   rgb:   (height, width, 3) interleaved R,G,B. Gray is replicated to R = G = B. 16-bit channels are
//          reduced to 8 bits as stb_image does it (v >> 8).
//   alpha: (height, width), straight (not premultiplied); empty when the file has no alpha channel or every
//          pixel is opaque. Colour under transparent pixels is kept as stored (which is what llama.cpp feeds
//          its encoder); image_preprocess.h decides per model whether to drop alpha or composite over white.
struct Image {
    ImageFormat format = ImageFormat::Png;
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<uint8_t> rgb;
    std::vector<uint8_t> alpha;
    uint16_t appliedOrientation = 1;  // the EXIF orientation that was applied (1: none)

    bool hasAlpha() const { return !alpha.empty(); }
    const uint8_t* pixel(uint32_t x, uint32_t y) const { return &rgb[(size_t(y) * width + x) * 3]; }
};

// Reads only the header of `bytes`. Fails for empty, unrecognised or unsupported data and for images over the
// limits in `options` (the same checks decodeImage makes before it allocates).
// `displayName` names the image in messages (a file name, "pasted image").
Result<ImageInfo> probeImage(std::span<const uint8_t> bytes, const std::string& displayName,
                             const ImageDecodeOptions& options = {});

// Decodes an encoded image held in memory (e.g. pasted from the clipboard).
Result<Image> decodeImage(std::span<const uint8_t> bytes, const std::string& displayName,
                          const ImageDecodeOptions& options = {});

// Decodes the image file at `path` (mapped read-only; messages name the file).
Result<Image> decodeImageFile(const std::string& path, const ImageDecodeOptions& options = {});

}  // namespace vela
