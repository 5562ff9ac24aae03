// Elementwise kernels against plain C++ on random data of awkward lengths.
#include "support/vulkan_fixture.h"

#include "ops/elementwise.h"

#include <QtTest>

#include <cmath>
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

    // Bias rows (q/k/v/output projection biases): IEEE addition is exact-rounded, so results must be identical.
    void addRows_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1x1") << 1 << 1 << false;
        QTest::newRow("1 row x 257") << 1 << 257 << false;
        QTest::newRow("1 row x 896 in place") << 1 << 896 << true;
        QTest::newRow("7x1 bias of one") << 7 << 1 << true;
        QTest::newRow("13x1000") << 13 << 1000 << false;
        QTest::newRow("37x1537 in place") << 37 << 1537 << true;
        QTest::newRow("300x3584") << 300 << 3584 << false;
    }
    void addRows()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, inPlace);
        std::mt19937 rng(rows * 131 + cols);
        std::normal_distribution<float> dist(0.0f, 3.0f);
        const size_t n = size_t(rows) * cols;
        std::vector<float> x(n), bias(cols);
        for (float& v : x)
            v = dist(rng);
        for (float& v : bias)
            v = dist(rng);
        vk::Buffer dx = m_gpu->upload(x), db = m_gpu->upload(bias), dy = m_gpu->allocate(n * sizeof(float));
        QVERIFY2(dx.isValid() && db.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dx : dy;
        QVERIFY(ops::addRows(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(db),
                             vk::wholeBuffer(target), rows, cols).isOk());
        const std::vector<float> got = m_gpu->download<float>(target, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < cols; ++c) {
                const size_t i = size_t(r) * cols + c;
                if (got[i] != x[i] + bias[c])
                    QFAIL(qPrintable(QStringLiteral("[%1][%2]: %3 != %4").arg(r).arg(c).arg(got[i]).arg(x[i] + bias[c])));
            }
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }
    void addRowsRejectsEmpty()
    {
        vk::Buffer b = m_gpu->allocate(16);
        QVERIFY(!ops::addRows(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                              vk::wholeBuffer(b), 0, 4).isOk());
        QVERIFY(!ops::addRows(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                              vk::wholeBuffer(b), 70000, 70000).isOk());  // rows · cols over 32 bits
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // a + factor · b: the shader compiler may fuse it into one fma, so within one rounding of each operation.
    void addScaled_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<float>("factor");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1") << 1 << 2.0f << false;
        QTest::newRow("257 in place") << 257 << -0.375f << true;
        QTest::newRow("100003") << 100003 << 1.7f << false;
        QTest::newRow("past one grid row in place") << 256 * 65535 + 1000 << 0.25f << true;
    }
    void addScaled()
    {
        QFETCH(int, n);
        QFETCH(float, factor);
        QFETCH(bool, inPlace);
        std::mt19937 rng(n + 11);
        std::normal_distribution<float> dist;
        std::vector<float> a(n), b(n);
        for (float& v : a)
            v = dist(rng);
        for (float& v : b)
            v = dist(rng);
        vk::Buffer da = m_gpu->upload(a), db = m_gpu->upload(b), out = m_gpu->allocate(n * sizeof(float));
        QVERIFY2(da.isValid() && db.isValid() && out.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? da : out;
        QVERIFY(ops::addScaled(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(da), vk::wholeBuffer(db),
                               vk::wholeBuffer(target), n, factor).isOk());
        const std::vector<float> got = m_gpu->download<float>(target, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int i = 0; i < n; ++i) {
            const double want = double(a[i]) + double(factor) * double(b[i]);
            const double bound = 1.2e-7 * (std::abs(a[i]) + std::abs(factor * b[i])) + 1e-30;
            if (std::abs(got[i] - want) > bound)
                QFAIL(qPrintable(QStringLiteral("element %1: %2 != %3").arg(i).arg(got[i]).arg(want)));
        }
        QVERIFY(!ops::addScaled(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(da), vk::wholeBuffer(db),
                                vk::wholeBuffer(out), 0, factor).isOk());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // x · factor is one correctly rounded multiplication: results must be identical to the CPU's.
    void scale_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<float>("factor");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1") << 1 << 3.0f << false;
        QTest::newRow("255 in place") << 255 << -0.5f << true;
        QTest::newRow("257 sqrt(2048)") << 257 << std::sqrt(2048.0f) << false;
        QTest::newRow("100003 in place") << 100003 << 0.0078125f << true;
        QTest::newRow("past one grid row") << 256 * 65535 + 1000 << 1.4142135f << false;
    }
    void scale()
    {
        QFETCH(int, n);
        QFETCH(float, factor);
        QFETCH(bool, inPlace);
        std::mt19937 rng(n + 5);
        std::normal_distribution<float> dist(0.0f, 10.0f);
        std::vector<float> x(n);
        for (float& v : x)
            v = dist(rng);
        vk::Buffer dx = m_gpu->upload(x), dy = m_gpu->allocate(size_t(n) * sizeof(float));
        QVERIFY2(dx.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dx : dy;
        QVERIFY(ops::scale(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(target), n, factor)
                    .isOk());
        const std::vector<float> got = m_gpu->download<float>(target, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int i = 0; i < n; ++i) {
            if (got[i] != x[i] * factor)
                QFAIL(qPrintable(QStringLiteral("element %1: %2 != %3").arg(i).arg(got[i]).arg(x[i] * factor)));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void softCap_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<float>("cap");
        QTest::addColumn<bool>("inPlace");
        QTest::newRow("1 value") << 1 << 30.0f << false;
        QTest::newRow("257 gemma2 final cap") << 257 << 30.0f << true;
        QTest::newRow("100003 small cap") << 100003 << 1.5f << false;
    }

    // cap·tanh(x/cap): near x for small x, saturating at ±cap; against the double-precision formula.
    void softCap()
    {
        QFETCH(int, n);
        QFETCH(float, cap);
        QFETCH(bool, inPlace);
        std::mt19937 rng(n + 11);
        std::normal_distribution<float> dist(0.0f, 3.0f * cap);
        std::vector<float> x(n);
        for (float& v : x)
            v = dist(rng);
        x[0] = 1000.0f * cap;  // deep in saturation: exactly ±cap, no inf/inf
        vk::Buffer dx = m_gpu->upload(x), dy = m_gpu->allocate(size_t(n) * sizeof(float));
        QVERIFY2(dx.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        const vk::Buffer& target = inPlace ? dx : dy;
        QVERIFY(ops::softCap(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(target), n, cap)
                    .isOk());
        const std::vector<float> got = m_gpu->download<float>(target, n);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        double maxError = 0;
        for (int i = 0; i < n; ++i) {
            const double want = cap * std::tanh(double(x[i]) / cap);
            maxError = std::max(maxError, std::abs(got[i] - want));
            if (!(std::abs(got[i] - want) <= 2e-6 * cap))
                QFAIL(qPrintable(QStringLiteral("element %1: %2 != %3").arg(i).arg(got[i]).arg(want)));
        }
        qInfo("max error %.3g (cap %g)", maxError, cap);
        QVERIFY(!ops::softCap(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(dy), n, 0.0f).isOk());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestElementwise)
#include "tst_elementwise.moc"
