// Embedding lookup (ops::embed) for every weight type against vela::ref::getRows on the same bytes: ids
// including the first and last row and repeats, one-block rows, odd float row lengths and the row-chunk split.
// Dequantization is exact arithmetic on both sides up to float rounding, so the tolerance is tight.
#include "support/vulkan_fixture.h"

#include "ops/embedding.h"
#include "ref/embedding.h"
#include "ref/quantize.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace vela;

Q_DECLARE_METATYPE(vela::GgmlType)

class TestEmbedding : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void embed_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("vocab");
        QTest::addColumn<int>("blocks");
        QTest::addColumn<int>("nTokens");
        QTest::addColumn<qulonglong>("maxBindingBytes");
        for (GgmlType type : supportedWeightTypes()) {
            const uint32_t block = ggmlTypeInfo(type).blockSize;
            const int wide = block == 1 ? 200 : block == 32 ? 9 : 3;
            const QString name(ggmlTypeName(type).data());
            QTest::newRow(qPrintable(name + " 1 block")) << type << 7 << 1 << 5 << 0ull;
            QTest::newRow(qPrintable(name + " wide")) << type << 301 << wide << 17 << 0ull;
            QTest::newRow(qPrintable(name + " row chunks")) << type << 301 << wide << 33 << 16384ull;
            if (block == 1)
                QTest::newRow(qPrintable(name + " odd length 37")) << type << 11 << 37 << 9 << 0ull;
        }
    }

    void embed()
    {
        QFETCH(GgmlType, type);
        QFETCH(int, vocab);
        QFETCH(int, blocks);
        QFETCH(int, nTokens);
        QFETCH(qulonglong, maxBindingBytes);
        const int cols = blocks * int(ggmlTypeInfo(type).blockSize);
        std::mt19937 rng(uint32_t(vocab * 131 + cols));
        std::normal_distribution<float> dist;
        const uint64_t rowBytes = *ggmlRowBytes(type, cols);
        std::vector<uint8_t> table(rowBytes * vocab);
        std::vector<float> row(cols);
        for (int r = 0; r < vocab; ++r) {
            for (float& v : row)
                v = dist(rng);
            ref::quantizeRow(type, row.data(), table.data() + rowBytes * r, cols);
        }
        // First and last rows, a repeat of each, then random ids.
        std::vector<int32_t> ids{0, vocab - 1, 0, vocab - 1};
        std::uniform_int_distribution<int32_t> pick(0, vocab - 1);
        while (int(ids.size()) < nTokens)
            ids.push_back(pick(rng));
        ids.resize(nTokens);

        std::vector<float> expected(size_t(nTokens) * cols);
        ref::getRows(type, table.data(), cols, ids.data(), nTokens, expected.data());

        vk::Buffer dt = m_gpu->upload(table), di = m_gpu->upload(ids);
        vk::Buffer dout = m_gpu->allocate(expected.size() * sizeof(float));
        QVERIFY2(dt.isValid() && di.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const ops::WeightView view{vk::wholeBuffer(dt), type, uint32_t(vocab), uint32_t(cols)};
        const Status s =
            maxBindingBytes ? ops::detail::embedChunked(m_gpu->kernels(), m_gpu->stream(), view, vk::wholeBuffer(di),
                                                        vk::wholeBuffer(dout), uint32_t(nTokens), maxBindingBytes)
                            : ops::embed(m_gpu->kernels(), m_gpu->stream(), view, vk::wholeBuffer(di),
                                         vk::wholeBuffer(dout), uint32_t(nTokens));
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dout, expected.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (size_t i = 0; i < expected.size(); ++i) {
            // Same formula, possibly fused multiply-add on one side: a few ulps of the value's scale.
            const double tolerance = 1e-6 * std::max(1.0, double(std::fabs(expected[i])));
            if (!(std::fabs(double(got[i]) - expected[i]) <= tolerance))
                QFAIL(qPrintable(QStringLiteral("token %1 (id %2) element %3: %4, reference %5")
                                     .arg(i / cols).arg(ids[i / cols]).arg(i % cols).arg(got[i]).arg(expected[i])));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestEmbedding)
#include "tst_embedding.moc"
