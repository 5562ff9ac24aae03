#include "vision/image_header.h"

#include <cstdlib>

namespace vela {

namespace {

uint32_t be16(std::span<const uint8_t> b, size_t at) { return uint32_t(b[at]) << 8 | b[at + 1]; }
uint32_t le16(std::span<const uint8_t> b, size_t at) { return uint32_t(b[at + 1]) << 8 | b[at]; }
uint32_t be32(std::span<const uint8_t> b, size_t at) { return be16(b, at) << 16 | be16(b, at + 2); }
uint32_t le32(std::span<const uint8_t> b, size_t at) { return le16(b, at + 2) << 16 | le16(b, at); }

bool isStandaloneMarker(uint8_t marker)
{
    return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8);  // TEM, RST0–7, SOI: no length field
}

// SOF0–SOF15, which carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
bool isStartOfFrame(uint8_t marker)
{
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

std::optional<DeclaredSize> pngSize(std::span<const uint8_t> b)
{
    // Signature (8), then the IHDR chunk: length (4), "IHDR", width, height (big-endian), bit depth, colour
    // type (4: gray + alpha, 6: RGBA).
    if (b.size() < 26 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R')
        return std::nullopt;
    return DeclaredSize{be32(b, 16), be32(b, 20), b[25] == 4 || b[25] == 6 ? 4u : 3u};
}

std::optional<DeclaredSize> gifSize(std::span<const uint8_t> b)
{
    if (b.size() < 10)
        return std::nullopt;
    return DeclaredSize{le16(b, 6), le16(b, 8), 4};  // stb_image decodes every GIF with alpha
}

std::optional<DeclaredSize> bmpSize(std::span<const uint8_t> b)
{
    // File header (14), then the DIB header: its size, then width and height (16-bit in the OS/2 12-byte
    // header, signed 32-bit otherwise; a negative height means rows top-down).
    if (b.size() < 26)
        return std::nullopt;
    if (le32(b, 14) == 12)
        return DeclaredSize{le16(b, 18), le16(b, 20)};
    const auto width = int32_t(le32(b, 18));
    const auto height = int32_t(le32(b, 22));
    return DeclaredSize{uint32_t(std::abs(int64_t(width))), uint32_t(std::abs(int64_t(height)))};
}

std::optional<DeclaredSize> jpegSize(std::span<const uint8_t> b)
{
    std::optional<DeclaredSize> size;
    visitJpegSegments(b, [&](uint8_t marker, std::span<const uint8_t> payload) {
        if (!isStartOfFrame(marker))
            return true;
        if (payload.size() >= 5)  // precision, height, width
            size = DeclaredSize{be16(payload, 3), be16(payload, 1)};
        return false;
    });
    return size;
}

}  // namespace

std::optional<DeclaredSize> readDeclaredSize(std::span<const uint8_t> bytes, ImageFormat format)
{
    switch (format) {
    case ImageFormat::Png: return pngSize(bytes);
    case ImageFormat::Gif: return gifSize(bytes);
    case ImageFormat::Bmp: return bmpSize(bytes);
    case ImageFormat::Jpeg: return jpegSize(bytes);
    case ImageFormat::Tga: return std::nullopt;
    }
    return std::nullopt;
}

void visitJpegSegments(std::span<const uint8_t> jpeg,
                       const std::function<bool(uint8_t marker, std::span<const uint8_t> payload)>& visit)
{
    if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        return;
    size_t pos = 2;
    while (pos + 1 < jpeg.size()) {
        if (jpeg[pos] != 0xFF)
            return;  // not at a marker: malformed
        while (pos + 1 < jpeg.size() && jpeg[pos + 1] == 0xFF)
            ++pos;  // fill bytes
        if (pos + 1 >= jpeg.size())
            return;
        const uint8_t marker = jpeg[pos + 1];
        pos += 2;
        if (isStandaloneMarker(marker))
            continue;
        if (marker == 0xDA || marker == 0xD9 || pos + 2 > jpeg.size())
            return;  // entropy-coded data or the end: headers come before the first scan
        const size_t length = be16(jpeg, pos);
        if (length < 2 || length > jpeg.size() - pos)
            return;
        if (!visit(marker, jpeg.subspan(pos + 2, length - 2)))
            return;
        pos += length;
    }
}

}  // namespace vela
