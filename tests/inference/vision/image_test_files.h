// Images the vision tests build in memory: stb_image_write's encoders (PNG, BMP, TGA, JPEG), a hand-made GIF
// (stb_image_write has no GIF writer), an Exif APP1 segment spliced into a JPEG, and PNG headers that lie.
#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <span>
#include <vector>

namespace vela::test {

// (height, width, channels) interleaved 8-bit pixels.
struct RawImage {
    int width = 0;
    int height = 0;
    int channels = 3;
    std::vector<uint8_t> pixels;
};

std::vector<uint8_t> encodePng(const RawImage& image);
std::vector<uint8_t> encodeBmp(const RawImage& image);
std::vector<uint8_t> encodeTga(const RawImage& image);
std::vector<uint8_t> encodeJpeg(const RawImage& image, int quality);

// A GIF89a of 4-colour frames (indices 0…3 into `palette`, 4 RGB triples); colour index `transparent`
// (or none when < 0) is transparent in the first frame.
std::vector<uint8_t> encodeGif(int width, int height, const std::vector<std::vector<uint8_t>>& frames,
                               const uint8_t (&palette)[12], int transparent);

// `jpeg` with an APP1 Exif segment (big- or little-endian TIFF, IFD0 holding only Orientation, type SHORT)
// inserted right after SOI.
std::vector<uint8_t> withExifOrientation(std::span<const uint8_t> jpeg, uint16_t orientation, bool bigEndian);

// A PNG signature, an IHDR claiming width × height (8-bit, colour type `colorType`) with a valid CRC, and an
// IDAT with a few bytes of zlib data: what a decompression bomb's first bytes look like.
std::vector<uint8_t> pngHeaderClaiming(uint32_t width, uint32_t height, uint8_t colorType);

std::vector<uint8_t> readBytes(const QString& path);
// Raw little-endian float32 (the reference *.f32 files); empty when the file cannot be read.
std::vector<float> readFloats(const QString& path);

}  // namespace vela::test
