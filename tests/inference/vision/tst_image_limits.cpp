// Limits are enforced from the header, before stb_image allocates: this executable replaces malloc, calloc
// and realloc (forwarding to glibc's) to record the largest single allocation while a decode runs, so
// "refused without allocating" is measured, not assumed. (Not run under AddressSanitizer, which owns malloc.)
#include "image_test_files.h"
#include "support/test_data.h"

#include "vela/image.h"

#include <QElapsedTimer>
#include <QtTest>

#include <atomic>
#include <sys/mman.h>

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
}

namespace {

std::atomic<bool> g_tracking{false};
std::atomic<size_t> g_largest{0};

void record(size_t size)
{
    if (!g_tracking.load(std::memory_order_relaxed))
        return;
    size_t seen = g_largest.load(std::memory_order_relaxed);
    while (size > seen && !g_largest.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
    }
}

}  // namespace

extern "C" void* malloc(size_t size)
{
    record(size);
    return __libc_malloc(size);
}

extern "C" void* calloc(size_t count, size_t size)
{
    record(count * size);
    return __libc_calloc(count, size);
}

extern "C" void* realloc(void* pointer, size_t size)
{
    record(size);
    return __libc_realloc(pointer, size);
}

using namespace vela;
using namespace vela::test;

namespace {

// The decode's outcome and the largest single allocation made while it ran.
struct TrackedDecode {
    bool ok = false;
    std::string message;
    size_t largestAllocation = 0;
};

TrackedDecode decodeTracked(std::span<const uint8_t> bytes, const char* name)
{
    g_largest = 0;
    g_tracking = true;
    const Result<Image> image = decodeImage(bytes, name);
    g_tracking = false;
    return {image.isOk(), image.isOk() ? std::string() : image.message(), g_largest.load()};
}

constexpr size_t kSmallAllocation = 1u << 20;

}  // namespace

class TestImageLimits : public QObject {
    Q_OBJECT

private slots:
    void trackerSeesDecoderAllocations();
    void refusesHugeFixtureWithoutAllocating();
    void refusesLyingHeaders_data();
    void refusesLyingHeaders();
    void appliesCallerLimits();
    void refusesOversizedFileUnread();
};

// The control: a real decode's pixel buffer shows up in the tracker, so a small figure below means something.
void TestImageLimits::trackerSeesDecoderAllocations()
{
    VELA_REQUIRE_FILE(path, "images/noise_photo_640x480.png");
    const std::vector<uint8_t> bytes = readBytes(path);
    const TrackedDecode decode = decodeTracked(bytes, "noise");
    QVERIFY2(decode.ok, decode.message.c_str());
    QVERIFY2(decode.largestAllocation >= size_t(640) * 480 * 3, qPrintable(QString::number(decode.largestAllocation)));
}

void TestImageLimits::refusesHugeFixtureWithoutAllocating()
{
    VELA_REQUIRE_FILE(path, "images/bad_huge_60000x60000.png");
    const std::vector<uint8_t> bytes = readBytes(path);
    QElapsedTimer timer;
    timer.start();
    const TrackedDecode decode = decodeTracked(bytes, "bad_huge_60000x60000.png");
    QVERIFY(!decode.ok);
    QCOMPARE(QString::fromStdString(decode.message),
             QString("cannot read image 'bad_huge_60000x60000.png': image is 60000×60000; Vela reads images up to "
                     "16384 px a side"));
    qInfo("largest allocation while refusing: %zu bytes, %lld ms", decode.largestAllocation, timer.elapsed());
    QVERIFY(decode.largestAllocation < kSmallAllocation);
    QVERIFY(timer.elapsed() < 100);
}

void TestImageLimits::refusesLyingHeaders_data()
{
    QTest::addColumn<uint>("width");
    QTest::addColumn<uint>("height");
    QTest::addColumn<int>("colorType");
    QTest::addColumn<QString>("message");
    QTest::newRow("60000×60000 RGB") << 60000u << 60000u << 2 << "image is 60000×60000; Vela reads images up to 16384 px a side";
    QTest::newRow("one side 16385") << 16385u << 1u << 0 << "image is 16385×1; Vela reads images up to 16384 px a side";
    QTest::newRow("16384² RGB") << 16384u << 16384u << 2
                                << "image is 16384×16384 (768 MiB once decoded); Vela reads images up to 256 MiB "
                                   "decoded; scale it down first";
    QTest::newRow("10000² RGBA") << 10000u << 10000u << 6
                                 << "image is 10000×10000 (382 MiB once decoded); Vela reads images up to 256 MiB "
                                    "decoded; scale it down first";
}

// PNG headers built here claim sizes their data cannot fill: refused from the header, nothing big allocated.
void TestImageLimits::refusesLyingHeaders()
{
    QFETCH(uint, width);
    QFETCH(uint, height);
    QFETCH(int, colorType);
    QFETCH(QString, message);
    const std::vector<uint8_t> png = pngHeaderClaiming(width, height, uint8_t(colorType));
    const TrackedDecode decode = decodeTracked(png, "bomb.png");
    QVERIFY(!decode.ok);
    QCOMPARE(QString::fromStdString(decode.message), "cannot read image 'bomb.png': " + message);
    QVERIFY2(decode.largestAllocation < kSmallAllocation, qPrintable(QString::number(decode.largestAllocation)));
}

void TestImageLimits::appliesCallerLimits()
{
    VELA_REQUIRE_FILE(path, "images/noise_photo_640x480.jpg");
    const std::vector<uint8_t> bytes = readBytes(path);
    ImageDecodeOptions options;
    options.maxDecodedBytes = 640 * 480 * 3 - 1;
    Result<Image> image = decodeImage(bytes, "noise.jpg", options);
    QVERIFY(!image.isOk());
    QVERIFY2(image.message().find("image is 640×480 (") != std::string::npos, image.message().c_str());
    options.maxDecodedBytes = 640 * 480 * 3;
    image = decodeImage(bytes, "noise.jpg", options);
    QVERIFY2(image.isOk(), image.message().c_str());
    options.maxSide = 639;
    QVERIFY(!decodeImage(bytes, "noise.jpg", options).isOk());
}

// A file over 512 MiB is refused by its length alone: the mapping below is never touched (PROT_NONE would
// fault if it were).
void TestImageLimits::refusesOversizedFileUnread()
{
    const size_t size = size_t(kMaxImageFileBytes) + 1;
    void* region = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    QVERIFY(region != MAP_FAILED);
    const Result<Image> image = decodeImage({static_cast<const uint8_t*>(region), size}, "scan.bmp");
    munmap(region, size);
    QVERIFY(!image.isOk());
    QCOMPARE(QString::fromStdString(image.message()),
             QString("cannot read image 'scan.bmp': the file is 513 MiB; Vela reads image files up to 512 MiB"));
}

QTEST_GUILESS_MAIN(TestImageLimits)
#include "tst_image_limits.moc"
