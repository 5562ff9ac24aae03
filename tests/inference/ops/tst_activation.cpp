// SwiGLU, GELU/GeGLU and softmax kernels against vela::ref on random data of awkward lengths, with extreme values.
#include "support/vulkan_fixture.h"

#include "ops/activation.h"
#include "ref/activation.h"
#include "vela/half.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace vela;

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();

// The spacing of fp16 values around v (2^-24 in the subnormal range): GELU results are fp16 values, and the
// kernel may differ from ggml's table by one such step where its tanh rounds differently from glibc's tanhf.
double halfStep(float v)
{
    const double magnitude = std::abs(double(v));
    if (magnitude < 0x1p-14)
        return 0x1p-24;
    return std::ldexp(1.0, std::ilogb(magnitude) - 10);
}

// GELU inputs: every fp16 value (each table entry of ggml, ±inf and NaN included) when `allHalves`, the table
// edges, then `randomCount` normal f32 values that are not on the fp16 grid.
std::vector<float> geluInputs(int randomCount, bool allHalves, uint32_t seed)
{
    std::vector<float> x;
    if (allHalves)
        for (uint32_t h = 0; h < 0x10000; ++h)
            x.push_back(fp16ToFp32(static_cast<uint16_t>(h)));
    const float edges[] = {-10.0f, 10.0f, std::nextafter(-10.0f, 0.0f), std::nextafter(10.0f, 0.0f), 9.999f, -9.999f,
                           -1000.0f, 1000.0f, 0.0f, -0.0f, 1e-30f, -3e-6f, -5.5f, 4.0e-5f};
    x.insert(x.end(), std::begin(edges), std::end(edges));
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 4.0f);
    for (int i = 0; i < randomCount; ++i)
        x.push_back(dist(rng));
    return x;
}
}

class TestActivation : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void swiglu_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1") << 1 << false;
        QTest::newRow("255") << 255 << false;
        QTest::newRow("257 in place") << 257 << true;
        QTest::newRow("100003") << 100003 << false;
    }
    void swiglu()
    {
        QFETCH(int, n);
        QFETCH(bool, inPlace);
        std::mt19937 rng(n);
        std::normal_distribution<float> dist(0.0f, 4.0f);
        std::vector<float> gate(n), up(n);
        for (int i = 0; i < n; ++i) {
            gate[i] = dist(rng);
            up[i] = dist(rng);
        }
        // Saturated gates: e^−g overflows for g ≪ 0 and must give 0, not NaN.
        const float extremes[] = {-1000.0f, -90.0f, 90.0f, 1000.0f, 0.0f, -0.0f};
        for (int i = 0; i < n && i < 6; ++i)
            gate[i] = extremes[i];
        std::vector<float> want(n);
        ref::swiglu(gate.data(), up.data(), want.data(), n);

        vk::Buffer dg = m_gpu->upload(gate), du = m_gpu->upload(up), dout = m_gpu->allocate(size_t(n) * 4);
        QVERIFY2(dg.isValid() && du.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dg : dout;
        QVERIFY(ops::swiglu(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dg), vk::wholeBuffer(du),
                            vk::wholeBuffer(target), n).isOk());
        const std::vector<float> got = m_gpu->download<float>(target, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        double maxError = 0;
        for (int i = 0; i < n; ++i) {
            const double error = std::abs(got[i] - want[i]) / (1.0 + std::abs(want[i]));
            maxError = std::max(maxError, error);
            if (!(error <= 1e-5))
                QFAIL(qPrintable(QStringLiteral("element %1 (gate %2): %3, want %4")
                                     .arg(i).arg(gate[i]).arg(got[i]).arg(want[i])));
        }
        qInfo("max relative error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // The CPU reference reproduces ggml's fp16 table path; spot values computed by hand from the formula.
    void geluReference()
    {
        QCOMPARE(ref::geluGgml(1.0f), 0.84130859375f);  // fp16(0.8411920) = 1723 · 2^-11
        QCOMPARE(ref::geluGgml(-10.0f), 0.0f);
        QCOMPARE(ref::geluGgml(-1e6f), 0.0f);
        QCOMPARE(ref::geluGgml(10.0f), 10.0f);
        QCOMPARE(ref::geluGgml(12.3f), 12.3f);            // ≥ 10: x itself, not rounded to fp16
        QCOMPARE(ref::geluGgml(9.999f), 10.0f);           // rounds to fp16 10.0 first
        QCOMPARE(ref::geluGgml(-6.0f), 0.0f);             // float tanh saturates to −1
        QVERIFY(std::isnan(ref::geluGgml(std::nanf(""))));
        const float gate[3] = {-10.0f, 1.0f, 10.0f}, up[3] = {kInf, 2.0f, 0.5f};
        float out[3];
        ref::gegluGgml(gate, up, out, 3);
        QCOMPARE(out[0], 0.0f);  // gate ≤ −10 gives 0 even against an infinite up
        QCOMPARE(out[1], 2 * 0.84130859375f);
        QCOMPARE(out[2], 5.0f);
    }

    // Expected error: at most one fp16 step of the result (2^-11 relative, 2^-24 absolute below 2^-14) where the
    // kernel's float tanh rounds across an fp16 rounding boundary differently from glibc's tanhf; identical
    // otherwise. Outside (−10, 10) exact.
    void gelu_data()
    {
        QTest::addColumn<int>("randomCount");
        QTest::addColumn<bool>("allHalves");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1") << 1 << false << false;
        QTest::newRow("255 in place") << 255 - 14 << false << true;
        QTest::newRow("every fp16 + 100003 random") << 100003 << true << false;
        QTest::newRow("every fp16 in place") << 0 << true << true;
    }
    void gelu()
    {
        QFETCH(int, randomCount);
        QFETCH(bool, allHalves);
        QFETCH(bool, inPlace);
        std::vector<float> x = geluInputs(randomCount, allHalves, randomCount + 11);
        if (randomCount == 1)
            x = {0.7f};  // a single element
        const int n = int(x.size());
        std::vector<float> want(n);
        for (int i = 0; i < n; ++i)
            want[i] = ref::geluGgml(x[i]);

        vk::Buffer dx = m_gpu->upload(x), dout = m_gpu->allocate(size_t(n) * 4);
        QVERIFY2(dx.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dx : dout;
        QVERIFY(ops::gelu(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(target), n).isOk());
        const std::vector<float> got = m_gpu->download<float>(target, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        double maxSteps = 0, maxAbsolute = 0;
        int differing = 0;
        for (int i = 0; i < n; ++i) {
            if ((std::isnan(want[i]) && std::isnan(got[i])) || got[i] == want[i])
                continue;
            const bool inTable = x[i] > -10.0f && x[i] < 10.0f;
            const double error = std::abs(double(got[i]) - double(want[i]));
            const double steps = error / halfStep(want[i]);
            differing += error != 0;
            maxSteps = std::max(maxSteps, steps);
            maxAbsolute = std::max(maxAbsolute, error);
            if (!(inTable ? steps <= 1.0 : error == 0))
                QFAIL(qPrintable(QStringLiteral("element %1 (x %2): %3, want %4")
                                     .arg(i).arg(double(x[i]), 0, 'g', 9).arg(got[i]).arg(want[i])));
        }
        qInfo("%d of %d differ from ggml's table; max %.3g fp16 steps, max absolute error %.3g", differing, n, maxSteps,
              maxAbsolute);
        QVERIFY2(differing <= n / 200, "more than 0.5% of the results differ from the table");
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // Same expected error as gelu, times |up|, plus the float rounding of the product.
    void geglu_data()
    {
        QTest::addColumn<int>("randomCount");
        QTest::addColumn<bool>("allHalves");
        QTest::addColumn<int>("target");  // 0: separate output, 1: in place over gate, 2: over up
        QTest::newRow("1") << 1 << false << 0;
        QTest::newRow("257 over up") << 257 - 14 << false << 2;
        QTest::newRow("every fp16 gate + 100003 random over gate") << 100003 << true << 1;
        QTest::newRow("every fp16 gate + 3 random") << 3 << true << 0;
    }
    void geglu()
    {
        QFETCH(int, randomCount);
        QFETCH(bool, allHalves);
        QFETCH(int, target);
        std::vector<float> gate = geluInputs(randomCount, allHalves, randomCount + 17);
        if (randomCount == 1)
            gate = {-0.3f};
        const int n = int(gate.size());
        std::mt19937 rng(n);
        std::normal_distribution<float> dist(0.0f, 4.0f);
        std::vector<float> up(n);
        for (int i = 0; i < n; ++i) {
            up[i] = dist(rng);
            if (gate[i] <= -10.0f && i % 2 == 0)
                up[i] = kInf;  // ggml returns +0 here, not 0 · inf
            if (std::isinf(gate[i]) && gate[i] > 0)
                up[i] = 2.0f;
        }
        std::vector<float> want(n);
        ref::gegluGgml(gate.data(), up.data(), want.data(), n);

        vk::Buffer dg = m_gpu->upload(gate), du = m_gpu->upload(up), dout = m_gpu->allocate(size_t(n) * 4);
        QVERIFY2(dg.isValid() && du.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& out = target == 1 ? dg : (target == 2 ? du : dout);
        QVERIFY(ops::geglu(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dg), vk::wholeBuffer(du),
                           vk::wholeBuffer(out), n).isOk());
        const std::vector<float> got = m_gpu->download<float>(out, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        double maxSteps = 0, maxAbsolute = 0;
        int differing = 0;
        for (int i = 0; i < n; ++i) {
            if ((std::isnan(want[i]) && std::isnan(got[i])) || got[i] == want[i])
                continue;
            const bool inTable = gate[i] > -10.0f && gate[i] < 10.0f;
            const double error = std::abs(double(got[i]) - double(want[i]));
            // One fp16 step of gelu(gate), scaled by up, and the product's float rounding.
            const double steps =
                error / (halfStep(ref::geluGgml(gate[i])) * std::abs(up[i]) + 0x1p-23 * std::abs(want[i]) + 1e-37);
            differing += error != 0;
            maxSteps = std::max(maxSteps, steps);
            maxAbsolute = std::max(maxAbsolute, error);
            if (!(inTable ? steps <= 1.0 : error == 0))
                QFAIL(qPrintable(QStringLiteral("element %1 (gate %2, up %3): %4, want %5")
                                     .arg(i).arg(double(gate[i]), 0, 'g', 9).arg(up[i]).arg(got[i]).arg(want[i])));
        }
        qInfo("%d of %d differ from ggml; max %.3g fp16 steps of gelu·|up|, max absolute error %.3g", differing, n,
              maxSteps, maxAbsolute);
        QVERIFY2(differing <= n / 200, "more than 0.5% of the results differ from ggml");
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void softmax_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<float>("scale");
        QTest::newRow("1x1") << 1 << 1 << 1.0f;
        QTest::newRow("3x7 scaled") << 3 << 7 << 0.125f;
        QTest::newRow("5x257") << 5 << 257 << 1.0f;
        QTest::newRow("2x32000 scaled") << 2 << 32000 << 2.5f;
        QTest::newRow("77x600") << 77 << 600 << 0.0883883f;
    }
    void softmax()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(float, scale);
        std::mt19937 rng(rows * 7 + cols);
        std::normal_distribution<float> dist(0.0f, 5.0f);
        std::vector<float> x(size_t(rows) * cols);
        for (float& v : x)
            v = dist(rng);
        // Masked entries; the last row of a multi-row case entirely masked.
        for (int r = 0; r < rows; ++r)
            if (cols > 2)
                x[size_t(r) * cols + (r % cols)] = -kInf;
        if (rows > 2)
            std::fill(x.end() - cols, x.end(), -kInf);
        std::vector<float> want(x.size());
        for (size_t i = 0; i < x.size(); ++i)
            want[i] = x[i] * scale;
        for (int r = 0; r < rows; ++r)
            ref::softmax(want.data() + size_t(r) * cols, cols);

        vk::Buffer dx = m_gpu->upload(x), dout = m_gpu->allocate(x.size() * 4);
        QVERIFY2(dx.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        QVERIFY(ops::softmax(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(dout), rows,
                             cols, scale).isOk());
        const std::vector<float> got = m_gpu->download<float>(dout, x.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        double maxError = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const double error = std::abs(got[i] - want[i]);
            maxError = std::max(maxError, error);
            if (!(error <= 1e-6 + 1e-5 * want[i]))
                QFAIL(qPrintable(QStringLiteral("element %1: %2, want %3").arg(i).arg(got[i]).arg(want[i])));
        }
        qInfo("max absolute error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestActivation)
#include "tst_activation.moc"
