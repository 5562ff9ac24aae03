#include "image_test_files.h"

#include <stb/stb_image_write.h>

#include <QFile>

#include <cstring>

namespace vela::test {

namespace {

void appendTo(void* context, void* data, int size)
{
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    const auto* bytes = static_cast<const uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

void putLe16(std::vector<uint8_t>& out, uint32_t v)
{
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}

void putBe32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(uint8_t(v >> shift));
}

uint32_t crc32(const uint8_t* data, size_t size)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void putPngChunk(std::vector<uint8_t>& out, const char (&type)[5], const std::vector<uint8_t>& data)
{
    putBe32(out, uint32_t(data.size()));
    const size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    putBe32(out, crc32(&out[start], out.size() - start));
}

// LZW codes of one 4-colour frame (minimum code size 2: clear = 4, end = 5, 3-bit codes). A clear code before
// every two pixels keeps the code table (and so the code width) from growing: valid, just uncompressed.
std::vector<uint8_t> gifLzwData(const std::vector<uint8_t>& indices)
{
    std::vector<uint8_t> packed;
    uint32_t bits = 0;
    int bitCount = 0;
    auto writeCode = [&](uint32_t code) {
        bits |= code << bitCount;
        bitCount += 3;
        while (bitCount >= 8) {
            packed.push_back(uint8_t(bits));
            bits >>= 8;
            bitCount -= 8;
        }
    };
    for (size_t i = 0; i < indices.size(); ++i) {
        if (i % 2 == 0)
            writeCode(4);
        writeCode(indices[i]);
    }
    writeCode(5);
    if (bitCount > 0)
        packed.push_back(uint8_t(bits));
    std::vector<uint8_t> blocks{2};  // minimum code size, then ≤ 255-byte sub-blocks, then a 0 terminator
    for (size_t i = 0; i < packed.size(); i += 255) {
        const size_t n = std::min<size_t>(255, packed.size() - i);
        blocks.push_back(uint8_t(n));
        blocks.insert(blocks.end(), packed.begin() + long(i), packed.begin() + long(i + n));
    }
    blocks.push_back(0);
    return blocks;
}

}  // namespace

std::vector<uint8_t> encodePng(const RawImage& image)
{
    std::vector<uint8_t> out;
    stbi_write_png_to_func(appendTo, &out, image.width, image.height, image.channels, image.pixels.data(),
                           image.width * image.channels);
    return out;
}

std::vector<uint8_t> encodeBmp(const RawImage& image)
{
    std::vector<uint8_t> out;
    stbi_write_bmp_to_func(appendTo, &out, image.width, image.height, image.channels, image.pixels.data());
    return out;
}

std::vector<uint8_t> encodeTga(const RawImage& image)
{
    std::vector<uint8_t> out;
    stbi_write_tga_to_func(appendTo, &out, image.width, image.height, image.channels, image.pixels.data());
    return out;
}

std::vector<uint8_t> encodeJpeg(const RawImage& image, int quality)
{
    std::vector<uint8_t> out;
    stbi_write_jpg_to_func(appendTo, &out, image.width, image.height, image.channels, image.pixels.data(), quality);
    return out;
}

std::vector<uint8_t> encodeGif(int width, int height, const std::vector<std::vector<uint8_t>>& frames,
                               const uint8_t (&palette)[12], int transparent)
{
    std::vector<uint8_t> out{'G', 'I', 'F', '8', '9', 'a'};
    putLe16(out, uint32_t(width));
    putLe16(out, uint32_t(height));
    out.insert(out.end(), {0x91, 0, 0});  // global colour table of 2^(1+1) entries, 2 bits of colour resolution
    out.insert(out.end(), palette, palette + 12);
    for (size_t f = 0; f < frames.size(); ++f) {
        const bool transparentHere = f == 0 && transparent >= 0;
        // Graphic control extension: disposal 0, the transparency flag and index.
        out.insert(out.end(), {0x21, 0xF9, 4, uint8_t(transparentHere ? 1 : 0), 10, 0,
                               uint8_t(transparentHere ? transparent : 0), 0});
        out.push_back(0x2C);  // image descriptor: the whole canvas, no local colour table
        putLe16(out, 0);
        putLe16(out, 0);
        putLe16(out, uint32_t(width));
        putLe16(out, uint32_t(height));
        out.push_back(0);
        const std::vector<uint8_t> data = gifLzwData(frames[f]);
        out.insert(out.end(), data.begin(), data.end());
    }
    out.push_back(0x3B);
    return out;
}

std::vector<uint8_t> withExifOrientation(std::span<const uint8_t> jpeg, uint16_t orientation, bool bigEndian)
{
    std::vector<uint8_t> tiff = bigEndian ? std::vector<uint8_t>{'M', 'M', 0, 42, 0, 0, 0, 8}
                                          : std::vector<uint8_t>{'I', 'I', 42, 0, 8, 0, 0, 0};
    auto put16 = [&](uint16_t v) {
        tiff.push_back(uint8_t(bigEndian ? v >> 8 : v));
        tiff.push_back(uint8_t(bigEndian ? v : v >> 8));
    };
    auto put32 = [&](uint32_t v) {
        put16(uint16_t(bigEndian ? v >> 16 : v));
        put16(uint16_t(bigEndian ? v : v >> 16));
    };
    put16(1);       // one IFD0 entry
    put16(0x0112);  // Orientation
    put16(3);       // SHORT
    put32(1);       // one value, left-justified in the 4-byte field
    put16(orientation);
    put16(0);
    put32(0);  // no IFD1
    std::vector<uint8_t> segment{0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    segment.insert(segment.end(), tiff.begin(), tiff.end());
    const size_t length = segment.size() - 2;
    segment[2] = uint8_t(length >> 8);
    segment[3] = uint8_t(length);
    std::vector<uint8_t> out(jpeg.begin(), jpeg.begin() + 2);  // SOI
    out.insert(out.end(), segment.begin(), segment.end());
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

std::vector<uint8_t> pngHeaderClaiming(uint32_t width, uint32_t height, uint8_t colorType)
{
    std::vector<uint8_t> out{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> ihdr;
    putBe32(ihdr, width);
    putBe32(ihdr, height);
    ihdr.insert(ihdr.end(), {8, colorType, 0, 0, 0});
    putPngChunk(out, "IHDR", ihdr);
    putPngChunk(out, "IDAT", {0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01});
    putPngChunk(out, "IEND", {});
    return out;
}

std::vector<uint8_t> readBytes(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::vector<float> readFloats(const QString& path)
{
    const std::vector<uint8_t> bytes = readBytes(path);
    std::vector<float> floats(bytes.size() / sizeof(float));
    std::memcpy(floats.data(), bytes.data(), floats.size() * sizeof(float));
    return floats;
}

}  // namespace vela::test
