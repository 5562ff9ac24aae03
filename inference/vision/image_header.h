// What an image file's header declares, read without stb_image: the limit check needs the size of files
// stb_image's own header reader refuses without saying how large they are (a PNG whose raw data would pass
// 2^30 bytes fails stbi_info with "too large", then "unknown image type").
#pragma once

#include "vela/image.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

namespace vela {

struct DeclaredSize {
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t channels = 3;  // as decoded: 4 when the header already says there is alpha, else 3 (a lower bound)
};

// The size in the header of a PNG (IHDR), GIF (logical screen), BMP (DIB header) or JPEG (first SOFn);
// nullopt for TGA or when the header is cut short or malformed.
std::optional<DeclaredSize> readDeclaredSize(std::span<const uint8_t> bytes, ImageFormat format);

// Calls `visit(marker, payload)` for each marker segment of a JPEG before its first scan (SOS), in order,
// until `visit` returns false. Stops quietly at anything malformed or cut short.
void visitJpegSegments(std::span<const uint8_t> jpeg,
                       const std::function<bool(uint8_t marker, std::span<const uint8_t> payload)>& visit);

}  // namespace vela
