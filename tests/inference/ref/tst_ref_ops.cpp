// The reference ops against textbook formulas evaluated in double precision: RoPE (normal, NeoX, partial,
// linear scaling, frequency factors, YaRN with hand-computed correction dims), attention against a naive
// full-matrix version (causal, GQA, sliding window, soft-cap, mask), norms, activations, matmul and get_rows.
#include "ref/activation.h"
#include "ref/attention.h"
#include "ref/dequantize.h"
#include "ref/embedding.h"
#include "ref/matmul.h"
#include "ref/norm.h"
#include "ref/quantize.h"
#include "ref/rope.h"

#include <QtTest>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace vela;
using namespace vela::ref;

Q_DECLARE_METATYPE(vela::GgmlType)
Q_DECLARE_METATYPE(vela::ref::RopeMode)

namespace {

std::vector<float> uniform(size_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

double maxAbsDiff(const std::vector<float>& a, const std::vector<double>& b)
{
    double worst = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]));
    return worst;
}

// Textbook RoPE of one head in double: pair i rotates by position · base^(−2i/nRot) · scale / factor[i].
std::vector<double> textbookRope(const std::vector<float>& head, int nRot, RopeMode mode, double position,
                                 double base, double freqScale, const float* factors)
{
    std::vector<double> out(head.begin(), head.end());
    for (int i = 0; i < nRot / 2; ++i) {
        double theta = position * std::pow(base, -2.0 * i / nRot) * freqScale;
        if (factors)
            theta /= factors[i];
        const int a = mode == RopeMode::Normal ? 2 * i : i;
        const int b = mode == RopeMode::Normal ? 2 * i + 1 : i + nRot / 2;
        out[a] = head[a] * std::cos(theta) - head[b] * std::sin(theta);
        out[b] = head[a] * std::sin(theta) + head[b] * std::cos(theta);
    }
    return out;
}

}  // namespace

class TestRefOps : public QObject {
    Q_OBJECT

private slots:
    void ropeTextbook_data();
    void ropeTextbook();
    void yarnCorrectionDims();
    void yarnHandComputed();
    void attentionNaive_data();
    void attentionNaive();
    void attentionAllHidden();
    void norms();
    void activations();
    void softmaxProperties();
    void matmulAllTypes_data();
    void matmulAllTypes();
    void getRowsQuantized();
};

void TestRefOps::ropeTextbook_data()
{
    QTest::addColumn<RopeMode>("mode");
    QTest::addColumn<int>("headDim");
    QTest::addColumn<int>("nRot");
    QTest::addColumn<double>("freqScale");
    QTest::addColumn<bool>("withFactors");
    QTest::newRow("normal 64") << RopeMode::Normal << 64 << 64 << 1.0 << false;
    QTest::newRow("neox 64") << RopeMode::Neox << 64 << 64 << 1.0 << false;
    QTest::newRow("normal partial 32 of 80") << RopeMode::Normal << 80 << 32 << 1.0 << false;
    QTest::newRow("neox partial 32 of 80") << RopeMode::Neox << 80 << 32 << 1.0 << false;
    QTest::newRow("linear scaling ×4") << RopeMode::Normal << 64 << 64 << 0.25 << false;
    QTest::newRow("frequency factors") << RopeMode::Normal << 128 << 128 << 1.0 << true;
}

void TestRefOps::ropeTextbook()
{
    QFETCH(RopeMode, mode);
    QFETCH(int, headDim);
    QFETCH(int, nRot);
    QFETCH(double, freqScale);
    QFETCH(bool, withFactors);
    std::vector<float> factors(static_cast<size_t>(nRot / 2));
    for (int i = 0; i < nRot / 2; ++i)  // Llama 3-like: 1 for high frequencies, up to 8 for low ones
        factors[i] = 1.0f + 7.0f * static_cast<float>(i) / static_cast<float>(nRot / 2 - 1);

    RopeConfig config;
    config.nRot = nRot;
    config.mode = mode;
    config.freqBase = 10000.0f;
    config.freqScale = static_cast<float>(freqScale);
    config.freqFactors = withFactors ? factors.data() : nullptr;
    for (int32_t position : {0, 1, 7, 100, 598, 4000}) {
        const auto head = uniform(static_cast<size_t>(headDim), 7 + position);
        auto rotated = head;
        applyRope(rotated.data(), 1, 1, headDim, &position, config);
        const auto expected = textbookRope(head, nRot, mode, position, 10000.0, freqScale, config.freqFactors);
        // ggml builds theta by repeated float multiplication: its error grows with the position.
        const double tolerance = 2e-6 + 2e-7 * position;
        const double error = maxAbsDiff(rotated, expected);
        QVERIFY2(error <= tolerance, qPrintable(QStringLiteral("position %1: error %2").arg(position).arg(error)));
        for (int d = nRot; d < headDim; ++d)
            QCOMPARE(rotated[d], head[d]);  // dims past nRot pass through
    }
}

void TestRefOps::yarnCorrectionDims()
{
    // d(β) = n·ln(n_ctx_orig / (2πβ)) / (2·ln base). n = 64, n_ctx_orig 256, base 1e4:
    // d(32) = 64·ln(1.27324)/18.42068 = 0.8393 → floor 0; d(1) = 64·ln(40.7437)/18.42068 = 12.880 → ceil 13.
    auto dims = ref::yarnCorrectionDims(64, 256, 10000.0f, 32.0f, 1.0f);
    QCOMPARE(dims[0], 0.0f);
    QCOMPARE(dims[1], 13.0f);
    // n_ctx_orig 4096: d(32) = 64·ln(20.3718)/18.42068 = 10.474 → 10; d(1) = 64·ln(651.899)/18.42068 = 22.516 → 23.
    dims = ref::yarnCorrectionDims(64, 4096, 10000.0f, 32.0f, 1.0f);
    QCOMPARE(dims[0], 10.0f);
    QCOMPARE(dims[1], 23.0f);
    // Clamped to [0, n − 1].
    dims = ref::yarnCorrectionDims(8, 1 << 30, 10000.0f, 32.0f, 1.0f);
    QCOMPARE(dims[1], 7.0f);
}

void TestRefOps::yarnHandComputed()
{
    // Factor 4 with n_ctx_orig 4096 → ramp from pair 10 (pure extrapolation, the original
    // frequency) to pair 23 (pure interpolation, frequency / 4); magnitude 1 + 0.1·ln 4 = 1.1386294.
    RopeConfig config;
    config.nRot = 64;
    config.freqBase = 10000.0f;
    config.freqScale = 0.25f;
    config.extFactor = 1.0f;
    config.nCtxOrig = 4096;
    const double magnitude = 1.0 + 0.1 * std::log(4.0);
    for (float position : {1.0f, 37.0f, 598.0f}) {
        std::vector<float> cosines(32), sines(32);
        computeRopeAngles(position, config, cosines.data(), sines.data());
        for (int i = 0; i < 32; ++i) {
            const double mix = 1.0 - std::clamp((i - 10.0) / 13.0, 0.0, 1.0);  // 1 below pair 10, 0 from 23
            const double theta = position * std::pow(10000.0, -2.0 * i / 64) * (0.25 * (1.0 - mix) + mix);
            const double tolerance = 2e-6 + 2e-7 * position;
            QVERIFY2(std::fabs(cosines[i] - magnitude * std::cos(theta)) <= tolerance, qPrintable(QString::number(i)));
            QVERIFY2(std::fabs(sines[i] - magnitude * std::sin(theta)) <= tolerance, qPrintable(QString::number(i)));
        }
    }
    // Spot values by hand: pair 0 at position 1 is unscaled (θ = 1); pair 31 is interpolated (θ = 10000^-(62/64)/4).
    std::vector<float> c(32), s(32);
    computeRopeAngles(1.0f, config, c.data(), s.data());
    QVERIFY(std::fabs(c[0] - 1.1386294 * 0.5403023) < 1e-6);
    QVERIFY(std::fabs(s[31] - 1.1386294 * std::sin(1.3335214e-4 / 4)) < 1e-9);
    // attnFactor multiplies on top.
    config.attnFactor = 0.5f;
    computeRopeAngles(1.0f, config, c.data(), s.data());
    QVERIFY(std::fabs(c[0] - 0.5 * 1.1386294 * 0.5403023) < 1e-6);
}

void TestRefOps::attentionNaive_data()
{
    QTest::addColumn<int>("nHead");
    QTest::addColumn<int>("nHeadKv");
    QTest::addColumn<int>("window");
    QTest::addColumn<float>("softcap");
    QTest::addColumn<bool>("withMask");
    QTest::addColumn<int>("cached");  // keys already in the cache before the batch
    QTest::newRow("MHA causal") << 4 << 4 << 0 << 0.0f << false << 0;
    QTest::newRow("GQA 4/2") << 4 << 2 << 0 << 0.0f << false << 0;
    QTest::newRow("MQA 4/1 continuing") << 4 << 1 << 0 << 0.0f << false << 9;
    QTest::newRow("sliding window 5") << 4 << 2 << 5 << 0.0f << false << 6;
    QTest::newRow("softcap 1.5") << 2 << 2 << 0 << 1.5f << false << 0;
    QTest::newRow("additive mask") << 2 << 1 << 0 << 0.0f << true << 3;
}

void TestRefOps::attentionNaive()
{
    QFETCH(int, nHead);
    QFETCH(int, nHeadKv);
    QFETCH(int, window);
    QFETCH(float, softcap);
    QFETCH(bool, withMask);
    QFETCH(int, cached);
    const int headDim = 16, nTokens = 7, nKv = cached + nTokens;
    const auto q = uniform(static_cast<size_t>(nTokens * nHead * headDim), 1, -2.0f, 2.0f);
    const auto k = uniform(static_cast<size_t>(nKv * nHeadKv * headDim), 2, -2.0f, 2.0f);
    const auto v = uniform(static_cast<size_t>(nKv * nHeadKv * headDim), 3);
    const auto mask = uniform(static_cast<size_t>(nTokens * nKv), 4);
    std::vector<int32_t> positions(nTokens);
    for (int t = 0; t < nTokens; ++t)
        positions[t] = cached + t;

    AttentionConfig config;
    config.nHead = nHead;
    config.nHeadKv = nHeadKv;
    config.headDimK = config.headDimV = headDim;
    config.scale = 1.0f / std::sqrt(static_cast<float>(headDim));
    config.slidingWindow = window;
    config.softcap = softcap;
    std::vector<float> out(static_cast<size_t>(nTokens * nHead * headDim));
    attention(q.data(), k.data(), v.data(), nTokens, nKv, positions.data(), nullptr, withMask ? mask.data() : nullptr,
              config, out.data());

    // Naive: full score matrix per head in double, visible keys j ≤ i (and i − j < window).
    std::vector<double> expected(out.size());
    for (int h = 0; h < nHead; ++h) {
        const int kvh = h / (nHead / nHeadKv);
        for (int t = 0; t < nTokens; ++t) {
            const int i = positions[t];
            std::vector<double> p(nKv, 0.0);
            double max = -INFINITY;
            for (int j = 0; j <= i; ++j) {
                if (window > 0 && i - j >= window)
                    continue;
                double s = 0.0;
                for (int d = 0; d < headDim; ++d)
                    s += double(q[(t * nHead + h) * headDim + d]) * k[(j * nHeadKv + kvh) * headDim + d];
                s /= std::sqrt(double(headDim));
                if (softcap > 0)
                    s = softcap * std::tanh(s / softcap);
                if (withMask)
                    s += mask[t * nKv + j];
                p[j] = s;
                max = std::max(max, s);
            }
            double sum = 0.0;
            for (int j = 0; j <= i; ++j) {
                const bool visible = !(window > 0 && i - j >= window);
                p[j] = visible ? std::exp(p[j] - max) : 0.0;
                sum += p[j];
            }
            for (int d = 0; d < headDim; ++d) {
                double acc = 0.0;
                for (int j = 0; j < nKv; ++j)
                    acc += p[j] / sum * v[(j * nHeadKv + kvh) * headDim + d];
                expected[(t * nHead + h) * headDim + d] = acc;
            }
        }
    }
    const double error = maxAbsDiff(out, expected);
    QVERIFY2(error < 2e-6, qPrintable(QString::number(error)));
}

void TestRefOps::attentionAllHidden()
{
    const std::vector<float> q(4, 1.0f), k(4, 1.0f), v(4, 3.0f);
    const float mask[1] = {-INFINITY};
    const int32_t position = 0;
    AttentionConfig config;
    config.nHead = config.nHeadKv = 1;
    config.headDimK = config.headDimV = 4;
    std::vector<float> out(4, 5.0f);
    attention(q.data(), k.data(), v.data(), 1, 1, &position, nullptr, mask, config, out.data());
    for (float x : out)
        QCOMPARE(x, 0.0f);
}

void TestRefOps::norms()
{
    const std::vector<float> x = {1.0f, -2.0f, 3.0f, -4.0f, 0.5f, 0.0f, 2.0f, 1.0f};
    const std::vector<float> w = {1.0f, 2.0f, 0.5f, 1.0f, 1.0f, 1.0f, 3.0f, -1.0f};
    const std::vector<float> bias = {0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f};
    std::vector<float> y(8);
    rmsNorm(x.data(), w.data(), y.data(), 2, 4, 1e-5f);  // two rows of 4
    for (int r = 0; r < 2; ++r) {
        double ms = 0.0;
        for (int i = 0; i < 4; ++i)
            ms += double(x[4 * r + i]) * x[4 * r + i] / 4.0;
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::fabs(y[4 * r + i] - x[4 * r + i] / std::sqrt(ms + 1e-5) * w[i]) < 1e-6);  // weight per column
    }
    layerNorm(x.data(), w.data(), bias.data(), y.data(), 1, 8, 1e-5f);
    double mean = 0.0, var = 0.0;
    for (float v : x)
        mean += v / 8.0;
    for (float v : x)
        var += (v - mean) * (v - mean) / 8.0;
    for (int i = 0; i < 8; ++i)
        QVERIFY(std::fabs(y[i] - ((x[i] - mean) / std::sqrt(var + 1e-5) * w[i] + bias[i])) < 1e-6);
}

void TestRefOps::activations()
{
    QVERIFY(std::fabs(silu(1.0f) - 0.7310586f) < 1e-6f);
    QVERIFY(std::fabs(silu(-2.0f) - (-0.2384058f)) < 1e-6f);
    QVERIFY(std::fabs(gelu(1.0f) - 0.8411920f) < 1e-6f);   // tanh approximation
    QVERIFY(std::fabs(geluErf(1.0f) - 0.8413447f) < 1e-6f);
    QVERIFY(std::fabs(gelu(-3.0f) - (-0.0036374f)) < 1e-6f);
    const float gate[2] = {1.0f, -2.0f}, up[2] = {2.0f, 3.0f};
    float out[2];
    swiglu(gate, up, out, 2);
    QVERIFY(std::fabs(out[0] - 2 * 0.7310586f) < 1e-6f && std::fabs(out[1] - 3 * -0.2384058f) < 1e-6f);
    geglu(gate, up, out, 2);
    QVERIFY(std::fabs(out[0] - 2 * 0.8411920f) < 1e-6f);
    add(gate, up, out, 2);
    QCOMPARE(out[1], 1.0f);
    mul(gate, up, out, 2);
    QCOMPARE(out[1], -6.0f);
}

void TestRefOps::softmaxProperties()
{
    std::vector<float> x = {1000.0f, 999.0f, -INFINITY, 998.0f};  // large values must not overflow
    softmax(x.data(), 4);
    const double e1 = std::exp(-1.0), e2 = std::exp(-2.0), sum = 1.0 + e1 + e2;
    QVERIFY(std::fabs(x[0] - 1.0 / sum) < 1e-7);
    QVERIFY(std::fabs(x[1] - e1 / sum) < 1e-7);
    QCOMPARE(x[2], 0.0f);
    QVERIFY(std::fabs(x[3] - e2 / sum) < 1e-7);
}

void TestRefOps::matmulAllTypes_data()
{
    QTest::addColumn<GgmlType>("type");
    for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0,
                       GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K,
                       GgmlType::Q6_K})
        QTest::newRow(ggmlTypeName(t).data()) << t;
}

void TestRefOps::matmulAllTypes()
{
    QFETCH(GgmlType, type);
    const int64_t rows = 5, cols = 512, nTokens = 3;
    const auto weights = uniform(static_cast<size_t>(rows * cols), 11);
    const auto x = uniform(static_cast<size_t>(nTokens * cols), 12);
    const uint64_t rowBytes = *ggmlRowBytes(type, cols);
    std::vector<uint8_t> w(rowBytes * rows);
    for (int64_t r = 0; r < rows; ++r)
        quantizeRow(type, weights.data() + r * cols, w.data() + r * rowBytes, cols);
    std::vector<float> y(static_cast<size_t>(nTokens * rows));
    matmul(type, w.data(), rows, cols, x.data(), nTokens, y.data());

    std::vector<float> row(cols);
    for (int64_t r = 0; r < rows; ++r) {
        dequantizeRow(type, w.data() + r * rowBytes, row.data(), cols);
        for (int64_t t = 0; t < nTokens; ++t) {
            double expected = 0.0;
            for (int64_t c = 0; c < cols; ++c)
                expected += double(row[c]) * x[t * cols + c];
            QVERIFY2(std::fabs(y[t * rows + r] - expected) < 1e-4,
                     qPrintable(QStringLiteral("row %1 token %2: %3 vs %4").arg(r).arg(t).arg(y[t * rows + r]).arg(expected)));
        }
    }
}

void TestRefOps::getRowsQuantized()
{
    const int64_t nRows = 4, rowLength = 256;
    const auto table = uniform(static_cast<size_t>(nRows * rowLength), 21);
    const uint64_t rowBytes = *ggmlRowBytes(GgmlType::Q6_K, rowLength);
    std::vector<uint8_t> q(rowBytes * nRows);
    for (int64_t r = 0; r < nRows; ++r)
        quantizeRow(GgmlType::Q6_K, table.data() + r * rowLength, q.data() + r * rowBytes, rowLength);
    const int32_t ids[3] = {3, 0, 3};
    std::vector<float> out(3 * rowLength), expected(rowLength);
    getRows(GgmlType::Q6_K, q.data(), rowLength, ids, 3, out.data());
    for (int i = 0; i < 3; ++i) {
        dequantizeRow(GgmlType::Q6_K, q.data() + ids[i] * rowBytes, expected.data(), rowLength);
        for (int64_t c = 0; c < rowLength; ++c)
            QCOMPARE(out[i * rowLength + c], expected[c]);
    }
}

QTEST_GUILESS_MAIN(TestRefOps)
#include "tst_ref_ops.moc"
