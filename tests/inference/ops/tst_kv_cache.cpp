// KV store kernel: f32 rows into the f16 cache, bit-exact with vela::fp32ToFp16, other rows untouched.
#include "support/vulkan_fixture.h"

#include "ops/kv_cache.h"
#include "vela/half.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace vela;

namespace {
constexpr uint16_t kUntouched = 0xABCD;
}

class TestKvCache : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void storeKv_data()
    {
        QTest::addColumn<int>("firstPosition");
        QTest::addColumn<int>("nTokens");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("nCtx");
        QTest::newRow("decode, width 1") << 0 << 1 << 1 << 3;
        QTest::newRow("decode at 99, width 80") << 99 << 1 << 80 << 101;
        QTest::newRow("prompt 77 at 0, width 1024") << 0 << 77 << 1024 << 80;
        QTest::newRow("prompt 13 at 500, width 5 (odd)") << 500 << 13 << 5 << 600;
        QTest::newRow("fills the context") << 3 << 5 << 48 << 8;
    }
    void storeKv()
    {
        QFETCH(int, firstPosition);
        QFETCH(int, nTokens);
        QFETCH(int, width);
        QFETCH(int, nCtx);
        std::mt19937 rng(firstPosition + nTokens * 31 + width);
        std::normal_distribution<float> dist(0.0f, 2.0f);
        std::vector<float> src(size_t(nTokens) * width);  // (nTokens, width)
        for (float& v : src)
            v = dist(rng);
        // Every rounding path: halfway cases, overflow to inf, subnormals, underflow, NaN, signed zero.
        const float specials[] = {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 65519.0f, 65520.0f, 1e6f, -1e6f,
                                  0x1p-14f, 0x1p-20f + 0x1p-25f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 1e-30f, -0.0f,
                                  std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                                  -3 * 0x1p-25f};
        for (size_t i = 0; i < std::size(specials) && i < src.size(); ++i)
            src[i] = specials[i];
        std::vector<uint16_t> cache(size_t(nCtx) * width, kUntouched);  // (nCtx, width)

        vk::Buffer dsrc = m_gpu->upload(src), dcache = m_gpu->upload(cache);
        QVERIFY2(dsrc.isValid() && dcache.isValid(), qPrintable(m_gpu->lastError()));
        QVERIFY(ops::storeKv(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dsrc),
                             vk::BufferRange{&dcache, 0, cache.size() * 2}, firstPosition, nTokens, width).isOk());
        const std::vector<uint16_t> got = m_gpu->download<uint16_t>(dcache, cache.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        const size_t begin = size_t(firstPosition) * width;
        for (size_t i = 0; i < got.size(); ++i) {
            const bool written = i >= begin && i < begin + src.size();
            const uint16_t want = written ? fp32ToFp16(src[i - begin]) : kUntouched;
            if (got[i] != want)
                QFAIL(qPrintable(QStringLiteral("cache element %1 (%2): 0x%3, want 0x%4")
                                     .arg(i).arg(written ? double(src[i - begin]) : 0.0)
                                     .arg(got[i], 4, 16, QChar('0')).arg(want, 4, 16, QChar('0'))));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void rejectsRowsPastTheCache()
    {
        vk::Buffer src = m_gpu->allocate(8 * 4), cache = m_gpu->allocate(4 * 8 * 2);
        QVERIFY(!ops::storeKv(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(src), vk::wholeBuffer(cache), 4, 1,
                              8).isOk());
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestKvCache)
#include "tst_kv_cache.moc"
