// Expert-indexed matrix × vector (ops::matVecExperts, Mixture-of-Experts) for every weight type against a CPU
// reference on the same bytes (the selected expert's rows dequantized by vela::ref, dotted in double): 1, 4, 5
// and 8 experts, 1/33/300 rows per expert, one pair and several tokens × 2 experts (pairsPerX 2, gate/up) or
// per-pair inputs (pairsPerX 1, down), repeated ids, an id past the last expert (a zero row), both reductions;
// stacks split over 2–3 bindings (a forced maxBindingBytes), including experts whose byte size is not a multiple
// of the offset alignment, so that bindings start before their first expert. The chunk plan itself is checked
// on the host for a 256-byte alignment.
// Tolerance as tst_matvec: |gpu − ref| ≤ tol · Σ_k |w·x| per output (1e-4 for F32, 1e-3 otherwise).
#include "support/vulkan_fixture.h"

#include "ops/matvec_experts.h"
#include "ops/weight_chunks.h"

#include "support/random_weights.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
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
        ops::detail::MatVecTuning tuning;
        tuning.useSubgroups = subgroups;
        tuning.workgroup = uint32_t(workgroup);
        tuning.rowsPerGroup = uint32_t(rowsPerGroup);
        compareWithReference(type, nExperts, rows, blocks * int(ggmlTypeInfo(type).blockSize), ids, pairsPerX,
                             tuning);
    }

    // Stacks larger than the (forced) binding limit: chunks of whole experts, one dispatch each. The limit is
    // `expertsPerBinding` experts plus `slack` bytes; ids cover every expert (so every chunk has work) and two ids
    // past the end, whose zero rows only one dispatch must write. Default tuning: the pipelines of the rows above.
    void chunkedStack_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("nExperts");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("pairsPerX");
        QTest::addColumn<int>("expertsPerBinding");
        QTest::addColumn<int>("slack");
        QTest::addColumn<int>("chunks");  // expected
        // Q8_0: 33 rows of 4 blocks = 4488 bytes per expert, 8 mod 16: later chunks start before their expert.
        QTest::newRow("Q8_0 8 experts, 3 chunks, unaligned experts") << GgmlType::Q8_0 << 8 << 33 << 128 << 2 << 3
                                                                      << 300 << 3;
        // Q6_K: 210-byte blocks, 33 rows = 6930 bytes per expert (2 mod 16).
        QTest::newRow("Q6_K 5 experts, 2 chunks, unaligned experts") << GgmlType::Q6_K << 5 << 33 << 256 << 1 << 3
                                                                      << 400 << 2;
        QTest::newRow("Q4_K 6 experts, 3 chunks") << GgmlType::Q4_K << 6 << 300 << 256 << 2 << 2 << 0 << 3;
        // Float rows of 37 elements (read one at a time): 4884 bytes per expert, 4 mod 16.
        QTest::newRow("F32 odd rows, 7 experts, 3 chunks") << GgmlType::F32 << 7 << 33 << 37 << 1 << 3 << 64 << 3;
        // A binding of exactly one expert.
        QTest::newRow("F16 2 experts, one per chunk") << GgmlType::F16 << 2 << 33 << 136 << 2 << 1 << 0 << 2;
    }

    void chunkedStack()
    {
        QFETCH(GgmlType, type);
        QFETCH(int, nExperts);
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, pairsPerX);
        QFETCH(int, expertsPerBinding);
        QFETCH(int, slack);
        QFETCH(int, chunks);
        const uint64_t expertBytes = *ggmlRowBytes(type, uint32_t(cols)) * uint64_t(rows);
        ops::detail::MatVecTuning tuning;
        tuning.maxBindingBytes = expertBytes * uint64_t(expertsPerBinding) + uint64_t(slack);

        // Every expert once, shuffled, with ids nExperts and 0xFFFFFFFF among them; padded to whole tokens.
        std::vector<uint32_t> ids(static_cast<size_t>(nExperts));
        std::iota(ids.begin(), ids.end(), 0u);
        ids.push_back(uint32_t(nExperts));
        ids.push_back(0xFFFFFFFFu);
        std::shuffle(ids.begin(), ids.end(), std::mt19937(uint32_t(nExperts * 31 + rows)));
        while (ids.size() % size_t(pairsPerX) != 0)
            ids.push_back(0);

        // The plan the op will use: the expected number of chunks, and (where the row says so) a binding that
        // starts before its first expert, so the block offset is really exercised.
        const ops::WeightView view{{nullptr, 0, VK_WHOLE_SIZE}, type, uint32_t(nExperts * rows), uint32_t(cols)};
        const uint64_t alignment = ops::storageOffsetAlignment(m_gpu->context());
        Result<std::vector<ops::detail::ExpertChunk>> plan =
            ops::detail::planExpertChunks(view, uint32_t(nExperts), tuning.maxBindingBytes, alignment);
        QVERIFY2(plan, plan.message().c_str());
        QCOMPARE(int(plan->size()), chunks);
        const bool unaligned = expertBytes % alignment != 0;
        const bool offsetUsed = std::any_of(plan->begin(), plan->end(),
                                            [](const ops::detail::ExpertChunk& c) { return c.blockOffset > 0; });
        QCOMPARE(offsetUsed, unaligned);

        compareWithReference(type, nExperts, rows, cols, ids, pairsPerX, tuning);
    }

    // The chunk plan for a device with 256-byte offset alignment (lavapipe has 16): bindings aligned and within
    // the limit, experts covered once in order, each chunk's first expert exactly blockOffset blocks in.
    void planExpertChunks_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("nExperts");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<qulonglong>("maxBindingBytes");
        QTest::addColumn<int>("chunks");
        QTest::newRow("whole stack fits: one binding")
            << GgmlType::Q4_K << 8 << 64 << 512 << qulonglong(1) * 1024 * 1024 << 1;
        // 1782-byte experts: bindings start on multiples of lcm(256, 18) = 2304, so 6 or 7 experts fit.
        QTest::newRow("Q4_0 odd expert size") << GgmlType::Q4_0 << 64 << 33 << 96 << qulonglong(7 * 1782 + 255) << 10;
        // Bindings on multiples of lcm(256, 210) = 26880 bytes: leads of over 20000 bytes.
        QTest::newRow("Q6_K long leads") << GgmlType::Q6_K << 5 << 120 << 256 << qulonglong(25200 + 26880) << 4;
        QTest::newRow("F16 odd columns") << GgmlType::F16 << 9 << 5 << 13 << qulonglong(2 * 130 + 255) << 4;
        QTest::newRow("F32 rows of 8 elements") << GgmlType::F32 << 9 << 3 << 24 << qulonglong(4 * 288) << 3;
    }

    void planExpertChunks()
    {
        QFETCH(GgmlType, type);
        QFETCH(int, nExperts);
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(qulonglong, maxBindingBytes);
        QFETCH(int, chunks);
        const uint64_t alignment = 256, base = 4096;  // the weight's own offset, aligned
        const GgmlTypeInfo info = ggmlTypeInfo(type);
        const uint64_t expertBytes = *ggmlRowBytes(type, uint32_t(cols)) * uint64_t(rows);
        const ops::WeightView view{{nullptr, base, VK_WHOLE_SIZE}, type, uint32_t(nExperts * rows), uint32_t(cols)};
        Result<std::vector<ops::detail::ExpertChunk>> plan =
            ops::detail::planExpertChunks(view, uint32_t(nExperts), maxBindingBytes, alignment);
        QVERIFY2(plan, plan.message().c_str());
        QCOMPARE(int(plan->size()), chunks);
        uint32_t next = 0;
        for (const ops::detail::ExpertChunk& c : *plan) {
            QCOMPARE(c.firstExpert, next);
            QVERIFY(c.experts > 0);
            QCOMPARE(c.binding.offset % alignment, uint64_t(0));
            QVERIFY(c.binding.size <= maxBindingBytes);
            const uint64_t lead = uint64_t(c.blockOffset) * info.typeSize;
            QCOMPARE(c.binding.offset + lead, base + c.firstExpert * expertBytes);
            QCOMPARE(c.binding.size, lead + c.experts * expertBytes);
            if (info.blockSize == 1 && cols % 8 == 0)
                QCOMPARE(c.blockOffset % 8, 0u);  // the float kernels read such rows 8 elements at a time
            next += c.experts;
        }
        QCOMPARE(next, uint32_t(nExperts));
    }

    // Shapes the op cannot run must fail cleanly: one expert larger than a binding (alone, or with the lead its
    // aligned binding needs), rows that are not equal expert matrices, an unsupported type.
    void rejectsBadShapes()
    {
        const test::RandomMatrix w = randomMatrix(GgmlType::Q8_0, 4, 64, 1);
        vk::Buffer dw = m_gpu->upload(w.bytes), dx = m_gpu->allocate(64 * 4), dy = m_gpu->allocate(64);
        const std::vector<uint32_t> ids{0, 1};
        vk::Buffer di = m_gpu->upload(ids);
        ops::detail::MatVecTuning tuning;
        tuning.maxBindingBytes = w.bytes.size() / 2 - 1;  // 2 experts of 2 rows: one no longer fits
        const ops::WeightView view{vk::wholeBuffer(dw), GgmlType::Q8_0, 4, 64};
        const Status tooLarge = ops::detail::matVecExpertsTuned(m_gpu->kernels(), m_gpu->stream(), view, 2,
                                                                vk::wholeBuffer(di), 2, 1, vk::wholeBuffer(dx),
                                                                vk::wholeBuffer(dy), tuning);
        QVERIFY(!tooLarge.isOk());
        QVERIFY2(tooLarge.message().find("one expert's matrix of 136 bytes exceeds") != std::string::npos,
                 tooLarge.message().c_str());
        // 136-byte experts (8 mod 16): bindings start on multiples of lcm(16, 34) = 272, so expert 1's binding
        // starts 136 bytes early and needs 272 bytes.
        const ops::WeightView three{{nullptr, 0, VK_WHOLE_SIZE}, GgmlType::Q8_0, 6, 64};
        const auto leadTooLarge = ops::detail::planExpertChunks(three, 3, 136, 16);
        QVERIFY(!leadTooLarge);
        QVERIFY2(leadTooLarge.message().find("bytes of alignment exceeds") != std::string::npos,
                 leadTooLarge.message().c_str());
        QVERIFY(ops::detail::planExpertChunks(three, 3, 272, 16));
        QVERIFY(!ops::matVecExperts(m_gpu->kernels(), m_gpu->stream(), view, 3, vk::wholeBuffer(di), 2, 1,
                                    vk::wholeBuffer(dx), vk::wholeBuffer(dy)).isOk());
        const ops::WeightView unsupported{vk::wholeBuffer(dw), GgmlType::IQ4_NL, 4, 64};
        QVERIFY(!ops::matVecExperts(m_gpu->kernels(), m_gpu->stream(), unsupported, 2, vk::wholeBuffer(di), 2, 1,
                                    vk::wholeBuffer(dx), vk::wholeBuffer(dy)).isOk());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    // Runs matVecExperts on random weights and inputs and checks every output against the reference: the chosen
    // expert's dequantized rows dotted with x in double, zero for ids past the last expert.
    void compareWithReference(GgmlType type, int nExperts, int rows, int cols, const std::vector<uint32_t>& ids,
                              int pairsPerX, const ops::detail::MatVecTuning& tuning)
    {
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

    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestMatVecExperts)
#include "tst_matvec_experts.moc"
