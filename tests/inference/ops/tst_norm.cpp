// RMS norm and layer norm kernels against vela::ref::rmsNorm / layerNorm on random rows of awkward widths.
#include "support/vulkan_fixture.h"

#include "ops/norm.h"
#include "ref/norm.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace vela;

class TestNorm : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void rmsNorm_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<float>("eps");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1x1") << 1 << 1 << 1e-5f << false;
        QTest::newRow("1x4096") << 1 << 4096 << 1e-5f << false;
        QTest::newRow("7x333") << 7 << 333 << 1e-6f << false;
        QTest::newRow("3x257 in place") << 3 << 257 << 1e-5f << true;
        QTest::newRow("77x2880") << 77 << 2880 << 1e-6f << false;
        QTest::newRow("5x255 tiny values, eps dominates") << 5 << 255 << 1e-2f << false;
    }
    void rmsNorm()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(float, eps);
        QFETCH(bool, inPlace);
        std::mt19937 rng(rows * 1000 + cols);
        std::normal_distribution<float> dist;
        const float magnitude = eps > 1e-3f ? 1e-3f : 3.0f;
        std::vector<float> x(size_t(rows) * cols), weight(cols);
        for (float& v : x)
            v = dist(rng) * magnitude;
        for (float& v : weight)
            v = 1.0f + 0.5f * dist(rng);
        std::vector<float> want(x.size());
        ref::rmsNorm(x.data(), weight.data(), want.data(), rows, cols, eps);

        vk::Buffer dx = m_gpu->upload(x), dw = m_gpu->upload(weight), dout = m_gpu->allocate(x.size() * 4);
        QVERIFY2(dx.isValid() && dw.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dx : dout;
        QVERIFY(ops::rmsNorm(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(dw),
                             vk::wholeBuffer(target), rows, cols, eps).isOk());
        const std::vector<float> got = m_gpu->download<float>(target, x.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        // f32 partial sums against the reference's double sums: a few ulp of the result.
        double maxError = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const double error = std::abs(got[i] - want[i]) / (1.0 + std::abs(want[i]));
            maxError = std::max(maxError, error);
            if (!(error <= 1e-5))
                QFAIL(qPrintable(QStringLiteral("element %1: %2, want %3").arg(i).arg(got[i]).arg(want[i])));
        }
        qInfo("max relative error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void rejectsEmptyShape()
    {
        vk::Buffer b = m_gpu->allocate(16);
        QVERIFY(!ops::rmsNorm(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                              vk::wholeBuffer(b), 0, 4, 1e-5f).isOk());
    }

    // offset shifts every x (a large mean against a unit spread: the two-pass variance must not cancel).
    void layerNorm_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<float>("eps");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<bool>("inPlace");
        QTest::addColumn<float>("offset");
        QTest::addColumn<float>("spread");
        QTest::newRow("1x1 (variance 0: bias only)") << 1 << 1 << 1e-5f << true << false << 0.5f << 1.0f;
        QTest::newRow("1x2 no bias") << 1 << 2 << 1e-5f << false << false << 0.0f << 1.0f;
        QTest::newRow("1x2560 phi-2") << 1 << 2560 << 1e-5f << true << false << 0.0f << 1.0f;
        QTest::newRow("7x333 no bias") << 7 << 333 << 1e-6f << false << false << 0.0f << 2.0f;
        QTest::newRow("3x257 in place") << 3 << 257 << 1e-5f << true << true << 0.0f << 1.0f;
        QTest::newRow("5x255 in place no bias") << 5 << 255 << 1e-5f << false << true << 0.0f << 1.0f;
        QTest::newRow("9x1000 mean 100") << 9 << 1000 << 1e-5f << true << false << 100.0f << 1.0f;
        QTest::newRow("5x255 tiny values, eps dominates") << 5 << 255 << 1e-2f << true << false << 0.0f << 1e-3f;
        QTest::newRow("1x65537 wide") << 1 << 65537 << 1e-5f << true << false << 0.0f << 1.0f;
        QTest::newRow("300x2560 in place") << 300 << 2560 << 1e-5f << true << true << 0.0f << 3.0f;
    }
    void layerNorm()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(float, eps);
        QFETCH(bool, withBias);
        QFETCH(bool, inPlace);
        QFETCH(float, offset);
        QFETCH(float, spread);
        std::mt19937 rng(rows * 1000 + cols + 17);
        std::normal_distribution<float> dist;
        std::vector<float> x(size_t(rows) * cols), weight(cols), bias(cols);
        for (float& v : x)
            v = offset + spread * dist(rng);
        for (float& v : weight)
            v = 1.0f + 0.5f * dist(rng);
        for (float& v : bias)
            v = 0.5f * dist(rng);
        std::vector<float> want(x.size());
        ref::layerNorm(x.data(), weight.data(), withBias ? bias.data() : nullptr, want.data(), rows, cols, eps);

        vk::Buffer dx = m_gpu->upload(x), dw = m_gpu->upload(weight), db = m_gpu->upload(bias),
                   dout = m_gpu->allocate(x.size() * 4);
        QVERIFY2(dx.isValid() && dw.isValid() && db.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dx : dout;
        const std::optional<vk::BufferRange> biasRange =
            withBias ? std::optional<vk::BufferRange>(vk::wholeBuffer(db)) : std::nullopt;
        QVERIFY(ops::layerNorm(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(dw), biasRange,
                               vk::wholeBuffer(target), rows, cols, eps).isOk());
        const std::vector<float> got = m_gpu->download<float>(target, x.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        // f32 workgroup sums against the reference's double sums; with mean 100 the f32 x − mean itself is only
        // good to ~ulp(100) / spread ≈ 8e-6 relative.
        const double tolerance = offset != 0.0f ? 1e-4 : 1e-5;
        double maxError = 0;
        for (size_t i = 0; i < x.size(); ++i) {
            const double error = std::abs(got[i] - want[i]) / (1.0 + std::abs(want[i]));
            maxError = std::max(maxError, error);
            if (!(error <= tolerance))
                QFAIL(qPrintable(QStringLiteral("element %1: %2, want %3").arg(i).arg(got[i]).arg(want[i])));
        }
        qInfo("max relative error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }
    void layerNormRejectsEmptyShape()
    {
        vk::Buffer b = m_gpu->allocate(16);
        QVERIFY(!ops::layerNorm(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b), std::nullopt,
                                vk::wholeBuffer(b), 4, 0, 1e-5f).isOk());
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestNorm)
#include "tst_norm.moc"
