// Decoding every image in shared/images (sizes and known pixel values from images/README.md), every format
// built in memory (PNG gray/gray+alpha/RGBA, BMP, TGA, a two-frame GIF with a transparent colour), the bad
// fixtures refused with their sentences, and every prefix of small files of each format decoded or refused
// without a crash (this test also runs under AddressSanitizer).
#include "image_test_files.h"
#include "support/test_data.h"

#include "vela/image.h"

#include <QtTest>

#include <cmath>
#include <set>

using namespace vela;
using namespace vela::test;

namespace {

Image decodeOrFail(const std::vector<uint8_t>& bytes, const char* name, bool* ok)
{
    Result<Image> image = decodeImage(bytes, name);
    *ok = image.isOk();
    if (!image) {
        qWarning("%s", image.message().c_str());
        return {};
    }
    return std::move(image).value();
}

#define DECODE_OR_FAIL(var, bytes, name)            \
    bool var##Ok = false;                           \
    const Image var = decodeOrFail(bytes, name, &var##Ok); \
    QVERIFY2(var##Ok, name)

bool hasRgb(const Image& image, uint32_t x, uint32_t y, int r, int g, int b, int tolerance = 0)
{
    const uint8_t* p = image.pixel(x, y);
    const bool ok = std::abs(p[0] - r) <= tolerance && std::abs(p[1] - g) <= tolerance && std::abs(p[2] - b) <= tolerance;
    if (!ok)
        qWarning("pixel (%u, %u) is (%d, %d, %d), expected (%d, %d, %d) ± %d", x, y, p[0], p[1], p[2], r, g, b, tolerance);
    return ok;
}

uint8_t alphaAt(const Image& image, uint32_t x, uint32_t y)
{
    return image.alpha[size_t(y) * image.width + x];
}

// A w×h test card: R = x·17, G = y·29, B = (x·y)·7 (mod 256), alpha (4 channels) = 255 − x·y·5.
RawImage testCard(int width, int height, int channels)
{
    RawImage image{width, height, channels, std::vector<uint8_t>(size_t(width) * height * channels)};
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const uint8_t rgba[4] = {uint8_t(x * 17), uint8_t(y * 29), uint8_t(x * y * 7), uint8_t(255 - x * y * 5)};
            uint8_t* p = &image.pixels[(size_t(y) * width + x) * channels];
            if (channels == 1 || channels == 2) {
                p[0] = uint8_t(x * 13 + y * 3);
                if (channels == 2)
                    p[1] = rgba[3];
            } else {
                std::memcpy(p, rgba, size_t(channels));
            }
        }
    }
    return image;
}

}  // namespace

class TestImageDecode : public QObject {
    Q_OBJECT

private slots:
    void decodesSharedImageSizes_data();
    void decodesSharedImageSizes();
    void decodesGradientPixels();
    void decodesCheckerboardColours();
    void keepsAlphaAndHiddenColour();
    void replicatesGrayJpeg();
    void reducesSixteenBitPng();
    void jpegMatchesItsLosslessSource();
    void decodesFileAndMemoryAlike();
    void roundTripsWrittenFormats_data();
    void roundTripsWrittenFormats();
    void decodesFirstGifFrameWithTransparency();
    void dropsAllOpaqueGifAlpha();
    void refusesBadFixtures_data();
    void refusesBadFixtures();
    void refusesOtherFormatsAndMissingFiles();
    void probesWithoutDecoding();
    void survivesTruncationAndCorruption_data();
    void survivesTruncationAndCorruption();
};

void TestImageDecode::decodesSharedImageSizes_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<bool>("alpha");
    QTest::addColumn<int>("colours");  // at least this many distinct RGB values
    auto row = [](const char* file, ImageFormat format, int w, int h, bool alpha, int colours) {
        QTest::newRow(file) << QString(file) << int(format) << w << h << alpha << colours;
    };
    row("gradient_circle_square_320x240.png", ImageFormat::Png, 320, 240, false, 256);
    row("noise_photo_640x480.png", ImageFormat::Png, 640, 480, false, 256);
    row("noise_photo_640x480.jpg", ImageFormat::Jpeg, 640, 480, false, 256);
    row("odd_checker_37x53.png", ImageFormat::Png, 37, 53, false, 3);
    row("rgba_disc_transparent_160x120.png", ImageFormat::Png, 160, 120, true, 3);  // magenta, green, orange
    row("gray_radial_200x150.jpg", ImageFormat::Jpeg, 200, 150, false, 64);
    row("gray16_ramp_64x48.png", ImageFormat::Png, 64, 48, false, 64);
    row("progressive_128x96.jpg", ImageFormat::Jpeg, 128, 96, false, 256);
}

void TestImageDecode::decodesSharedImageSizes()
{
    QFETCH(QString, file);
    QFETCH(int, format);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(bool, alpha);
    QFETCH(int, colours);
    VELA_REQUIRE_FILE(path, "images/" + file);
    Result<Image> image = decodeImageFile(path.toStdString());
    QVERIFY2(image.isOk(), image.message().c_str());
    QCOMPARE(int(image->format), format);
    QCOMPARE(int(image->width), width);
    QCOMPARE(int(image->height), height);
    QCOMPARE(image->rgb.size(), size_t(width) * height * 3);
    QCOMPARE(image->hasAlpha(), alpha);
    QCOMPARE(image->appliedOrientation, uint16_t(1));
    // Real content, not a blank buffer.
    std::set<uint32_t> seen;
    for (size_t i = 0; i < image->rgb.size(); i += 3)
        seen.insert(uint32_t(image->rgb[i]) << 16 | uint32_t(image->rgb[i + 1]) << 8 | image->rgb[i + 2]);
    QVERIFY2(seen.size() >= size_t(colours), qPrintable(QString::number(seen.size())));
}

void TestImageDecode::decodesGradientPixels()
{
    VELA_REQUIRE_FILE(path, "images/gradient_circle_square_320x240.png");
    DECODE_OR_FAIL(image, readBytes(path), "gradient");
    QVERIFY(hasRgb(image, 0, 0, 0, 0, 64));
    QVERIFY(hasRgb(image, 319, 239, 255, 255, 64));
    QVERIFY(hasRgb(image, 319, 0, 255, 0, 64));
    QVERIFY(hasRgb(image, 100, 100, 255, 0, 0));  // the red circle's centre
    QVERIFY(hasRgb(image, 235, 155, 0, 0, 255));  // inside the blue square
    QVERIFY(hasRgb(image, 160, 20, 128, 21, 64, 1));  // the ramps: R = x·255/319, G = y·255/239
}

void TestImageDecode::decodesCheckerboardColours()
{
    VELA_REQUIRE_FILE(path, "images/odd_checker_37x53.png");
    DECODE_OR_FAIL(image, readBytes(path), "checker");
    std::set<uint32_t> colours;
    for (size_t i = 0; i < image.rgb.size(); i += 3)
        colours.insert(uint32_t(image.rgb[i]) << 16 | uint32_t(image.rgb[i + 1]) << 8 | image.rgb[i + 2]);
    const std::set<uint32_t> expected{0xE6C828, 0x143CA0, 0xFFFFFF};  // yellow, blue, the white diagonal
    QCOMPARE(colours, expected);
}

void TestImageDecode::keepsAlphaAndHiddenColour()
{
    VELA_REQUIRE_FILE(path, "images/rgba_disc_transparent_160x120.png");
    DECODE_OR_FAIL(image, readBytes(path), "rgba");
    QVERIFY(image.hasAlpha());
    QCOMPARE(image.alpha.size(), size_t(160) * 120);
    QVERIFY(hasRgb(image, 55, 50, 0, 200, 0));  // the opaque disc
    QCOMPARE(alphaAt(image, 55, 50), uint8_t(255));
    QVERIFY(hasRgb(image, 0, 0, 255, 0, 255));  // transparent background: magenta kept under alpha 0
    QCOMPARE(alphaAt(image, 0, 0), uint8_t(0));
    QVERIFY(hasRgb(image, 80, 100, 255, 128, 0));  // the orange band, alpha ramping left to right
    QCOMPARE(alphaAt(image, 0, 100), uint8_t(0));
    QCOMPARE(alphaAt(image, 159, 100), uint8_t(255));
    QVERIFY(alphaAt(image, 40, 100) < alphaAt(image, 120, 100));
}

void TestImageDecode::replicatesGrayJpeg()
{
    VELA_REQUIRE_FILE(path, "images/gray_radial_200x150.jpg");
    DECODE_OR_FAIL(image, readBytes(path), "gray");
    for (size_t i = 0; i < image.rgb.size(); i += 3) {
        QCOMPARE(image.rgb[i + 1], image.rgb[i]);
        QCOMPARE(image.rgb[i + 2], image.rgb[i]);
    }
    // The dark ring (r 40–48 around the centre) is darker than the centre.
    QVERIFY(image.pixel(100 + 44, 75)[0] + 40 < image.pixel(100, 75)[0]);
}

void TestImageDecode::reducesSixteenBitPng()
{
    VELA_REQUIRE_FILE(path, "images/gray16_ramp_64x48.png");
    DECODE_OR_FAIL(image, readBytes(path), "gray16");
    // Stored 16-bit value ((x·65535/63) XOR (y·37)) & 0xFFFF; stb_image keeps its high byte.
    for (uint32_t y = 0; y < 48; ++y) {
        for (uint32_t x = 0; x < 64; ++x) {
            const uint32_t v16 = ((x * 65535 / 63) ^ (y * 37)) & 0xFFFF;
            QVERIFY(hasRgb(image, x, y, int(v16 >> 8), int(v16 >> 8), int(v16 >> 8)));
        }
    }
}

void TestImageDecode::jpegMatchesItsLosslessSource()
{
    VELA_REQUIRE_FILE(pngPath, "images/noise_photo_640x480.png");
    VELA_REQUIRE_FILE(jpgPath, "images/noise_photo_640x480.jpg");
    DECODE_OR_FAIL(png, readBytes(pngPath), "png");
    DECODE_OR_FAIL(jpg, readBytes(jpgPath), "jpg");
    QCOMPARE(jpg.rgb.size(), png.rgb.size());
    double sum = 0;
    int maxDelta = 0;
    for (size_t i = 0; i < png.rgb.size(); ++i) {
        const int d = std::abs(int(png.rgb[i]) - int(jpg.rgb[i]));
        sum += d;
        maxDelta = std::max(maxDelta, d);
    }
    const double mean = sum / double(png.rgb.size());
    qInfo("JPEG q90 4:2:0 vs PNG: mean |Δ| %.3f, max |Δ| %d (of 255)", mean, maxDelta);
    QVERIFY(mean < 4.0);  // measured 3.2 (fine noise at q90); a misplaced or unsampled plane is off by tens
}

void TestImageDecode::decodesFileAndMemoryAlike()
{
    VELA_REQUIRE_FILE(path, "images/progressive_128x96.jpg");
    Result<Image> fromFile = decodeImageFile(path.toStdString());
    Result<Image> fromMemory = decodeImage(readBytes(path), "pasted image");
    QVERIFY2(fromFile.isOk(), fromFile.message().c_str());
    QVERIFY2(fromMemory.isOk(), fromMemory.message().c_str());
    QCOMPARE(fromFile->format, ImageFormat::Jpeg);
    QCOMPARE(fromFile->width, fromMemory->width);
    QCOMPARE(fromFile->height, fromMemory->height);
    QVERIFY(fromFile->rgb == fromMemory->rgb);
}

void TestImageDecode::roundTripsWrittenFormats_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("channels");
    for (int channels : {1, 2, 3, 4})
        QTest::addRow("PNG %d channels", channels) << int(ImageFormat::Png) << channels;
    QTest::newRow("BMP RGB") << int(ImageFormat::Bmp) << 3;
    QTest::newRow("TGA RGB") << int(ImageFormat::Tga) << 3;
    QTest::newRow("TGA RGBA") << int(ImageFormat::Tga) << 4;
}

// Lossless formats written by stb_image_write come back pixel for pixel, gray replicated, alpha separate.
void TestImageDecode::roundTripsWrittenFormats()
{
    QFETCH(int, format);
    QFETCH(int, channels);
    const RawImage card = testCard(11, 7, channels);
    std::vector<uint8_t> bytes;
    switch (ImageFormat(format)) {
    case ImageFormat::Png: bytes = encodePng(card); break;
    case ImageFormat::Bmp: bytes = encodeBmp(card); break;
    case ImageFormat::Tga: bytes = encodeTga(card); break;
    default: QFAIL("no writer");
    }
    QVERIFY(!bytes.empty());
    DECODE_OR_FAIL(image, bytes, "card");
    QCOMPARE(int(image.format), format);
    QCOMPARE(image.width, 11u);
    QCOMPARE(image.height, 7u);
    QCOMPARE(image.hasAlpha(), channels == 2 || channels == 4);
    for (uint32_t y = 0; y < 7; ++y) {
        for (uint32_t x = 0; x < 11; ++x) {
            const uint8_t* src = &card.pixels[(size_t(y) * 11 + x) * channels];
            const bool gray = channels <= 2;
            QVERIFY(hasRgb(image, x, y, src[0], gray ? src[0] : src[1], gray ? src[0] : src[2]));
            if (image.hasAlpha())
                QCOMPARE(alphaAt(image, x, y), src[channels - 1]);
        }
    }
}

void TestImageDecode::decodesFirstGifFrameWithTransparency()
{
    const uint8_t palette[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
    const std::vector<uint8_t> first{0, 1, 2, 3, 0, 1,  //
                                     3, 3, 2, 2, 1, 0,  //
                                     0, 0, 0, 0, 0, 3};
    const std::vector<uint8_t> second(first.size(), 1);
    DECODE_OR_FAIL(image, encodeGif(6, 3, {first, second}, palette, 3), "anim.gif");
    QCOMPARE(image.format, ImageFormat::Gif);
    QCOMPARE(image.width, 6u);
    QCOMPARE(image.height, 3u);
    QVERIFY(image.hasAlpha());
    for (uint32_t i = 0; i < first.size(); ++i) {
        const uint32_t x = i % 6, y = i / 6;
        if (first[i] == 3) {
            QCOMPARE(alphaAt(image, x, y), uint8_t(0));
            continue;
        }
        QCOMPARE(alphaAt(image, x, y), uint8_t(255));
        const uint8_t* c = &palette[first[i] * 3];
        QVERIFY(hasRgb(image, x, y, c[0], c[1], c[2]));  // frame 1, not frame 2's all-green
    }
}

void TestImageDecode::dropsAllOpaqueGifAlpha()
{
    const uint8_t palette[12] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
    DECODE_OR_FAIL(image, encodeGif(3, 2, {{0, 1, 2, 3, 2, 1}}, palette, -1), "opaque.gif");
    QVERIFY(!image.hasAlpha());  // stb_image always gives GIFs 4 channels; an all-opaque alpha is dropped
    QVERIFY(hasRgb(image, 1, 0, 40, 50, 60));
    QVERIFY(hasRgb(image, 0, 1, 100, 110, 120));
}

void TestImageDecode::refusesBadFixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("truncated") << "bad_truncated.png"
                               << "cannot read image 'bad_truncated.png': its PNG data is damaged or cut short; "
                                  "the file may be incomplete (save or download it again)";
    QTest::newRow("text") << "bad_text_named.png"
                          << "cannot read image 'bad_text_named.png': its content is not a PNG, JPEG, BMP, GIF or "
                             "TGA image, whatever its name says";
    QTest::newRow("empty") << "bad_empty.jpg" << "cannot read image 'bad_empty.jpg': the file is empty (0 bytes)";
    QTest::newRow("huge") << "bad_huge_60000x60000.png"
                          << "cannot read image 'bad_huge_60000x60000.png': image is 60000×60000; Vela reads "
                             "images up to 16384 px a side";
}

void TestImageDecode::refusesBadFixtures()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    VELA_REQUIRE_FILE(path, "images/" + file);
    const Result<Image> image = decodeImageFile(path.toStdString());
    QVERIFY(!image.isOk());
    qInfo("%s", image.message().c_str());
    QVERIFY2(QString::fromStdString(image.message()).startsWith(message), image.message().c_str());
    // The same bytes pasted from memory give the same sentence under the caller's name.
    const Result<Image> pasted = decodeImage(readBytes(path), "pasted image");
    QVERIFY(!pasted.isOk());
    QVERIFY2(QString::fromStdString(pasted.message())
                 .startsWith(QString(message).replace("'" + file + "'", "'pasted image'")),
             pasted.message().c_str());
}

void TestImageDecode::refusesOtherFormatsAndMissingFiles()
{
    const std::string psd = "8BPS\x00\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x10\x00\x00\x00\x10\x00\x08\x00\x03";
    Result<Image> image = decodeImage(std::vector<uint8_t>(psd.begin(), psd.end()), "layers.psd");
    QVERIFY(!image.isOk());
    QCOMPARE(QString::fromStdString(image.message()),
             QString("cannot read image 'layers.psd': it is a Photoshop (PSD) image; Vela reads PNG, JPEG, BMP, "
                     "GIF or TGA images"));

    image = decodeImageFile(scratchDir().toStdString() + "/no-such-picture.png");
    QVERIFY(!image.isOk());
    QVERIFY2(image.message().find("'no-such-picture.png'") != std::string::npos, image.message().c_str());
    QVERIFY2(image.message().find("No such file") != std::string::npos, image.message().c_str());

    const std::vector<uint8_t> pngSignatureOnly{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0};
    image = decodeImage(pngSignatureOnly, "stub.png");
    QVERIFY(!image.isOk());
    QVERIFY2(image.message().find("its PNG header is damaged") != std::string::npos, image.message().c_str());
}

void TestImageDecode::probesWithoutDecoding()
{
    VELA_REQUIRE_FILE(path, "images/rgba_disc_transparent_160x120.png");
    const Result<ImageInfo> info = probeImage(readBytes(path), "rgba");
    QVERIFY2(info.isOk(), info.message().c_str());
    QCOMPARE(info->format, ImageFormat::Png);
    QCOMPARE(info->width, 160u);
    QCOMPARE(info->height, 120u);
    QVERIFY(info->hasAlpha);
    QCOMPARE(info->orientation, uint16_t(1));

    ImageDecodeOptions small;
    small.maxSide = 100;
    const Result<ImageInfo> refused = probeImage(readBytes(path), "rgba", small);
    QVERIFY(!refused.isOk());
    QCOMPARE(QString::fromStdString(refused.message()),
             QString("cannot read image 'rgba': image is 160×120; Vela reads images up to 100 px a side"));
}

void TestImageDecode::survivesTruncationAndCorruption_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const RawImage card = testCard(9, 5, 3);
    const uint8_t palette[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    auto add = [](const char* name, const std::vector<uint8_t>& b) {
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size()));
    };
    add("png", encodePng(card));
    add("bmp", encodeBmp(card));
    add("tga", encodeTga(card));
    add("jpeg", encodeJpeg(card, 80));
    add("gif", encodeGif(4, 2, {{0, 1, 2, 3, 3, 2, 1, 0}}, palette, 2));
    add("progressive jpeg", readBytes(requireTestFile("images/progressive_128x96.jpg")));
}

// Every prefix of each file, and the file with each single byte corrupted, decodes or gives a message: no
// crash, no read past the buffer (AddressSanitizer), never an empty message.
void TestImageDecode::survivesTruncationAndCorruption()
{
    QFETCH(QByteArray, bytes);
    QVERIFY(!bytes.isEmpty());
    const std::vector<uint8_t> whole(bytes.begin(), bytes.end());
    int decoded = 0, refused = 0;
    auto attempt = [&](const std::vector<uint8_t>& data) {
        const Result<Image> image = decodeImage(data, "cut");
        if (image.isOk()) {
            ++decoded;
            return image->rgb.size() == size_t(image->width) * image->height * 3
                   && (!image->hasAlpha() || image->alpha.size() == size_t(image->width) * image->height);
        }
        ++refused;
        return !image.message().empty();
    };
    for (size_t n = 0; n <= whole.size(); ++n)
        QVERIFY(attempt(std::vector<uint8_t>(whole.begin(), whole.begin() + long(n))));
    qInfo("%zu prefixes: %d decoded (stb_image fills what is missing), %d refused", whole.size() + 1, decoded,
          refused);
    QVERIFY(refused > 0);
    decoded = refused = 0;
    for (size_t i = 0; i < whole.size(); ++i) {
        std::vector<uint8_t> corrupted = whole;
        corrupted[i] ^= 0x55;
        QVERIFY(attempt(corrupted));
    }
    qInfo("%zu single-byte corruptions: %d decoded, %d refused", whole.size(), decoded, refused);
    QVERIFY(decodeImage(whole, "whole").isOk());
}

QTEST_GUILESS_MAIN(TestImageDecode)
#include "tst_image_decode.moc"
