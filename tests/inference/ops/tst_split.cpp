// Column-range copies against plain C++ on random matrices: fused QKV and gate|up splits, awkward shapes.
#include "support/vulkan_fixture.h"

#include "ops/split.h"

#include <QtTest>

#include <random>

using namespace vela;

class TestSplit : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    // Each row splits src into consecutive pieces of the given widths, each copied to its own buffer. A copy is
    // exact, so the results must be identical.
    void copyColumns_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<QList<int>>("widths");
        QTest::newRow("1x1") << 1 << QList<int>{1};
        QTest::newRow("1 row, qkv 1 + 1 + 1") << 1 << QList<int>{1, 1, 1};
        QTest::newRow("1 row, phi-2 qkv") << 1 << QList<int>{2560, 2560, 2560};
        QTest::newRow("7 rows, gqa qkv odd") << 7 << QList<int>{333, 111, 111};
        QTest::newRow("13 rows, phi-3 gate|up") << 13 << QList<int>{8192, 8192};
        QTest::newRow("257 rows, 3 + 257 + 5") << 257 << QList<int>{3, 257, 5};
        QTest::newRow("past one grid row") << 4097 << QList<int>{5, 4099};  // second piece > 65535 · 256 floats
    }
    void copyColumns()
    {
        QFETCH(int, rows);
        QFETCH(QList<int>, widths);
        int srcCols = 0;
        for (int w : widths)
            srcCols += w;
        std::mt19937 rng(rows * 7 + srcCols);
        std::normal_distribution<float> dist;
        std::vector<float> src(size_t(rows) * srcCols);
        for (float& v : src)
            v = dist(rng);
        vk::Buffer dsrc = m_gpu->upload(src);
        QVERIFY2(dsrc.isValid(), qPrintable(m_gpu->lastError()));
        std::vector<vk::Buffer> pieces;
        int firstCol = 0;
        for (int w : widths) {
            pieces.push_back(m_gpu->allocate(size_t(rows) * w * sizeof(float)));
            QVERIFY2(pieces.back().isValid(), qPrintable(m_gpu->lastError()));
            const Status copied = ops::copyColumns(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dsrc), srcCols,
                                                   firstCol, vk::wholeBuffer(pieces.back()), w, rows);
            QVERIFY2(copied.isOk(), copied.message().c_str());
            firstCol += w;
        }
        firstCol = 0;
        for (size_t p = 0; p < pieces.size(); ++p) {
            const int w = widths[p];
            const std::vector<float> got = m_gpu->download<float>(pieces[p], size_t(rows) * w);
            QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
            for (int r = 0; r < rows; ++r) {
                for (int c = 0; c < w; ++c) {
                    const float want = src[size_t(r) * srcCols + firstCol + c];
                    if (got[size_t(r) * w + c] != want)
                        QFAIL(qPrintable(QStringLiteral("piece %1 [%2][%3]: %4 != %5")
                                             .arg(p).arg(r).arg(c).arg(got[size_t(r) * w + c]).arg(want)));
                }
            }
            firstCol += w;
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // Destination as a sub-range of a bigger buffer (the caller may pack q, k, v into one allocation).
    void copyColumnsIntoSubRange()
    {
        const int rows = 5, srcCols = 96, firstCol = 32, dstCols = 64;
        std::vector<float> src(rows * srcCols);
        for (size_t i = 0; i < src.size(); ++i)
            src[i] = float(i);
        const VkDeviceSize offset = 256;  // a multiple of every minStorageBufferOffsetAlignment allowed
        vk::Buffer dsrc = m_gpu->upload(src), dst = m_gpu->allocate(offset + rows * dstCols * sizeof(float));
        QVERIFY2(dsrc.isValid() && dst.isValid(), qPrintable(m_gpu->lastError()));
        const vk::BufferRange target{&dst, offset, rows * dstCols * sizeof(float)};
        QVERIFY(ops::copyColumns(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dsrc), srcCols, firstCol, target,
                                 dstCols, rows).isOk());
        const std::vector<float> got = m_gpu->download<float>(dst, rows * dstCols, offset);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < dstCols; ++c)
                QCOMPARE(got[r * dstCols + c], float(r * srcCols + firstCol + c));
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // Pieces written side by side into a wider matrix that already holds data (DeepSeek-V2 joins the latent
    // query and its rotary part this way): the target columns get the piece, every other column keeps its value.
    void copyColumnsInto_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("srcCols");
        QTest::addColumn<int>("srcFirstCol");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("dstCols");
        QTest::addColumn<int>("dstFirstCol");
        QTest::newRow("1x1 into 1x1") << 1 << 1 << 0 << 1 << 1 << 0;
        QTest::newRow("mla latent: 64 of 64 into 96 at 0") << 12 << 64 << 0 << 64 << 96 << 0;
        QTest::newRow("mla rope: 32 of 32 into 96 at 64") << 12 << 32 << 0 << 32 << 96 << 64;
        QTest::newRow("odd: 7 of 13 from 5 into 11 at 3") << 257 << 13 << 5 << 7 << 11 << 3;
        QTest::newRow("1 row, 576 wide") << 1 << 512 << 0 << 512 << 576 << 0;
    }
    void copyColumnsInto()
    {
        QFETCH(int, rows);
        QFETCH(int, srcCols);
        QFETCH(int, srcFirstCol);
        QFETCH(int, width);
        QFETCH(int, dstCols);
        QFETCH(int, dstFirstCol);
        std::mt19937 rng(rows * 31 + dstCols);
        std::normal_distribution<float> dist;
        std::vector<float> src(size_t(rows) * srcCols), before(size_t(rows) * dstCols);
        for (float& v : src)
            v = dist(rng);
        for (float& v : before)
            v = dist(rng);
        vk::Buffer dsrc = m_gpu->upload(src), ddst = m_gpu->upload(before);
        QVERIFY2(dsrc.isValid() && ddst.isValid(), qPrintable(m_gpu->lastError()));
        const ops::ColumnTarget target{vk::wholeBuffer(ddst), uint32_t(dstCols), uint32_t(dstFirstCol)};
        const Status copied = ops::copyColumnsInto(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dsrc), srcCols,
                                                   srcFirstCol, target, width, rows);
        QVERIFY2(copied.isOk(), copied.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(ddst, before.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < dstCols; ++c) {
                const bool inside = c >= dstFirstCol && c < dstFirstCol + width;
                const float want = inside ? src[size_t(r) * srcCols + srcFirstCol + c - dstFirstCol]
                                          : before[size_t(r) * dstCols + c];
                if (got[size_t(r) * dstCols + c] != want)
                    QFAIL(qPrintable(QStringLiteral("[%1][%2]: %3 != %4").arg(r).arg(c).arg(got[size_t(r) * dstCols + c]).arg(want)));
            }
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void copyColumnsIntoRejectsBadShapes()
    {
        vk::Buffer b = m_gpu->allocate(64);
        const vk::BufferRange r = vk::wholeBuffer(b);
        auto call = [&](uint32_t dstCols, uint32_t dstFirstCol, uint32_t width, uint32_t rows) {
            return ops::copyColumnsInto(m_gpu->kernels(), m_gpu->stream(), r, 4, 0,
                                        ops::ColumnTarget{r, dstCols, dstFirstCol}, width, rows)
                .isOk();
        };
        QVERIFY(call(4, 2, 2, 4));              // fits
        QVERIFY(!call(4, 3, 2, 4));             // past the end of a dst row
        QVERIFY(!call(4, 0xFFFFFFFFu, 2, 4));   // dstFirstCol + width overflows 32 bits
        QVERIFY(!call(8, 0, 2, 4));             // 32 dst floats do not fit 64 bytes
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void copyColumnsRejectsBadShapes()
    {
        vk::Buffer b = m_gpu->allocate(64);
        const vk::BufferRange r = vk::wholeBuffer(b);
        auto call = [&](uint32_t srcCols, uint32_t firstCol, uint32_t dstCols, uint32_t rows) {
            return ops::copyColumns(m_gpu->kernels(), m_gpu->stream(), r, srcCols, firstCol, r, dstCols, rows).isOk();
        };
        QVERIFY(!call(4, 0, 4, 0));            // no rows
        QVERIFY(!call(4, 0, 0, 4));            // no columns
        QVERIFY(!call(4, 2, 3, 4));            // past the end of a row
        QVERIFY(!call(4, 0xFFFFFFFFu, 2, 1));  // firstCol + dstCols overflows 32 bits
        QVERIFY(!call(70000, 0, 1, 70000));    // src index over 32 bits
        QVERIFY(!call(4, 0, 4, 5));            // 20 floats do not fit 64 bytes
        vk::Buffer big = m_gpu->allocate(size_t(1) << 28);  // 256 MiB, over lavapipe's 128 MiB binding limit
        QVERIFY2(big.isValid(), qPrintable(m_gpu->lastError()));
        QVERIFY(!ops::copyColumns(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(big), 1 << 24, 0, r, 16, 3)
                     .isOk());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestSplit)
#include "tst_split.moc"
