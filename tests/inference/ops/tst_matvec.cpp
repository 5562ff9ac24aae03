// Decode matrix × vector (ops::matVec) for every weight type against vela::ref::matmul on the same bytes:
// awkward row counts (1, 3, 257, 4099), one-block rows, several activation columns, the row-chunk split and
// both reductions. Tolerance: |gpu − ref| ≤ tol · Σ_k |w·x| per output (tol 1e-4 for F32, 1e-3 otherwise):
// the kernels sum in another order than the reference, and that bound is what reordering f32 sums can cost.
#include "support/vulkan_fixture.h"

#include "ops/matvec.h"
#include "ref/dequantize.h"
#include "ref/matmul.h"
#include "ref/quantize.h"

#include "support/random_weights.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace vela;

Q_DECLARE_METATYPE(vela::GgmlType)

namespace {

using test::randomMatrix;
using test::randomVector;
using Matrix = test::RandomMatrix;


}  // namespace

class TestMatVec : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void matVec_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("blocks");   // cols = blocks × block size (+ extra for float types)
        QTest::addColumn<int>("columns");  // activation columns
        QTest::addColumn<qulonglong>("maxBindingBytes");  // 0: the device limit
        QTest::addColumn<bool>("subgroups");
        QTest::addColumn<int>("workgroup");  // 0: the device's choice
        QTest::addColumn<int>("rowsPerGroup");
        for (GgmlType type : supportedWeightTypes()) {
            const uint32_t block = ggmlTypeInfo(type).blockSize;
            const bool isFloat = block == 1;
            const int wide = isFloat ? 264 : block == 32 ? 8 : 2;  // a few hundred columns
            const QString name(ggmlTypeName(type).data());
            auto row = [&](const char* what, int rows, int blocks, int columns, qulonglong maxBinding = 0,
                           bool subgroups = true, int workgroup = 0, int rowsPerGroup = 0) {
                QTest::newRow(qPrintable(name + " " + what))
                    << type << rows << blocks << columns << maxBinding << subgroups << workgroup << rowsPerGroup;
            };
            row("1 row, 1 block", 1, 1, 1);
            row("3 rows, 1 block, 2 columns", 3, 1, 2);
            row("257 rows, 3 columns", 257, wide, 3);
            row("4099 rows, 4 columns", 4099, isFloat ? 40 : 1, 4);
            row("row chunks", 1000, wide, 2, 16384);
            if (isFloat)
                row("odd length 37", 5, 37, 2);
            // The reductions and the column split do not depend on the weight type: one float and one
            // quantized type cover them (each shape is another pipeline to compile, slow on lavapipe).
            if (type == GgmlType::F16 || type == GgmlType::Q4_K) {
                row("257 rows, 9 columns, 1 row per group", 257, wide, 9, 0, true, 0, 1);
                row("shared-memory tree, 64 threads", 257, wide + 1, 1, 0, false, 64, 2);
                row("subgroups, 64 threads", 259, wide, 1, 0, true, 64, 2);
                row("odd rows per group", 259, wide, 2, 0, true, 0, 3);
            }
            if (type == GgmlType::F16)
                row("odd length 37, shared-memory tree", 5, 37, 1, 0, false, 64, 2);
        }
    }

    void matVec()
    {
        QFETCH(GgmlType, type);
        QFETCH(int, rows);
        QFETCH(int, blocks);
        QFETCH(int, columns);
        QFETCH(qulonglong, maxBindingBytes);
        QFETCH(bool, subgroups);
        QFETCH(int, workgroup);
        QFETCH(int, rowsPerGroup);
        const int cols = blocks * int(ggmlTypeInfo(type).blockSize);
        const uint32_t seed = uint32_t(rows * 7919 + cols * 31 + columns);
        const Matrix w = randomMatrix(type, rows, cols, seed);
        const std::vector<float> x = randomVector(size_t(columns) * cols, seed + 1);

        std::vector<float> expected(size_t(columns) * rows);
        ref::matmul(type, w.bytes.data(), rows, cols, x.data(), columns, expected.data());

        std::vector<uint8_t> padded = w.bytes;  // the fixture uploads at least 4 bytes (one F16 weight is 2)
        padded.resize(std::max<size_t>(padded.size(), 4));
        vk::Buffer dw = m_gpu->upload(padded), dx = m_gpu->upload(x);
        vk::Buffer dy = m_gpu->allocate(expected.size() * sizeof(float));
        QVERIFY2(dw.isValid() && dx.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        const ops::WeightView view{vk::wholeBuffer(dw), type, uint32_t(rows), uint32_t(cols)};
        ops::detail::MatVecTuning tuning;
        tuning.maxBindingBytes = maxBindingBytes;
        tuning.useSubgroups = subgroups;
        tuning.workgroup = uint32_t(workgroup);
        tuning.rowsPerGroup = uint32_t(rowsPerGroup);
        const Status s = ops::detail::matVecTuned(m_gpu->kernels(), m_gpu->stream(), view, vk::wholeBuffer(dx),
                                                  vk::wholeBuffer(dy), uint32_t(columns), tuning);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dy, expected.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));

        const double tolerance = type == GgmlType::F32 ? 1e-4 : 1e-3;
        double worst = 0;
        for (int c = 0; c < columns; ++c) {
            for (int r = 0; r < rows; ++r) {
                double magnitude = 0;
                for (int k = 0; k < cols; ++k)
                    magnitude += std::fabs(double(w.dequant[size_t(r) * cols + k]) * x[size_t(c) * cols + k]);
                const size_t i = size_t(c) * rows + r;
                const double error = std::fabs(double(got[i]) - expected[i]) / std::max(magnitude, 1e-30);
                worst = std::max(worst, error);
                if (!(error <= tolerance))
                    QFAIL(qPrintable(QStringLiteral("y[%1][%2] = %3, reference %4 (relative error %5)")
                                         .arg(c).arg(r).arg(got[i]).arg(expected[i]).arg(error)));
            }
        }
        qInfo("worst relative error %.2e", worst);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // A weight that does not fit a binding must fail cleanly, not bind past the limit.
    void rejectsRowLargerThanBinding()
    {
        const Matrix w = randomMatrix(GgmlType::Q8_0, 2, 64, 1);
        vk::Buffer dw = m_gpu->upload(w.bytes), dx = m_gpu->allocate(64 * 4), dy = m_gpu->allocate(8);
        const ops::WeightView view{vk::wholeBuffer(dw), GgmlType::Q8_0, 2, 64};
        ops::detail::MatVecTuning tuning;
        tuning.maxBindingBytes = 32;
        const Status s = ops::detail::matVecTuned(m_gpu->kernels(), m_gpu->stream(), view, vk::wholeBuffer(dx),
                                                  vk::wholeBuffer(dy), 1, tuning);
        QVERIFY(!s.isOk());
        const ops::WeightView unsupported{vk::wholeBuffer(dw), GgmlType::IQ4_NL, 2, 64};
        QVERIFY(!ops::matVec(m_gpu->kernels(), m_gpu->stream(), unsupported, vk::wholeBuffer(dx),
                             vk::wholeBuffer(dy)).isOk());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestMatVec)
#include "tst_matvec.moc"
