// EXIF orientation: a 32×16 JPEG with four solid quadrants, written by stb_image_write, gets an APP1 Exif
// segment with each Orientation 1…8 (big- and little-endian TIFF); the decoded image must show the quadrants
// where a photo viewer shows them (expected corners written out by hand from the Exif spec), and stay as
// stored when orientation is turned off. Malformed or hostile Exif never fails a decode.
#include "image_test_files.h"

#include "vela/image.h"
#include "vision/exif_orientation.h"

#include <QtTest>

using namespace vela;
using namespace vela::test;

namespace {

enum Colour : char { R = 'R', G = 'G', B = 'B', W = 'W' };

// Stored image: top-left red, top-right green, bottom-left blue, bottom-right white; 16×8 px each, so every
// quadrant is two whole 8×8 JPEG blocks and decodes close to its solid colour.
std::vector<uint8_t> quadrantJpeg()
{
    RawImage image{32, 16, 3, std::vector<uint8_t>(32 * 16 * 3)};
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 32; ++x) {
            const bool right = x >= 16, bottom = y >= 8;
            const uint8_t rgb[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
            std::memcpy(&image.pixels[(size_t(y) * 32 + x) * 3], rgb[(bottom ? 2 : 0) + (right ? 1 : 0)], 3);
        }
    }
    return encodeJpeg(image, 100);
}

Colour colourAt(const Image& image, uint32_t x, uint32_t y)
{
    const uint8_t* p = image.pixel(x, y);
    if (p[0] > 200 && p[1] > 200 && p[2] > 200)
        return W;
    if (p[0] > 200 && p[1] < 60 && p[2] < 60)
        return R;
    if (p[1] > 200 && p[0] < 60 && p[2] < 60)
        return G;
    if (p[2] > 200 && p[0] < 60 && p[1] < 60)
        return B;
    return Colour('?');
}

// The quadrant colours at the centres of the top-left, top-right, bottom-left and bottom-right quarters.
QString corners(const Image& image)
{
    const uint32_t qx = image.width / 4, qy = image.height / 4;
    const char letters[5] = {colourAt(image, qx, qy), colourAt(image, 3 * qx, qy), colourAt(image, qx, 3 * qy),
                             colourAt(image, 3 * qx, 3 * qy), 0};
    return QString::fromLatin1(letters);
}

}  // namespace

class TestImageOrientation : public QObject {
    Q_OBJECT

private slots:
    void turnsJpegUpright_data();
    void turnsJpegUpright();
    void keepsStoredOrientationWhenAsked();
    void readsOrientationFromSegments_data();
    void readsOrientationFromSegments();
    void ignoresOrientationOutsideJpeg();
};

void TestImageOrientation::turnsJpegUpright_data()
{
    QTest::addColumn<int>("orientation");
    QTest::addColumn<bool>("bigEndian");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<QString>("corners");  // TL, TR, BL, BR once upright
    const char* expected[9] = {"", "RGBW", "GRWB", "WBGR", "BWRG", "RBGW", "BRWG", "WGBR", "GWRB"};
    for (int o = 1; o <= 8; ++o) {
        for (bool big : {true, false}) {
            const bool swap = o >= 5;
            QTest::addRow("orientation %d %s", o, big ? "MM" : "II")
                << o << big << (swap ? 16 : 32) << (swap ? 32 : 16) << QString(expected[o]);
        }
    }
}

void TestImageOrientation::turnsJpegUpright()
{
    QFETCH(int, orientation);
    QFETCH(bool, bigEndian);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(QString, corners);
    const std::vector<uint8_t> jpeg = withExifOrientation(quadrantJpeg(), uint16_t(orientation), bigEndian);
    QCOMPARE(readJpegExifOrientation(jpeg), uint16_t(orientation));

    const Result<ImageInfo> info = probeImage(jpeg, "photo.jpg");
    QVERIFY2(info.isOk(), info.message().c_str());
    QCOMPARE(info->orientation, uint16_t(orientation));
    QCOMPARE(info->width, 32u);  // the header's size, as stored

    const Result<Image> image = decodeImage(jpeg, "photo.jpg");
    QVERIFY2(image.isOk(), image.message().c_str());
    QCOMPARE(int(image->width), width);
    QCOMPARE(int(image->height), height);
    QCOMPARE(image->appliedOrientation, uint16_t(orientation));
    QCOMPARE(::corners(*image), corners);
}

void TestImageOrientation::keepsStoredOrientationWhenAsked()
{
    const std::vector<uint8_t> jpeg = withExifOrientation(quadrantJpeg(), 6, true);
    ImageDecodeOptions options;
    options.applyExifOrientation = false;
    const Result<Image> image = decodeImage(jpeg, "photo.jpg", options);
    QVERIFY2(image.isOk(), image.message().c_str());
    QCOMPARE(image->width, 32u);
    QCOMPARE(image->appliedOrientation, uint16_t(1));
    QCOMPARE(corners(*image), QString("RGBW"));
    // Without Exif the JPEG is as stored too.
    const Result<Image> plain = decodeImage(quadrantJpeg(), "plain.jpg");
    QVERIFY(plain.isOk());
    QCOMPARE(corners(*plain), QString("RGBW"));
}

void TestImageOrientation::readsOrientationFromSegments_data()
{
    QTest::addColumn<QByteArray>("jpeg");
    QTest::addColumn<int>("orientation");
    QTest::addColumn<bool>("decodes");  // the JPEG data itself is intact
    const std::vector<uint8_t> good = withExifOrientation(quadrantJpeg(), 8, false);
    auto bytesOf = [](const std::vector<uint8_t>& v) {
        return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size()));
    };
    const QByteArray base = bytesOf(good);
    // Offsets inside the spliced segment: FFD8 | FFE1 len(2) "Exif\0\0" | TIFF at 12.
    constexpr int kTiff = 12;
    QTest::newRow("valid II") << base << 8 << true;

    QByteArray outOfRange = base;
    outOfRange[kTiff + 8 + 2 + 8] = 9;  // the SHORT value
    QTest::newRow("value 9") << outOfRange << 1 << true;

    QByteArray longType = base;
    longType[kTiff + 8 + 2 + 2] = 4;  // LONG: the value is the whole 4-byte little-endian field (8)
    QTest::newRow("LONG type") << longType << 8 << true;

    QByteArray badType = base;
    badType[kTiff + 8 + 2 + 2] = 2;  // ASCII
    QTest::newRow("ASCII type") << badType << 1 << true;

    QByteArray farIfd = base;
    farIfd[kTiff + 4] = char(0xF0);  // IFD0 offset past the segment
    farIfd[kTiff + 5] = char(0xFF);
    QTest::newRow("IFD out of segment") << farIfd << 1 << true;

    QByteArray manyEntries = base;
    manyEntries[kTiff + 8] = char(0xFF);  // 65535 entries claimed in a 26-byte TIFF block…
    manyEntries[kTiff + 9] = char(0xFF);
    manyEntries[kTiff + 10] = char(0x13);  // …and the one there is not Orientation: the scan runs off the end
    QTest::newRow("entry count past segment") << manyEntries << 1 << true;

    QByteArray badOrder = base;
    badOrder[kTiff] = 'X';
    QTest::newRow("byte order") << badOrder << 1 << true;

    QByteArray lengthPastEnd = base;
    lengthPastEnd[4] = char(0x7F);  // APP1 length runs past the file
    QTest::newRow("segment length past end") << lengthPastEnd << 1 << false;

    QByteArray xmpFirst = bytesOf(quadrantJpeg());
    const QByteArray xmp = QByteArray("\xFF\xE1\x00\x0Bhttp://ns\x00", 13);
    xmpFirst.insert(2, base.mid(2, 2 + 2 + 6 + 26));  // the Exif segment…
    xmpFirst.insert(2, xmp);                           // …after an unrelated APP1
    QTest::newRow("after another APP1") << xmpFirst << 8 << true;

    QTest::newRow("not a JPEG") << QByteArray("\x89PNG\r\n\x1a\n", 8) << 1 << false;
    QTest::newRow("SOI only") << QByteArray("\xFF\xD8", 2) << 1 << false;
    QTest::newRow("cut in segment header") << base.left(5) << 1 << false;
    QTest::newRow("cut in TIFF") << base.left(kTiff + 10) << 1 << false;
}

void TestImageOrientation::readsOrientationFromSegments()
{
    QFETCH(QByteArray, jpeg);
    QFETCH(int, orientation);
    QFETCH(bool, decodes);
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(jpeg.constData()), size_t(jpeg.size()));
    QCOMPARE(int(readJpegExifOrientation(bytes)), orientation);
    // Whatever the Exif says, the JPEG itself still decodes when its image data is intact.
    if (decodes) {
        const Result<Image> image = decodeImage(bytes, "photo.jpg");
        QVERIFY2(image.isOk(), image.message().c_str());
        QCOMPARE(image->appliedOrientation, uint16_t(orientation));
    }
}

void TestImageOrientation::ignoresOrientationOutsideJpeg()
{
    const RawImage card{4, 2, 3, std::vector<uint8_t>(24, 7)};
    const Result<Image> png = decodeImage(encodePng(card), "card.png");
    QVERIFY(png.isOk());
    QCOMPARE(png->appliedOrientation, uint16_t(1));
    QCOMPARE(png->width, 4u);
    QVERIFY(!orientationSwapsAxes(1) && !orientationSwapsAxes(4) && orientationSwapsAxes(5) && orientationSwapsAxes(8));
}

QTEST_GUILESS_MAIN(TestImageOrientation)
#include "tst_image_orientation.moc"
