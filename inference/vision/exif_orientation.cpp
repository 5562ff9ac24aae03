#include "vision/exif_orientation.h"

#include "vision/image_header.h"

#include <cstring>
#include <optional>
#include <string_view>

namespace vela {

namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;
constexpr uint16_t kTypeLong = 4;

// Reads 16/32-bit values of a TIFF block in its declared byte order; every read is bounds-checked.
class TiffReader {
public:
    TiffReader(std::span<const uint8_t> bytes, bool bigEndian) : m_bytes(bytes), m_bigEndian(bigEndian) {}

    std::optional<uint32_t> u16(size_t offset) const { return read(offset, 2); }
    std::optional<uint32_t> u32(size_t offset) const { return read(offset, 4); }

private:
    std::optional<uint32_t> read(size_t offset, size_t size) const
    {
        if (offset > m_bytes.size() || m_bytes.size() - offset < size)
            return std::nullopt;
        uint32_t value = 0;
        for (size_t i = 0; i < size; ++i) {
            const size_t index = m_bigEndian ? i : size - 1 - i;
            value = (value << 8) | m_bytes[offset + index];
        }
        return value;
    }

    std::span<const uint8_t> m_bytes;
    bool m_bigEndian;
};

// The Orientation entry of IFD0 of a TIFF block ("II*\0" or "MM\0*" header), or 1.
uint16_t orientationFromTiff(std::span<const uint8_t> tiff)
{
    if (tiff.size() < 8)
        return 1;
    const bool bigEndian = tiff[0] == 'M' && tiff[1] == 'M';
    if (!bigEndian && !(tiff[0] == 'I' && tiff[1] == 'I'))
        return 1;
    const TiffReader reader(tiff, bigEndian);
    const auto ifd = reader.u32(4);
    if (reader.u16(2) != 42u || !ifd)
        return 1;
    const auto count = reader.u16(*ifd);
    if (!count)
        return 1;
    for (uint32_t i = 0; i < *count; ++i) {
        const size_t entry = size_t(*ifd) + 2 + size_t(i) * 12;
        const auto tag = reader.u16(entry);
        if (!tag)
            return 1;  // the IFD runs past the segment
        if (*tag != kOrientationTag)
            continue;
        const auto type = reader.u16(entry + 2);
        std::optional<uint32_t> value;
        if (type == kTypeShort)
            value = reader.u16(entry + 8);
        else if (type == kTypeLong)
            value = reader.u32(entry + 8);
        return value && *value >= 1 && *value <= 8 ? uint16_t(*value) : 1;
    }
    return 1;
}

}  // namespace

uint16_t readJpegExifOrientation(std::span<const uint8_t> jpeg)
{
    constexpr std::string_view kExifHeader("Exif\0\0", 6);
    uint16_t orientation = 1;
    visitJpegSegments(jpeg, [&](uint8_t marker, std::span<const uint8_t> payload) {
        if (marker != 0xE1 || payload.size() < kExifHeader.size()
            || std::memcmp(payload.data(), kExifHeader.data(), kExifHeader.size()) != 0)
            return true;  // not Exif (XMP is APP1 too): keep looking
        orientation = orientationFromTiff(payload.subspan(kExifHeader.size()));
        return false;  // the first Exif segment decides
    });
    return orientation;
}

bool orientationSwapsAxes(uint16_t orientation)
{
    return orientation >= 5 && orientation <= 8;
}

std::vector<uint8_t> applyOrientation(std::span<const uint8_t> pixels, uint32_t width, uint32_t height,
                                      uint32_t channels, uint16_t orientation)
{
    const bool swap = orientationSwapsAxes(orientation);
    const uint32_t outWidth = swap ? height : width;
    const uint32_t outHeight = swap ? width : height;
    std::vector<uint8_t> out(pixels.size());
    for (uint32_t y = 0; y < outHeight; ++y) {
        for (uint32_t x = 0; x < outWidth; ++x) {
            // (sx, sy): the stored pixel that shows at (x, y) once upright.
            uint32_t sx = x, sy = y;
            switch (orientation) {
            case 2: sx = width - 1 - x; break;
            case 3: sx = width - 1 - x; sy = height - 1 - y; break;
            case 4: sy = height - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = height - 1 - x; break;
            case 7: sx = width - 1 - y; sy = height - 1 - x; break;
            case 8: sx = width - 1 - y; sy = x; break;
            default: break;
            }
            const size_t from = (size_t(sy) * width + sx) * channels;
            const size_t to = (size_t(y) * outWidth + x) * channels;
            std::memcpy(&out[to], &pixels[from], channels);
        }
    }
    return out;
}

}  // namespace vela
