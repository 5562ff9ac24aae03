// Dequantization and quantization of every supported ggml type: fp16/bf16 conversions bit for bit,
// hand-built blocks with known values, quantize → dequantize error bounds, and the llama.cpp-quantized
// qwen3 fixtures (made by llama-quantize from the F16 qwen3.gguf) against that F16 base — which also
// checks our Q8_0 / Q4_0 quantizers byte for byte against llama.cpp's.
#include "support/test_data.h"

#include "ref/dequantize.h"
#include "ref/quant_blocks.h"
#include "ref/quantize.h"
#include "vela/gguf.h"
#include "vela/half.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace vela;
using namespace vela::ref;

Q_DECLARE_METATYPE(vela::GgmlType)

namespace {

template <class Block>
std::vector<uint8_t> bytesOf(const Block& block)
{
    std::vector<uint8_t> bytes(sizeof(Block));
    std::memcpy(bytes.data(), &block, sizeof(Block));
    return bytes;
}

std::vector<float> dequantized(GgmlType type, const std::vector<uint8_t>& bytes, int64_t n)
{
    std::vector<float> out(static_cast<size_t>(n));
    dequantizeRow(type, bytes.data(), out.data(), n);
    return out;
}

std::vector<float> gaussian(size_t n, float sigma, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

// ‖a − b‖ / ‖b‖
double relativeRms(const std::vector<float>& a, const std::vector<float>& b)
{
    double diff = 0.0, norm = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
        norm += static_cast<double>(b[i]) * b[i];
    }
    return std::sqrt(diff / std::max(norm, 1e-30));
}

std::vector<float> dequantizeTensor(const GgufFile& file, const GgufTensorInfo& t)
{
    std::vector<float> out(t.elementCount());
    dequantizeRow(t.type, file.tensorData(t).data(), out.data(), static_cast<int64_t>(out.size()));
    return out;
}

}  // namespace

class TestDequantize : public QObject {
    Q_OBJECT

private slots:
    void halfConversions_data();
    void halfConversions();
    void halfRoundTripAllValues();
    void bf16Conversions();
    void knownBlocks_data();
    void knownBlocks();
    void roundTrip_data();
    void roundTrip();
    void quantizedFixtures_data();
    void quantizedFixtures();
    void supportedTypes();
};

void TestDequantize::halfConversions_data()
{
    QTest::addColumn<float>("value");
    QTest::addColumn<int>("bits");
    QTest::addColumn<bool>("exact");  // the value is representable: bits convert back to it
    QTest::newRow("one") << 1.0f << 0x3C00 << true;
    QTest::newRow("minus two") << -2.0f << 0xC000 << true;
    QTest::newRow("max") << 65504.0f << 0x7BFF << true;
    QTest::newRow("smallest subnormal") << 0x1p-24f << 0x0001 << true;
    QTest::newRow("largest subnormal") << 1023.0f * 0x1p-24f << 0x03FF << true;
    QTest::newRow("smallest normal") << 0x1p-14f << 0x0400 << true;
    QTest::newRow("negative zero") << -0.0f << 0x8000 << true;
    QTest::newRow("-inf") << -INFINITY << 0xFC00 << true;
    QTest::newRow("0.1 rounds up") << 0.1f << 0x2E66 << false;
    QTest::newRow("tie to even (down)") << 1.0f + 0x1p-11f << 0x3C00 << false;
    QTest::newRow("tie to even (up)") << 1.0f + 3 * 0x1p-11f << 0x3C02 << false;
    QTest::newRow("subnormal tie to even") << 0x1p-25f << 0x0000 << false;
    QTest::newRow("overflow") << 65520.0f << 0x7C00 << false;
}

void TestDequantize::halfConversions()
{
    QFETCH(float, value);
    QFETCH(int, bits);
    QFETCH(bool, exact);
    QCOMPARE(int(fp32ToFp16(value)), bits);
    if (exact)
        QCOMPARE(fp16ToFp32(static_cast<uint16_t>(bits)), value);
}

void TestDequantize::halfRoundTripAllValues()
{
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = fp16ToFp32(static_cast<uint16_t>(h));
        if (std::isnan(f)) {
            QVERIFY(std::isnan(fp16ToFp32(fp32ToFp16(f))));
            continue;
        }
        QCOMPARE(int(fp32ToFp16(f)), int(h));
    }
}

void TestDequantize::bf16Conversions()
{
    QCOMPARE(int(fp32ToBf16(1.0f)), 0x3F80);
    QCOMPARE(bf16ToFp32(0x3F80), 1.0f);
    QCOMPARE(bf16ToFp32(0xC040), -3.0f);
    QCOMPARE(int(fp32ToBf16(1.0f + 0x1p-8f)), 0x3F80);      // tie → even
    QCOMPARE(int(fp32ToBf16(1.0f + 3 * 0x1p-8f)), 0x3F82);  // tie → even (up)
    QVERIFY(std::isnan(bf16ToFp32(fp32ToBf16(NAN))));
}

void TestDequantize::knownBlocks_data()
{
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<std::vector<uint8_t>>("block");
    QTest::addColumn<std::vector<float>>("expected");

    {  // Q4_0, d = 0.5: element j is nibble j % 16 → (q − 8)·0.5; high nibbles hold q = 15 − j.
        BlockQ4_0 b{};
        b.d = fp32ToFp16(0.5f);
        std::vector<float> want(32);
        for (int j = 0; j < 16; ++j) {
            b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
            want[j] = (j - 8) * 0.5f;
            want[j + 16] = (15 - j - 8) * 0.5f;
        }
        QTest::newRow("Q4_0") << GgmlType::Q4_0 << bytesOf(b) << want;
    }
    {  // Q4_1, d = 0.25, m = −1
        BlockQ4_1 b{};
        b.d = fp32ToFp16(0.25f);
        b.m = fp32ToFp16(-1.0f);
        std::vector<float> want(32);
        for (int j = 0; j < 16; ++j) {
            b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
            want[j] = j * 0.25f - 1.0f;
            want[j + 16] = (15 - j) * 0.25f - 1.0f;
        }
        QTest::newRow("Q4_1") << GgmlType::Q4_1 << bytesOf(b) << want;
    }
    {  // Q5_0, d = 2: fifth bit set for odd elements → (q − 16)·2
        BlockQ5_0 b{};
        b.d = fp32ToFp16(2.0f);
        const uint32_t qh = 0xAAAAAAAAu;
        std::memcpy(b.qh, &qh, 4);
        std::vector<float> want(32);
        for (int j = 0; j < 16; ++j) {
            b.qs[j] = static_cast<uint8_t>(j | (3 << 4));
            want[j] = ((j | ((j & 1) << 4)) - 16) * 2.0f;
            want[j + 16] = ((3 | (((j + 16) & 1) << 4)) - 16) * 2.0f;
        }
        QTest::newRow("Q5_0") << GgmlType::Q5_0 << bytesOf(b) << want;
    }
    {  // Q5_1, d = 0.5, m = 0.25, all fifth bits of the upper half set
        BlockQ5_1 b{};
        b.d = fp32ToFp16(0.5f);
        b.m = fp32ToFp16(0.25f);
        const uint32_t qh = 0xFFFF0000u;
        std::memcpy(b.qh, &qh, 4);
        std::vector<float> want(32);
        for (int j = 0; j < 16; ++j) {
            b.qs[j] = static_cast<uint8_t>(j | (j << 4));
            want[j] = j * 0.5f + 0.25f;
            want[j + 16] = (j + 16) * 0.5f + 0.25f;
        }
        QTest::newRow("Q5_1") << GgmlType::Q5_1 << bytesOf(b) << want;
    }
    {  // Q8_0, d = 0.125, q = j − 16
        BlockQ8_0 b{};
        b.d = fp32ToFp16(0.125f);
        std::vector<float> want(32);
        for (int j = 0; j < 32; ++j) {
            b.qs[j] = static_cast<int8_t>(j - 16);
            want[j] = (j - 16) * 0.125f;
        }
        QTest::newRow("Q8_0") << GgmlType::Q8_0 << bytesOf(b) << want;
    }
    {  // Q2_K: sub-block s (16 elements) has scale s % 16, min s / 4; element i has level i % 4.
        // Layout (ggml-common.h): element 128h + 32k + l (l < 32) is bits 2k..2k+1 of qs[32h + l].
        BlockQ2_K b{};
        b.d = fp32ToFp16(0.5f);
        b.dmin = fp32ToFp16(0.25f);
        std::vector<float> want(256);
        for (int s = 0; s < 16; ++s)
            b.scales[s] = static_cast<uint8_t>((s % 16) | ((s / 4) << 4));
        for (int i = 0; i < 256; ++i) {
            const int level = (i / 3) % 4;
            b.qs[32 * (i / 128) + i % 32] |= static_cast<uint8_t>(level << (2 * ((i % 128) / 32)));
            want[i] = 0.5f * (i / 16 % 16) * level - 0.25f * (i / 16 / 4);
        }
        QTest::newRow("Q2_K") << GgmlType::Q2_K << bytesOf(b) << want;
    }
    {  // Q3_K: scales (6-bit, minus 32) = 2s − 15; element i has level (i / 5) % 8 − 4: low 2 bits as Q2_K,
        // third bit (set = no −4) at bit i / 32 of hmask[i % 32]. Scales: low nibbles of scale j in byte
        // j % 8 (j < 8: low half, else high half), top 2 bits in byte 8 + j % 4 at bits 2·(j / 4).
        BlockQ3_K b{};
        b.d = fp32ToFp16(0.25f);
        std::vector<float> want(256);
        for (int j = 0; j < 16; ++j) {
            const int stored = 2 * j - 15 + 32;
            b.scales[j % 8] |= static_cast<uint8_t>((stored & 0xF) << (j < 8 ? 0 : 4));
            b.scales[8 + j % 4] |= static_cast<uint8_t>((stored >> 4) << (2 * (j / 4)));
        }
        for (int i = 0; i < 256; ++i) {
            const int q = (i / 5) % 8;  // 0..7 = level + 4
            b.qs[32 * (i / 128) + i % 32] |= static_cast<uint8_t>((q & 3) << (2 * ((i % 128) / 32)));
            if (q & 4)
                b.hmask[i % 32] |= static_cast<uint8_t>(1 << (i / 32));
            want[i] = 0.25f * (2 * (i / 16) - 15) * (q - 4);
        }
        QTest::newRow("Q3_K") << GgmlType::Q3_K << bytesOf(b) << want;
    }
    {  // Q4_K: sub-block s (32 elements) has 6-bit scale 40 + s and min 20 + 3s; element i has level i % 16.
        // Sub-blocks 2k / 2k+1 are the low / high nibbles of qs[32k .. 32k+31].
        BlockQ4_K b{};
        b.d = fp32ToFp16(0.125f);
        b.dmin = fp32ToFp16(0.0625f);
        for (int s = 0; s < 8; ++s) {
            const int sc = 40 + s, mn = 20 + 3 * s;
            if (s < 4) {
                b.scales[s] = static_cast<uint8_t>(sc);
                b.scales[s + 4] = static_cast<uint8_t>(mn);
            } else {
                b.scales[s + 4] = static_cast<uint8_t>((sc & 15) | ((mn & 15) << 4));
                b.scales[s - 4] |= static_cast<uint8_t>((sc >> 4) << 6);
                b.scales[s] |= static_cast<uint8_t>((mn >> 4) << 6);
            }
        }
        std::vector<float> want(256);
        for (int i = 0; i < 256; ++i) {
            const int s = i / 32, level = (i * 7) % 16;
            b.qs[32 * (s / 2) + i % 32] |= static_cast<uint8_t>(level << (4 * (s % 2)));
            want[i] = 0.125f * (40 + s) * level - 0.0625f * (20 + 3 * s);
        }
        QTest::newRow("Q4_K") << GgmlType::Q4_K << bytesOf(b) << want;
    }
    {  // Q5_K: as Q4_K, scale 63 − s, min s, 5-bit level i % 32 whose top bit is bit s of qh[i % 32].
        BlockQ5_K b{};
        b.d = fp32ToFp16(0.125f);
        b.dmin = fp32ToFp16(0.5f);
        for (int s = 0; s < 8; ++s) {
            const int sc = 63 - s, mn = s;
            if (s < 4) {
                b.scales[s] = static_cast<uint8_t>(sc);
                b.scales[s + 4] = static_cast<uint8_t>(mn);
            } else {
                b.scales[s + 4] = static_cast<uint8_t>((sc & 15) | ((mn & 15) << 4));
                b.scales[s - 4] |= static_cast<uint8_t>((sc >> 4) << 6);
                b.scales[s] |= static_cast<uint8_t>((mn >> 4) << 6);
            }
        }
        std::vector<float> want(256);
        for (int i = 0; i < 256; ++i) {
            const int s = i / 32, level = (i * 5 + 3) % 32;
            b.qs[32 * (s / 2) + i % 32] |= static_cast<uint8_t>((level & 15) << (4 * (s % 2)));
            b.qh[i % 32] |= static_cast<uint8_t>((level >> 4) << s);
            want[i] = 0.125f * (63 - s) * level - 0.5f * s;
        }
        QTest::newRow("Q5_K") << GgmlType::Q5_K << bytesOf(b) << want;
    }
    {  // Q6_K: int8 scale s − 8 per 16 elements; 6-bit level q: element 128h + 32k + l takes nibble k / 2 of
        // ql[64h + 32·(k % 2) + l] and bits 2k..2k+1 of qh[32h + l]; value d·scale·(q − 32).
        BlockQ6_K b{};
        b.d = fp32ToFp16(0.5f);
        for (int s = 0; s < 16; ++s)
            b.scales[s] = static_cast<int8_t>(s - 8);
        std::vector<float> want(256);
        for (int i = 0; i < 256; ++i) {
            const int h = i / 128, k = (i % 128) / 32, l = i % 32, q = (i * 11) % 64;
            b.ql[64 * h + 32 * (k % 2) + l] |= static_cast<uint8_t>((q & 15) << (4 * (k / 2)));
            b.qh[32 * h + l] |= static_cast<uint8_t>((q >> 4) << (2 * k));
            want[i] = 0.5f * (i / 16 - 8) * (q - 32);
        }
        QTest::newRow("Q6_K") << GgmlType::Q6_K << bytesOf(b) << want;
    }
    {
        std::vector<uint8_t> bytes(8);
        const uint16_t halves[4] = {0x3C00, 0xC000, 0x3555, 0x0001};  // 1, −2, 0.333251953125, 2^-24
        std::memcpy(bytes.data(), halves, 8);
        QTest::newRow("F16") << GgmlType::F16 << bytes
                             << std::vector<float>{1.0f, -2.0f, 0.333251953125f, 0x1p-24f};
        const uint16_t brains[4] = {0x3F80, 0xC040, 0x4049, 0x0000};  // 1, −3, 3.140625, 0
        std::memcpy(bytes.data(), brains, 8);
        QTest::newRow("BF16") << GgmlType::BF16 << bytes << std::vector<float>{1.0f, -3.0f, 3.140625f, 0.0f};
    }
}

void TestDequantize::knownBlocks()
{
    QFETCH(GgmlType, type);
    QFETCH(std::vector<uint8_t>, block);
    QFETCH(std::vector<float>, expected);
    const auto got = dequantized(type, block, static_cast<int64_t>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
        if (got[i] != expected[i])
            QFAIL(qPrintable(QStringLiteral("element %1: got %2, expected %3").arg(i).arg(got[i]).arg(expected[i])));
    }
}

void TestDequantize::roundTrip_data()
{
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<double>("maxRelativeRms");
    // Bounds ≈ 1.5× the errors measured on N(0, 1) data (4 bits ≈ 10 %, 8 bits ≈ 0.5 %).
    QTest::newRow("F32") << GgmlType::F32 << 0.0;
    QTest::newRow("F16") << GgmlType::F16 << 5e-4;
    QTest::newRow("BF16") << GgmlType::BF16 << 4e-3;
    QTest::newRow("Q8_0") << GgmlType::Q8_0 << 0.008;
    QTest::newRow("Q5_0") << GgmlType::Q5_0 << 0.06;
    QTest::newRow("Q5_1") << GgmlType::Q5_1 << 0.05;
    QTest::newRow("Q4_0") << GgmlType::Q4_0 << 0.12;
    QTest::newRow("Q4_1") << GgmlType::Q4_1 << 0.10;
    QTest::newRow("Q6_K") << GgmlType::Q6_K << 0.03;
    QTest::newRow("Q5_K") << GgmlType::Q5_K << 0.06;
    QTest::newRow("Q4_K") << GgmlType::Q4_K << 0.12;
    QTest::newRow("Q3_K") << GgmlType::Q3_K << 0.25;
    QTest::newRow("Q2_K") << GgmlType::Q2_K << 0.45;
}

void TestDequantize::roundTrip()
{
    QFETCH(GgmlType, type);
    QFETCH(double, maxRelativeRms);
    constexpr int64_t n = 8192;
    const auto input = gaussian(n, 1.0f, 42);
    std::vector<uint8_t> bytes(*ggmlRowBytes(type, n));
    quantizeRow(type, input.data(), bytes.data(), n);
    const auto output = dequantized(type, bytes, n);
    const double error = relativeRms(output, input);
    qInfo("%s: quantize → dequantize relative RMS error %.5f", ggmlTypeName(type).data(), error);
    QVERIFY2(error <= maxRelativeRms, qPrintable(QStringLiteral("error %1 > %2").arg(error).arg(maxRelativeRms)));

    // Zeros stay exactly zero (no NaN from a zero scale).
    const std::vector<float> zeros(n, 0.0f);
    quantizeRow(type, zeros.data(), bytes.data(), n);
    for (float v : dequantized(type, bytes, n))
        QCOMPARE(v, 0.0f);
}

void TestDequantize::quantizedFixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<double>("maxRelativeRms");  // per tensor, against the F16 base
    // Worst tensors measured: BF16 0.0017, Q8_0 0.0054, Q6_K 0.018, Q5_K 0.036, Q4_K 0.072, Q4_0 0.086.
    // A wrong block layout gives errors of order 1.
    QTest::newRow("BF16") << "models/synthetic/qwen3-BF16.gguf" << 0.004;
    QTest::newRow("Q8_0") << "models/synthetic/qwen3-Q8_0.gguf" << 0.008;
    QTest::newRow("Q6_K") << "models/synthetic/qwen3-Q6_K.gguf" << 0.025;
    QTest::newRow("Q5_K_M") << "models/synthetic/qwen3-Q5_K_M.gguf" << 0.05;
    QTest::newRow("Q4_K_M") << "models/synthetic/qwen3-Q4_K_M.gguf" << 0.10;
    QTest::newRow("Q4_0") << "models/synthetic/qwen3-Q4_0.gguf" << 0.12;
}

void TestDequantize::quantizedFixtures()
{
    QFETCH(QString, file);
    QFETCH(double, maxRelativeRms);
    VELA_REQUIRE_FILE(basePath, "models/synthetic/qwen3.gguf");
    VELA_REQUIRE_FILE(quantPath, file);
    auto base = GgufFile::open(basePath.toStdString());
    auto quant = GgufFile::open(quantPath.toStdString());
    QVERIFY2(base && quant, "cannot open the fixtures");

    int compared = 0, requantized = 0;
    double worst = 0.0;
    for (const GgufTensorInfo& t : quant->tensors()) {
        const GgufTensorInfo* b = base->findTensor(t.name);
        QVERIFY2(b, qPrintable(QString::fromStdString("base lacks " + t.name)));
        QCOMPARE(b->elementCount(), t.elementCount());
        if (t.type == b->type)
            continue;
        QVERIFY2(isSupportedWeightType(t.type), ggmlTypeName(t.type).data());
        const auto reference = dequantizeTensor(*base, *b);
        const auto values = dequantizeTensor(*quant, t);
        const double error = relativeRms(values, reference);
        double rms = 0.0;
        for (float v : values)
            rms += static_cast<double>(v) * v;
        rms = std::sqrt(rms / static_cast<double>(values.size()));
        QVERIFY2(error <= maxRelativeRms && rms > 0.005 && rms < 0.5,
                 qPrintable(QStringLiteral("%1 (%2): relative error %3, rms %4")
                                .arg(QString::fromStdString(t.name), ggmlTypeName(t.type).data())
                                .arg(error)
                                .arg(rms)));
        ++compared;
        worst = std::max(worst, error);

        // llama-quantize without an importance matrix uses ggml's reference quantizers for Q8_0 and Q4_0,
        // which quantizeRow follows exactly: the bytes must come out identical.
        if (t.type == GgmlType::Q8_0 || t.type == GgmlType::Q4_0) {
            std::vector<uint8_t> bytes(t.byteSize);
            quantizeRow(t.type, reference.data(), bytes.data(), static_cast<int64_t>(reference.size()));
            const auto stored = quant->tensorData(t);
            QVERIFY2(std::memcmp(bytes.data(), stored.data(), bytes.size()) == 0,
                     qPrintable(QString::fromStdString("requantized bytes differ from llama-quantize's: " + t.name)));
            ++requantized;
        }
    }
    qInfo("%s: %d quantized tensors, worst relative RMS error %.4f against the F16 base, %d re-quantized byte "
          "for byte",
          qPrintable(file), compared, worst, requantized);
    QVERIFY(compared > 0);
}

void TestDequantize::supportedTypes()
{
    for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0,
                          GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                          GgmlType::Q6_K}) {
        QVERIFY(isSupportedWeightType(type));
    }
    for (GgmlType type : {GgmlType::Q8_1, GgmlType::Q8_K, GgmlType::IQ4_NL, GgmlType::I32, GgmlType::MXFP4})
        QVERIFY(!isSupportedWeightType(type));
}

QTEST_GUILESS_MAIN(TestDequantize)
#include "tst_dequantize.moc"
