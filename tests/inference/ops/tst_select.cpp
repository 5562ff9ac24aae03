// Argmax and top-k kernels against a sorted CPU order: ties to the lower index, −0 = +0, NaN last;
// from 1 logit to a 152k vocabulary.
#include "support/vulkan_fixture.h"

#include "ops/select.h"

#include <QtTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace vela;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

enum class Fill { Random, FewLevels, NaNs, MaxLast, NegativeInfinity, AllNaN, SignedZeros };

std::vector<float> makeLogits(int n, Fill fill)
{
    std::mt19937 rng(n * 13 + int(fill));
    std::normal_distribution<float> dist(0.0f, 3.0f);
    std::uniform_int_distribution<int> level(0, 9);
    std::vector<float> logits(n);
    for (float& v : logits)
        v = fill == Fill::FewLevels ? float(level(rng)) : dist(rng);  // FewLevels: ties everywhere
    switch (fill) {
    case Fill::NaNs:
        for (int i = 0; i < n; i += 3)
            logits[i] = kNaN;
        break;
    case Fill::MaxLast:
        logits[n - 1] = 100.0f;
        break;
    case Fill::NegativeInfinity:
        std::fill(logits.begin(), logits.end(), -kInf);
        logits[n / 2] = -1e30f;
        break;
    case Fill::AllNaN:
        std::fill(logits.begin(), logits.end(), kNaN);
        break;
    case Fill::SignedZeros:
        for (int i = 0; i < n; ++i)
            logits[i] = i % 2 ? 0.0f : -0.0f;
        break;
    default:
        break;
    }
    return logits;
}

// Indices in selection order.
std::vector<uint32_t> selectionOrder(const std::vector<float>& logits)
{
    std::vector<uint32_t> order(logits.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        const float x = logits[a], y = logits[b];
        if (std::isnan(x) || std::isnan(y))
            return !std::isnan(x) && std::isnan(y);
        return x > y;
    });
    return order;
}

bool sameFloat(float a, float b)
{
    return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b) || (std::isnan(a) && std::isnan(b));
}

}  // namespace

Q_DECLARE_METATYPE(Fill)

class TestSelect : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void select_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<Fill>("fill");
        QTest::newRow("n=1 k=1") << 1 << 1 << Fill::Random;
        QTest::newRow("n=7 ties k=7") << 7 << 7 << Fill::FewLevels;
        QTest::newRow("n=4097 k=64") << 4097 << 64 << Fill::Random;
        QTest::newRow("n=5000 ties k=40") << 5000 << 40 << Fill::FewLevels;
        QTest::newRow("n=32000 max last k=1") << 32000 << 1 << Fill::MaxLast;
        QTest::newRow("n=32003 NaNs k=40") << 32003 << 40 << Fill::NaNs;
        QTest::newRow("n=2049 -inf k=3") << 2049 << 3 << Fill::NegativeInfinity;
        QTest::newRow("n=100 all NaN k=5") << 100 << 5 << Fill::AllNaN;
        QTest::newRow("n=9 signed zeros k=4") << 9 << 4 << Fill::SignedZeros;
        QTest::newRow("n=152000 k=1") << 152000 << 1 << Fill::Random;
        QTest::newRow("n=152000 k=40") << 152000 << 40 << Fill::Random;
        QTest::newRow("n=151936 ties k=64") << 151936 << 64 << Fill::FewLevels;
    }

    void argmax_data() { select_data(); }
    void argmax()
    {
        QFETCH(int, n);
        QFETCH(Fill, fill);
        const std::vector<float> logits = makeLogits(n, fill);
        const uint32_t want = selectionOrder(logits).front();
        vk::Buffer dlogits = m_gpu->upload(logits), out = m_gpu->allocate(8);
        vk::Buffer scratch = m_gpu->allocate(ops::selectScratchBytes(n, 1));
        QVERIFY2(dlogits.isValid() && out.isValid() && scratch.isValid(), qPrintable(m_gpu->lastError()));
        const Status status = ops::argmax(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dlogits), n,
                                          vk::wholeBuffer(out), vk::wholeBuffer(scratch));
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<uint32_t> got = m_gpu->download<uint32_t>(out, 2);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        QCOMPARE(got[0], want);
        QVERIFY(sameFloat(std::bit_cast<float>(got[1]), logits[want]));
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void topK_data() { select_data(); }
    void topK()
    {
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(Fill, fill);
        const std::vector<float> logits = makeLogits(n, fill);
        const std::vector<uint32_t> order = selectionOrder(logits);
        vk::Buffer dlogits = m_gpu->upload(logits), ids = m_gpu->allocate(k * 4), values = m_gpu->allocate(k * 4);
        vk::Buffer scratch = m_gpu->allocate(ops::selectScratchBytes(n, k));
        QVERIFY2(dlogits.isValid() && ids.isValid() && values.isValid() && scratch.isValid(),
                 qPrintable(m_gpu->lastError()));
        const Status status = ops::topK(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dlogits), n, k,
                                        vk::wholeBuffer(ids), vk::wholeBuffer(values), vk::wholeBuffer(scratch));
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<uint32_t> gotIds = m_gpu->download<uint32_t>(ids, k);
        const std::vector<float> gotValues = m_gpu->download<float>(values, k);
        QVERIFY2(!gotIds.empty() && !gotValues.empty(), qPrintable(m_gpu->lastError()));
        for (int i = 0; i < k; ++i) {
            if (gotIds[i] != order[i] || !sameFloat(gotValues[i], logits[order[i]]))
                QFAIL(qPrintable(QStringLiteral("rank %1: id %2 (%3), want id %4 (%5)")
                                     .arg(i).arg(gotIds[i]).arg(gotValues[i]).arg(order[i]).arg(logits[order[i]])));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void rejectsBadArguments()
    {
        vk::Buffer b = m_gpu->allocate(1024), tiny = m_gpu->allocate(4);
        const vk::BufferRange all = vk::wholeBuffer(b);
        QVERIFY(!ops::topK(m_gpu->kernels(), m_gpu->stream(), all, 10, 0, all, all, all).isOk());
        QVERIFY(!ops::topK(m_gpu->kernels(), m_gpu->stream(), all, 10, 11, all, all, all).isOk());
        QVERIFY(!ops::topK(m_gpu->kernels(), m_gpu->stream(), all, 100, 65, all, all, all).isOk());
        QVERIFY(!ops::topK(m_gpu->kernels(), m_gpu->stream(), all, 100, 5, all, all, vk::wholeBuffer(tiny)).isOk());
        QVERIFY(!ops::argmax(m_gpu->kernels(), m_gpu->stream(), all, 0, all, all).isOk());
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestSelect)
#include "tst_select.moc"
