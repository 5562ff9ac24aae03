// Preprocessing against the references (shared/reference/vision/README.md): every gemma3 golden (llama.cpp's
// captured encoder input: letterbox, bilinear, alpha dropped; PNGs bit-exact, JPEGs within the decoder
// difference) and every paligemma golden (HF SiglipImageProcessor via the numpy port of Pillow's bicubic:
// stretch, alpha over white), with parameters read from the fixture mmproj files; max |Δ| printed for each.
// Also: the mmproj keys that are refused, and the resamplers' edge cases.
#include "image_test_files.h"
#include "support/test_data.h"

#include "vela/gguf.h"
#include "vela/image_preprocess.h"
#include "vision/image_resize.h"

#include <QtTest>

#include <cmath>

using namespace vela;
using namespace vela::test;

namespace {


Result<ImagePreprocessing> preprocessingOf(const QString& mmprojPath)
{
    auto file = GgufFile::open(mmprojPath.toStdString());
    if (!file)
        return file.status();
    return readImagePreprocessing(*file);
}

struct Delta {
    double max = 0;
    size_t count = 0;  // values that differ at all
};

Delta compare(const std::vector<float>& ours, const std::vector<float>& reference)
{
    Delta d;
    for (size_t i = 0; i < ours.size(); ++i) {
        const double delta = std::abs(double(ours[i]) - double(reference[i]));
        d.max = std::max(d.max, delta);
        d.count += delta > 0;
    }
    return d;
}

// Preprocesses shared/images/<image> with the mmproj's settings and compares with <golden>.pixels.f32:
// bit for bit (max |Δ| 0). JPEGs too: Debian's libstb (stb_image 2.27) decodes them exactly as the
// stb_image in llama.cpp did. A different stb build could move a JPEG pixel by up to 2/255 (images/README.md,
// 4/255 after normalisation); that would show here first.
void checkAgainstGolden(const QString& mmproj, const QString& image, const QString& golden)
{
    VELA_REQUIRE_FILE(mmprojPath, mmproj);
    VELA_REQUIRE_FILE(imagePath, "images/" + image);
    VELA_REQUIRE_FILE(goldenPath, golden);
    const Result<ImagePreprocessing> preprocessing = preprocessingOf(mmprojPath);
    QVERIFY2(preprocessing.isOk(), preprocessing.message().c_str());
    const Result<Image> decoded = decodeImageFile(imagePath.toStdString());
    QVERIFY2(decoded.isOk(), decoded.message().c_str());
    const Result<ImageTensor> tensor = preprocessImage(*decoded, *preprocessing);
    QVERIFY2(tensor.isOk(), tensor.message().c_str());
    QCOMPARE(tensor->size, preprocessing->imageSize);
    const std::vector<float> reference = readFloats(goldenPath);
    QCOMPARE(reference.size(), size_t(3) * 224 * 224);
    QCOMPARE(tensor->chw.size(), reference.size());
    const Delta d = compare(tensor->chw, reference);
    qInfo("%s %s: max |Δ| %.9g over %zu values (%zu differ)", qPrintable(golden.section('/', 2, 2)),
          qPrintable(image), d.max, reference.size(), d.count);
    QVERIFY2(d.max == 0.0, qPrintable(QString::number(d.max)));
}

std::vector<uint8_t> mmprojBytes(const char* projector, bool withSize, std::vector<float> mean,
                                 std::vector<float> stddev)
{
    GgufWriter writer;
    writer.setString("general.architecture", "clip");
    if (projector)
        writer.setString("clip.projector_type", projector);
    if (withSize)
        writer.setUInt32("clip.vision.image_size", 448);
    auto floats = [](const std::vector<float>& v) {
        std::vector<GgufValue> items;
        for (float f : v)
            items.push_back(GgufValue::fromFloat(GgufValueType::Float32, f));
        return GgufValue::fromArray(GgufValueType::Float32, std::move(items));
    };
    if (!mean.empty())
        writer.set("clip.vision.image_mean", floats(mean));
    if (!stddev.empty())
        writer.set("clip.vision.image_std", floats(stddev));
    return writer.toBytes();
}

Image solidImage(uint32_t width, uint32_t height, uint8_t r, uint8_t g, uint8_t b)
{
    Image image;
    image.width = width;
    image.height = height;
    for (uint32_t i = 0; i < width * height; ++i)
        image.rgb.insert(image.rgb.end(), {r, g, b});
    return image;
}

}  // namespace

class TestImagePreprocess : public QObject {
    Q_OBJECT

private slots:
    void readsFixtureMmprojs();
    void refusesBadMmprojKeys_data();
    void refusesBadMmprojKeys();
    void matchesGemma3Goldens_data();
    void matchesGemma3Goldens();
    void matchesPaliGemmaGoldens_data();
    void matchesPaliGemmaGoldens();
    void handlesAlphaPerProjector();
    void letterboxesOnBlack();
    void resamplesEdgeCases();
    void refusesEmptyInput();
};

void TestImagePreprocess::readsFixtureMmprojs()
{
    VELA_REQUIRE_FILE(gemma3, "models/vision/gemma3-vision-tiny-mmproj.gguf");
    VELA_REQUIRE_FILE(paligemma, "models/vision/paligemma-tiny-mmproj.gguf");
    const Result<ImagePreprocessing> g = preprocessingOf(gemma3);
    QVERIFY2(g.isOk(), g.message().c_str());
    QCOMPARE(g->projector, VisionProjector::Gemma3);
    QCOMPARE(g->imageSize, 224u);
    QCOMPARE(g->mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
    QCOMPARE(g->stddev, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
    QCOMPARE(g->fit, ImageFit::Letterbox);
    QCOMPARE(g->filter, ResizeFilter::BilinearLlamaCpp);
    QCOMPARE(g->alpha, AlphaHandling::Drop);
    const Result<ImagePreprocessing> p = preprocessingOf(paligemma);
    QVERIFY2(p.isOk(), p.message().c_str());
    QCOMPARE(p->projector, VisionProjector::PaliGemma);
    QCOMPARE(p->imageSize, 224u);
    QCOMPARE(p->fit, ImageFit::Stretch);
    QCOMPARE(p->filter, ResizeFilter::BicubicPillow);
    QCOMPARE(p->alpha, AlphaHandling::OverWhite);
}

void TestImagePreprocess::refusesBadMmprojKeys_data()
{
    QTest::addColumn<QByteArray>("gguf");
    QTest::addColumn<QString>("message");
    const std::vector<float> half{0.5f, 0.5f, 0.5f};
    auto row = [](const char* name, const std::vector<uint8_t>& bytes, const char* message) {
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()))
                            << QString::fromUtf8(message);
    };
    row("llava projector", mmprojBytes("mlp", true, half, half),
        "the vision projector file 'mmproj' is for projector type 'mlp', which Vela does not run (it runs gemma3 "
        "and paligemma) (clip.projector_type); it is not a usable mmproj file");
    row("no projector type", mmprojBytes(nullptr, true, half, half),
        "the vision projector file 'mmproj' lacks a key Vela needs (clip.projector_type); it is not a usable "
        "mmproj file");
    row("no image size", mmprojBytes("gemma3", false, half, half),
        "the vision projector file 'mmproj' lacks a key Vela needs (clip.vision.image_size); it is not a usable "
        "mmproj file");
    row("short mean", mmprojBytes("gemma3", true, {0.5f, 0.5f}, half),
        "the vision projector file 'mmproj' has a key that is not an array of 3 numbers (clip.vision.image_mean); "
        "it is not a usable mmproj file");
    row("zero std", mmprojBytes("paligemma", true, half, {0.5f, 0.0f, 0.5f}),
        "the vision projector file 'mmproj' has an invalid normalisation value (clip.vision.image_std); it is not "
        "a usable mmproj file");
    row("no std", mmprojBytes("paligemma", true, half, {}),
        "the vision projector file 'mmproj' lacks a key Vela needs (clip.vision.image_std); it is not a usable "
        "mmproj file");
}

void TestImagePreprocess::refusesBadMmprojKeys()
{
    QFETCH(QByteArray, gguf);
    QFETCH(QString, message);
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(gguf.constData()), size_t(gguf.size()));
    auto file = GgufFile::parse(bytes, "mmproj");
    QVERIFY2(file.isOk(), file.message().c_str());
    const Result<ImagePreprocessing> p = readImagePreprocessing(*file);
    QVERIFY(!p.isOk());
    QCOMPARE(QString::fromStdString(p.message()), message);
}

void TestImagePreprocess::matchesGemma3Goldens_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("stem");
    for (const char* png : {"gradient_circle_square_320x240", "gray16_ramp_64x48", "noise_photo_640x480",
                            "odd_checker_37x53", "rgba_disc_transparent_160x120"})
        QTest::newRow(png) << QString(png) + ".png" << QString(png);
    for (const char* jpg : {"gray_radial_200x150", "noise_photo_640x480", "progressive_128x96"})
        QTest::addRow("%s.jpg", jpg) << QString(jpg) + ".jpg" << QString(jpg) + "_jpg";
}

void TestImagePreprocess::matchesGemma3Goldens()
{
    QFETCH(QString, image);
    QFETCH(QString, stem);
    checkAgainstGolden("models/vision/gemma3-vision-tiny-mmproj.gguf", image,
                       "reference/vision/gemma3/" + stem + ".pixels.f32");
}

void TestImagePreprocess::matchesPaliGemmaGoldens_data()
{
    QTest::addColumn<QString>("image");
    for (const char* png : {"gradient_circle_square_320x240", "odd_checker_37x53", "rgba_disc_transparent_160x120",
                            "noise_photo_640x480"})
        QTest::newRow(png) << QString(png);
}

// The numpy reference normalises in float64 and stores float32, as Vela does: bit-exact.
void TestImagePreprocess::matchesPaliGemmaGoldens()
{
    QFETCH(QString, image);
    checkAgainstGolden("models/vision/paligemma-tiny-mmproj.gguf", image + ".png",
                       "reference/vision/paligemma/" + image + ".pixels.f32");
}

// The transparent corner of rgba_disc hides magenta: gemma3 (llama.cpp) shows it, PaliGemma (HF) shows white.
void TestImagePreprocess::handlesAlphaPerProjector()
{
    VELA_REQUIRE_FILE(path, "images/rgba_disc_transparent_160x120.png");
    const Result<Image> image = decodeImageFile(path.toStdString());
    QVERIFY2(image.isOk(), image.message().c_str());
    const std::array<float, 3> half{0.5f, 0.5f, 0.5f};
    const auto gemma3 = preprocessImage(*image, preprocessingFor(VisionProjector::Gemma3, 224, half, half));
    const auto paligemma = preprocessImage(*image, preprocessingFor(VisionProjector::PaliGemma, 224, half, half));
    QVERIFY(gemma3.isOk() && paligemma.isOk());
    // gemma3: the image fills rows 28…195 (letterbox); (2, 30) is the transparent corner.
    QCOMPARE(gemma3->at(0, 30, 2), 1.0f);
    QCOMPARE(gemma3->at(1, 30, 2), -1.0f);
    QCOMPARE(gemma3->at(2, 30, 2), 1.0f);
    for (uint32_t c = 0; c < 3; ++c)
        QCOMPARE(paligemma->at(c, 2, 2), 1.0f);
    // Half-transparent orange over white: a = 128 at the band's middle gives lighter green and blue than orange.
    QVERIFY(paligemma->at(1, 195, 112) > 0.0f);
}

void TestImagePreprocess::letterboxesOnBlack()
{
    const std::array<float, 3> mean{0.25f, 0.5f, 0.75f};
    const std::array<float, 3> stddev{0.5f, 0.25f, 0.125f};
    const Image wide = solidImage(200, 100, 255, 255, 255);
    const auto tensor = preprocessImage(wide, preprocessingFor(VisionProjector::Gemma3, 90, mean, stddev));
    QVERIFY2(tensor.isOk(), tensor.message().c_str());
    // 200×100 → 90×45 at y offset (90 − 45) / 2 = 22: rows 0…21 and 67…89 are padding (black).
    for (uint32_t c = 0; c < 3; ++c) {
        const float black = (0.0f - mean[c]) / stddev[c];
        const float white = (1.0f - mean[c]) / stddev[c];
        QCOMPARE(tensor->at(c, 21, 45), black);
        QCOMPARE(tensor->at(c, 22, 0), white);
        QCOMPARE(tensor->at(c, 66, 89), white);
        QCOMPARE(tensor->at(c, 67, 45), black);
    }
    // The same image stretched for PaliGemma has no padding.
    const auto stretched = preprocessImage(wide, preprocessingFor(VisionProjector::PaliGemma, 90, mean, stddev));
    QVERIFY(stretched.isOk());
    QCOMPARE(stretched->at(0, 0, 0), (1.0f - mean[0]) / stddev[0]);
    QCOMPARE(stretched->at(2, 89, 89), (1.0f - mean[2]) / stddev[2]);
}

void TestImagePreprocess::resamplesEdgeCases()
{
    // Constant images stay constant under both filters, up and down.
    Rgb8Image flat{7, 5, std::vector<uint8_t>(7 * 5 * 3, 201)};
    for (auto [w, h] : {std::pair{3u, 2u}, std::pair{31u, 17u}, std::pair{7u, 13u}}) {
        const Rgb8Image bicubic = resizeBicubicPillow(flat, w, h);
        const Rgb8Image bilinear = resizeBilinearLlamaCpp(flat, w, h);
        QCOMPARE(bicubic.pixels, std::vector<uint8_t>(size_t(w) * h * 3, 201));
        QCOMPARE(bilinear.pixels, std::vector<uint8_t>(size_t(w) * h * 3, 201));
    }
    // A 1-pixel-wide source (llama.cpp asserts on it) repeats its column.
    Rgb8Image column{1, 2, {10, 20, 30, 110, 120, 130}};
    const Rgb8Image wide = resizeBilinearLlamaCpp(column, 4, 2);
    QCOMPARE(wide.pixels[3 * 3 + 0], uint8_t(10));
    QCOMPARE(wide.pixels[(4 + 3) * 3 + 2], uint8_t(130));
    // A 1-px output (llama.cpp divides by zero there) takes the first pixel; a 1600×2 strip letterboxes to
    // 224×1 that way, with finite values everywhere.
    Rgb8Image small{2, 2, {9, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
    QCOMPARE(resizeBilinearLlamaCpp(small, 1, 1).pixels, (std::vector<uint8_t>{9, 8, 7}));
    const std::array<float, 3> half{0.5f, 0.5f, 0.5f};
    const auto strip = preprocessImage(solidImage(1600, 2, 255, 0, 0), preprocessingFor(VisionProjector::Gemma3, 224, half, half));
    QVERIFY(strip.isOk());
    QCOMPARE(strip->at(0, 111, 100), 1.0f);  // the one image row, at (224 − 1) / 2
    QCOMPARE(strip->at(0, 110, 100), -1.0f);
    for (float v : strip->chw)
        QVERIFY(std::isfinite(v));
    // Bicubic overshoot is clamped: a hard edge upscaled stays within 0…255 and rings past the edge values.
    Rgb8Image edge{2, 1, {0, 0, 0, 255, 255, 255}};
    const Rgb8Image up = resizeBicubicPillow(edge, 8, 1);
    QCOMPARE(up.pixels.front(), uint8_t(0));
    QCOMPARE(up.pixels.back(), uint8_t(255));
    // Same size: an identity for both.
    Rgb8Image card{3, 2, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}};
    QCOMPARE(resizeBicubicPillow(card, 3, 2).pixels, card.pixels);
    QCOMPARE(resizeBilinearLlamaCpp(card, 3, 2).pixels, card.pixels);
}

void TestImagePreprocess::refusesEmptyInput()
{
    const std::array<float, 3> half{0.5f, 0.5f, 0.5f};
    QVERIFY(!preprocessImage(Image{}, preprocessingFor(VisionProjector::Gemma3, 224, half, half)).isOk());
    const Result<ImageTensor> zero = preprocessImage(solidImage(2, 2, 1, 2, 3),
                                                     preprocessingFor(VisionProjector::PaliGemma, 0, half, half));
    QVERIFY(!zero.isOk());
    QVERIFY(!zero.message().empty());
}

QTEST_GUILESS_MAIN(TestImagePreprocess)
#include "tst_image_preprocess.moc"
