// Average pooling of a token grid against plain C++ on random data: Gemma 3's 16×16 → 4×4, odd shapes, 1×1.
#include "support/vulkan_fixture.h"

#include "ops/pool.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace vela;

class TestPool : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void avgPoolTokens_data()
    {
        QTest::addColumn<int>("side");
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("channels");
        QTest::newRow("gemma3 16² → 4², 192") << 16 << 4 << 192;
        QTest::newRow("gemma3 real 64² → 16², 1152") << 64 << 4 << 1152;
        QTest::newRow("odd 15² → 5², 7") << 15 << 3 << 7;
        QTest::newRow("kernel 1 copies") << 6 << 1 << 5;
        QTest::newRow("whole grid → 1 token") << 9 << 9 << 3;
        QTest::newRow("1×1, 1 channel") << 1 << 1 << 1;
    }
    void avgPoolTokens()
    {
        QFETCH(int, side);
        QFETCH(int, kernel);
        QFETCH(int, channels);
        std::mt19937 rng(side * 131 + kernel * 7 + channels);
        std::normal_distribution<float> dist;
        std::vector<float> x(size_t(side) * side * channels);
        for (float& v : x)
            v = dist(rng);
        const int outSide = side / kernel;
        std::vector<float> want(size_t(outSide) * outSide * channels);
        for (int oy = 0; oy < outSide; ++oy)
            for (int ox = 0; ox < outSide; ++ox)
                for (int c = 0; c < channels; ++c) {
                    float sum = 0;
                    for (int ky = 0; ky < kernel; ++ky)
                        for (int kx = 0; kx < kernel; ++kx)
                            sum += x[(size_t(oy * kernel + ky) * side + ox * kernel + kx) * channels + c];
                    want[(size_t(oy) * outSide + ox) * channels + c] = sum / float(kernel * kernel);
                }
        vk::Buffer dx = m_gpu->upload(x), dout = m_gpu->allocate(want.size() * sizeof(float));
        QVERIFY2(dx.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const Status s = ops::avgPoolTokens(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx),
                                            vk::wholeBuffer(dout), side, kernel, channels);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dout, want.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        // The sum runs in the reference's order; the division by k² may be a reciprocal multiply on a GPU
        // (GLSL's division is not correctly rounded): allow 2 ulp.
        for (size_t i = 0; i < want.size(); ++i)
            if (std::fabs(got[i] - want[i]) > 2.4e-7f * std::fabs(want[i]))
                QFAIL(qPrintable(QStringLiteral("[%1]: %2 != %3").arg(i).arg(got[i], 0, 'g', 9).arg(want[i], 0, 'g', 9)));
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void rejectsBadShapes()
    {
        vk::Buffer b = m_gpu->allocate(64);
        const vk::BufferRange r = vk::wholeBuffer(b);
        QVERIFY(!ops::avgPoolTokens(m_gpu->kernels(), m_gpu->stream(), r, r, 16, 3, 1).isOk());  // 3 ∤ 16
        QVERIFY(!ops::avgPoolTokens(m_gpu->kernels(), m_gpu->stream(), r, r, 0, 1, 1).isOk());
        QVERIFY(!ops::avgPoolTokens(m_gpu->kernels(), m_gpu->stream(), r, r, 4, 0, 1).isOk());
        QVERIFY(!ops::avgPoolTokens(m_gpu->kernels(), m_gpu->stream(), r, r, 4, 2, 0).isOk());
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestPool)
#include "tst_pool.moc"
