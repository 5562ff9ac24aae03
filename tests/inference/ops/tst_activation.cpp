// SwiGLU and softmax kernels against vela::ref on random data of awkward lengths, with extreme values.
#include "support/vulkan_fixture.h"

#include "ops/activation.h"
#include "ref/activation.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace vela;

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
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
