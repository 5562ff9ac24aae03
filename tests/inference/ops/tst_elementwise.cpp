// Elementwise kernels against plain C++ on random data of awkward lengths.
#include "support/vulkan_fixture.h"

#include "ops/elementwise.h"

#include <QtTest>

#include <random>

using namespace vela;

class TestElementwise : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }
    void add_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("bLength");
        QTest::newRow("1") << 1 << 0;
        QTest::newRow("255") << 255 << 0;
        QTest::newRow("257") << 257 << 0;
        QTest::newRow("100003") << 100003 << 0;
        QTest::newRow("bias 1000x7") << 7000 << 7;
        QTest::newRow("past one grid row") << 256 * 65535 + 1000 << 0;
    }
    void add()
    {
        QFETCH(int, n);
        QFETCH(int, bLength);
        std::mt19937 rng(n);
        std::normal_distribution<float> dist;
        std::vector<float> a(n), b(bLength ? bLength : n);
        for (float& v : a)
            v = dist(rng);
        for (float& v : b)
            v = dist(rng);
        vk::Buffer da = m_gpu->upload(a), db = m_gpu->upload(b), out = m_gpu->allocate(n * sizeof(float));
        QVERIFY2(da.isValid() && db.isValid() && out.isValid(), qPrintable(m_gpu->lastError()));
        QVERIFY(ops::add(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(da), vk::wholeBuffer(db),
                         vk::wholeBuffer(out), n, bLength).isOk());
        const std::vector<float> got = m_gpu->download<float>(out, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int i = 0; i < n; ++i) {
            if (got[i] != a[i] + b[bLength ? i % bLength : i])
                QFAIL(qPrintable(QStringLiteral("element %1: %2 != %3").arg(i).arg(got[i]).arg(a[i] + b[i % b.size()])));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestElementwise)
#include "tst_elementwise.moc"
