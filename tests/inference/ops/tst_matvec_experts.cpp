// Expert-indexed matrix × vector (ops::matVecExperts, Mixture-of-Experts) for every weight type against a CPU
// reference on the same bytes (the selected expert's rows dequantized by vela::ref, dotted in double): 1, 4, 5
// and 8 experts, 1/33/300 rows per expert, one pair and several tokens × 2 experts (pairsPerX 2, gate/up) or
// per-pair inputs (pairsPerX 1, down), repeated ids, an id past the last expert (a zero row), both reductions.
// Tolerance as tst_matvec: |gpu − ref| ≤ tol · Σ_k |w·x| per output (1e-4 for F32, 1e-3 otherwise).
#include "support/vulkan_fixture.h"

#include "ops/matvec_experts.h"

#include "support/random_weights.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace vela;

Q_DECLARE_METATYPE(vela::GgmlType)
Q_DECLARE_METATYPE(std::vector<uint32_t>)

namespace {

using test::randomMatrix;
using test::randomVector;

// Ids of `pairs` pairs, k consecutive per token, drawn from nExperts, with repeats across tokens.
std::vector<uint32_t> randomIds(int pairs, int nExperts, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<uint32_t> ids(pairs);
    for (uint32_t& id : ids)
        id = uint32_t(rng() % uint32_t(nExperts));
    return ids;
}

}  // namespace

class TestMatVecExperts : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void matVecExperts_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("nExperts");
        QTest::addColumn<int>("rows");    // per expert
        QTest::addColumn<int>("blocks");  // cols = blocks × block size
        QTest::addColumn<std::vector<uint32_t>>("ids");
        QTest::addColumn<int>("pairsPerX");
        QTest::addColumn<bool>("subgroups");
        QTest::addColumn<int>("workgroup");  // 0: the device's choice
        QTest::addColumn<int>("rowsPerGroup");
        for (GgmlType type : supportedWeightTypes()) {
            const uint32_t block = ggmlTypeInfo(type).blockSize;
            const bool isFloat = block == 1;
            const int wide = isFloat ? 136 : block == 32 ? 4 : 1;  // 128…256 columns
            const QString name(ggmlTypeName(type).data());
            auto row = [&](const char* what, int nExperts, int rows, int blocks, std::vector<uint32_t> ids,
                           int pairsPerX, bool subgroups = true, int workgroup = 0, int rowsPerGroup = 0) {
                QTest::newRow(qPrintable(name + " " + what)) << type << nExperts << rows << blocks << ids
                                                             << pairsPerX << subgroups << workgroup << rowsPerGroup;
            };
            row("1 expert, 1 row, 1 pair", 1, 1, 1, {0}, 1);
            row("4 experts, 33 rows, 3 tokens x 2", 4, 33, wide, {3, 1, 1, 3, 0, 2}, 2);
            row("8 experts, 300 rows, 5 pairs down", 8, 300, wide, randomIds(5, 8, 7), 1);
            row("5 experts, 33 rows, id past the end", 5, 33, wide, {4, 5, 0, 4, 17, 2}, 2);
            if (isFloat)
                row("odd length 37, 4 experts", 4, 33, 37, {2, 0, 2, 1}, 2);
            // The reductions and the workgroup shape do not depend on the weight type: one float, one quantized.
            if (type == GgmlType::F16 || type == GgmlType::Q4_K) {
                row("shared-memory tree, 64 threads", 4, 33, wide, {1, 3, 3, 0}, 2, false, 64, 2);
                row("odd rows per group", 5, 300, wide, {4, 0, 4, 2, 1, 1}, 1, true, 0, 3);
            }
        }
    }

    void matVecExperts()
    {
        QFETCH(GgmlType, type);
        QFETCH(int, nExperts);
        QFETCH(int, rows);
        QFETCH(int, blocks);
        QFETCH(std::vector<uint32_t>, ids);
        QFETCH(int, pairsPerX);
        QFETCH(bool, subgroups);
        QFETCH(int, workgroup);
        QFETCH(int, rowsPerGroup);
        const int cols = blocks * int(ggmlTypeInfo(type).blockSize);
        const int nPairs = int(ids.size());
        const int nX = (nPairs + pairsPerX - 1) / pairsPerX;
        const uint32_t seed = uint32_t(nExperts * 7919 + rows * 31 + cols + nPairs);
        const test::RandomMatrix w = randomMatrix(type, nExperts * rows, cols, seed);  // (nExperts·rows, cols)
        const std::vector<float> x = randomVector(size_t(nX) * cols, seed + 1);       // (nX, cols)

        std::vector<uint8_t> padded = w.bytes;  // the fixture uploads at least 4 bytes (one F16 weight is 2)
        padded.resize(std::max<size_t>(padded.size(), 4));
        // y starts as garbage, so the zero rows of bad ids must really be written.
        const std::vector<float> garbage(size_t(nPairs) * rows, 12345.0f);
        vk::Buffer dw = m_gpu->upload(padded), dx = m_gpu->upload(x), di = m_gpu->upload(ids);
        vk::Buffer dy = m_gpu->upload(garbage);
        QVERIFY2(dw.isValid() && dx.isValid() && di.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        const ops::WeightView view{vk::wholeBuffer(dw), type, uint32_t(nExperts * rows), uint32_t(cols)};
        ops::detail::MatVecTuning tuning;
        tuning.useSubgroups = subgroups;
        tuning.workgroup = uint32_t(workgroup);
        tuning.rowsPerGroup = uint32_t(rowsPerGroup);
        const Status s = ops::detail::matVecExpertsTuned(m_gpu->kernels(), m_gpu->stream(), view, uint32_t(nExperts),
                                                         vk::wholeBuffer(di), uint32_t(nPairs), uint32_t(pairsPerX),
                                                         vk::wholeBuffer(dx), vk::wholeBuffer(dy), tuning);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dy, garbage.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));

        const double tolerance = type == GgmlType::F32 ? 1e-4 : 1e-3;
        double worst = 0;
        for (int p = 0; p < nPairs; ++p) {
            const float* xp = x.data() + size_t(p / pairsPerX) * cols;
            for (int r = 0; r < rows; ++r) {
                const float value = got[size_t(p) * rows + r];
                if (ids[p] >= uint32_t(nExperts)) {
                    if (value != 0.0f)
                        QFAIL(qPrintable(QStringLiteral("y[%1][%2] = %3 for bad id %4, expected 0")
                                             .arg(p).arg(r).arg(value).arg(ids[p])));
                    continue;
                }
                const float* wr = w.dequant.data() + (size_t(ids[p]) * rows + r) * cols;
                double expected = 0, magnitude = 0;
                for (int k = 0; k < cols; ++k) {
                    expected += double(wr[k]) * xp[k];
                    magnitude += std::fabs(double(wr[k]) * xp[k]);
                }
                const double error = std::fabs(value - expected) / std::max(magnitude, 1e-30);
                worst = std::max(worst, error);
                if (!(error <= tolerance))
                    QFAIL(qPrintable(QStringLiteral("y[%1][%2] = %3 (expert %4), reference %5 (relative error %6)")
                                         .arg(p).arg(r).arg(value).arg(ids[p]).arg(expected).arg(error)));
            }
        }
        qInfo("worst relative error %.2e", worst);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // Shapes the op cannot run must fail cleanly: a stack that does not fit one binding, rows that are not
    // equal expert matrices, an unsupported type.
    void rejectsBadShapes()
    {
        const test::RandomMatrix w = randomMatrix(GgmlType::Q8_0, 4, 64, 1);
        vk::Buffer dw = m_gpu->upload(w.bytes), dx = m_gpu->allocate(64 * 4), dy = m_gpu->allocate(64);
        const std::vector<uint32_t> ids{0, 1};
        vk::Buffer di = m_gpu->upload(ids);
        ops::detail::MatVecTuning tuning;
        tuning.maxBindingBytes = w.bytes.size() - 1;
        const ops::WeightView view{vk::wholeBuffer(dw), GgmlType::Q8_0, 4, 64};
        const Status tooLarge = ops::detail::matVecExpertsTuned(m_gpu->kernels(), m_gpu->stream(), view, 2,
                                                                vk::wholeBuffer(di), 2, 1, vk::wholeBuffer(dx),
                                                                vk::wholeBuffer(dy), tuning);
        QVERIFY(!tooLarge.isOk());
        QVERIFY2(tooLarge.message().find("exceeds") != std::string::npos, tooLarge.message().c_str());
        QVERIFY(!ops::matVecExperts(m_gpu->kernels(), m_gpu->stream(), view, 3, vk::wholeBuffer(di), 2, 1,
                                    vk::wholeBuffer(dx), vk::wholeBuffer(dy)).isOk());
        const ops::WeightView unsupported{vk::wholeBuffer(dw), GgmlType::IQ4_NL, 4, 64};
        QVERIFY(!ops::matVecExperts(m_gpu->kernels(), m_gpu->stream(), unsupported, 2, vk::wholeBuffer(di), 2, 1,
                                    vk::wholeBuffer(dx), vk::wholeBuffer(dy)).isOk());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestMatVecExperts)
#include "tst_matvec_experts.moc"
