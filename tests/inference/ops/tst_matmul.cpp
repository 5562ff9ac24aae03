// Prompt-processing matrix × matrix (ops::matMul) for every weight type against vela::ref::matmul on the same
// bytes: token counts 1, 7, 64, 130 (one tile, partial tiles, several tiles), rows 1, 33, 257, row lengths of one
// block, several blocks and (K-quants) 256/512/2816, odd float lengths, the row-chunk split, each tile shape.
// Tolerance: |gpu − ref| ≤ tol · Σ_k |w·x| per output (tol 1e-4 for F32, 1e-3 otherwise): the kernel sums in
// another order than the reference, and that bound is what reordering f32 sums can cost.
#include "support/vulkan_fixture.h"

#include "ops/matmul.h"
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


// Tile shapes the tests force besides the automatic choice (index 0): small with a short k step, the largest
// that fits lavapipe's 32 KiB of shared memory, and the GPU choices for many and few tokens (matmul.cpp picks
// other tiles on lavapipe, so these would go untested otherwise).
const ops::detail::MatMulTile kForcedTiles[] = {
    {}, {32, 16, 16, 2, 2}, {128, 64, 32, 8, 4}, {64, 64, 32, 4, 4}, {64, 32, 32, 4, 2}, {64, 8, 32, 4, 1}};

// Worst |got − expected| / Σ_k |w·x| over all outputs; the first failing output in `failure`.
double worstRelativeError(const Matrix& w, const std::vector<float>& x, const std::vector<float>& got,
                          const std::vector<float>& expected, int tokens, int rows, int cols, double tolerance,
                          QString& failure)
{
    double worst = 0;
    for (int t = 0; t < tokens; ++t) {
        for (int r = 0; r < rows; ++r) {
            double magnitude = 0;
            for (int k = 0; k < cols; ++k)
                magnitude += std::fabs(double(w.dequant[size_t(r) * cols + k]) * x[size_t(t) * cols + k]);
            const size_t i = size_t(t) * rows + r;
            const double error = std::fabs(double(got[i]) - expected[i]) / std::max(magnitude, 1e-30);
            worst = std::max(worst, std::isnan(error) ? INFINITY : error);
            if (!(error <= tolerance) && failure.isEmpty())
                failure = QStringLiteral("y[%1][%2] = %3, reference %4 (relative error %5)")
                              .arg(t).arg(r).arg(got[i]).arg(expected[i]).arg(error);
        }
    }
    return worst;
}

}  // namespace

class TestMatMul : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void matMul_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<qulonglong>("maxBindingBytes");  // 0: the device limit
        QTest::addColumn<int>("tile");                    // index into kForcedTiles; 0: matMul's choice
        for (GgmlType type : supportedWeightTypes()) {
            const int block = int(ggmlTypeInfo(type).blockSize);
            const bool isFloat = block == 1, isK = block == 256;
            // One block, several blocks, a long row. Float rows: 37 has no 4- or 8-float alignment, 200 ends
            // mid-tile, 264 is 8-aligned.
            const int oneBlock = isFloat ? 1 : block, several = isFloat ? 200 : isK ? 512 : 5 * block;
            const int longRow = isFloat ? 264 : isK ? 2816 : 1024;
            const QString name(ggmlTypeName(type).data());
            auto row = [&](int tokens, int rows, int cols, qulonglong maxBinding = 0, int tile = 0) {
                QString what = QStringLiteral("%1 %2 tokens x %3x%4").arg(name).arg(tokens).arg(rows).arg(cols);
                if (maxBinding)
                    what += QStringLiteral(" chunks of %1 bytes").arg(maxBinding);
                if (tile)
                    what += QStringLiteral(" tile %1").arg(tile);
                QTest::newRow(qPrintable(what)) << type << tokens << rows << cols << maxBinding << tile;
            };
            // Every token count and row count, not every pair: each adds partial tiles on its own side.
            row(1, 33, several);
            row(7, 257, several);
            row(64, 1, several);
            row(64, 257, several);
            row(130, 33, several);
            row(130, 257, several);
            row(7, 1, oneBlock);
            row(130, 33, oneBlock);
            row(64, 257, longRow);
            if (isK)
                row(7, 33, 256);
            if (isFloat) {
                row(7, 33, 37);
                row(130, 257, 37);
            }
            // Row chunks: a few rows per binding, rounded to the 16-byte offset alignment.
            row(64, 257, several, 10 * *ggmlRowBytes(type, several) + 5);
            row(130, 257, several, 0, 1);
            row(130, 257, several, 0, 2);
            if (type == GgmlType::F16 || type == GgmlType::Q4_0 || type == GgmlType::Q4_K || type == GgmlType::Q6_K) {
                row(130, 257, several, 0, 3);
                row(20, 257, several, 0, 4);
                row(7, 257, several, 0, 5);
            }
        }
        row2("F32 odd length, chunks", GgmlType::F32, 64, 257, 37, 1000, 0);
        row2("Q4_K long rows, chunks, big tile", GgmlType::Q4_K, 64, 257, 2816, 20 * 1584, 2);
        row2("Q6_K chunks, small tile", GgmlType::Q6_K, 7, 257, 512, 3000, 1);
    }

    void matMul()
    {
        QFETCH(GgmlType, type);
        QFETCH(int, tokens);
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(qulonglong, maxBindingBytes);
        QFETCH(int, tile);
        const uint32_t seed = uint32_t(rows * 7919 + cols * 31 + tokens);
        const Matrix w = randomMatrix(type, rows, cols, seed);
        const std::vector<float> x = randomVector(size_t(tokens) * cols, seed + 1);
        std::vector<float> expected(size_t(tokens) * rows);
        ref::matmul(type, w.bytes.data(), rows, cols, x.data(), tokens, expected.data());

        // Padded to whole words: the fixture copies at least 4 bytes, and one F16 weight is 2.
        std::vector<uint8_t> padded = w.bytes;
        padded.resize((padded.size() + 3) / 4 * 4);
        vk::Buffer dw = m_gpu->upload(padded), dx = m_gpu->upload(x);
        vk::Buffer dy = m_gpu->allocate(expected.size() * sizeof(float));
        QVERIFY2(dw.isValid() && dx.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        const ops::WeightView view{vk::wholeBuffer(dw), type, uint32_t(rows), uint32_t(cols)};
        ops::detail::MatMulTuning tuning;
        tuning.maxBindingBytes = maxBindingBytes;
        tuning.tile = kForcedTiles[tile];
        const Status s = ops::detail::matMulTuned(m_gpu->kernels(), m_gpu->stream(), view, vk::wholeBuffer(dx),
                                                  vk::wholeBuffer(dy), uint32_t(tokens), tuning);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dy, expected.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));

        const double tolerance = type == GgmlType::F32 ? 1e-4 : 1e-3;
        QString failure;
        const double worst = worstRelativeError(w, x, got, expected, tokens, rows, cols, tolerance, failure);
        qInfo("worst relative error %.2e", worst);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // Misuse fails with a message instead of binding past a buffer or a device limit.
    void rejectsBadArguments()
    {
        const Matrix w = randomMatrix(GgmlType::Q8_0, 2, 64, 1);
        vk::Buffer dw = m_gpu->upload(w.bytes), dx = m_gpu->allocate(3 * 64 * 4), dy = m_gpu->allocate(3 * 2 * 4);
        const ops::WeightView view{vk::wholeBuffer(dw), GgmlType::Q8_0, 2, 64};
        auto run = [&](const ops::WeightView& v, uint32_t tokens, const ops::detail::MatMulTuning& tuning) {
            return ops::detail::matMulTuned(m_gpu->kernels(), m_gpu->stream(), v, vk::wholeBuffer(dx),
                                            vk::wholeBuffer(dy), tokens, tuning);
        };
        QVERIFY(!run({vk::wholeBuffer(dw), GgmlType::IQ4_NL, 2, 64}, 3, {}).isOk());  // no kernel
        QVERIFY(!run(view, 0, {}).isOk());                                            // no tokens
        QVERIFY(!run(view, 4, {}).isOk());                                            // x, y too small
        QVERIFY(!run({vk::wholeBuffer(dw), GgmlType::Q8_0, 3, 64}, 3, {}).isOk());   // W too small
        ops::detail::MatMulTuning tiny;
        tiny.maxBindingBytes = 32;  // not even one row fits a binding
        QVERIFY(!run(view, 3, tiny).isOk());
        ops::detail::MatMulTuning huge;
        huge.tile = {256, 256, 32, 4, 4};  // 4096 threads, 74 KiB of shared memory
        QVERIFY(!run(view, 3, huge).isOk());
        QVERIFY(run(view, 3, {}).isOk());
        QVERIFY(m_gpu->run());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // Speed of a prompt-sized product (512 tokens × 1024×1024), from the stream's timestamp queries. Checks a
    // sample of outputs so a fast wrong kernel cannot pass.
    void benchmark_data()
    {
        QTest::addColumn<GgmlType>("type");
        QTest::newRow("F16") << GgmlType::F16;
        QTest::newRow("Q4_K") << GgmlType::Q4_K;
    }
    void benchmark()
    {
        QFETCH(GgmlType, type);
        constexpr int kTokens = 512, kRows = 1024, kCols = 1024, kRuns = 3;
        const Matrix w = randomMatrix(type, kRows, kCols, 5);
        const std::vector<float> x = randomVector(size_t(kTokens) * kCols, 6);
        vk::Buffer dw = m_gpu->upload(w.bytes), dx = m_gpu->upload(x);
        vk::Buffer dy = m_gpu->allocate(size_t(kTokens) * kRows * sizeof(float));
        QVERIFY2(dw.isValid() && dx.isValid() && dy.isValid(), qPrintable(m_gpu->lastError()));
        Result<vk::CommandStream> profiled = vk::CommandStream::create(m_gpu->context(), true);
        QVERIFY2(profiled, profiled.message().c_str());
        const ops::WeightView view{vk::wholeBuffer(dw), type, kRows, kCols};
        const std::string name = "matmul_" + QString(ggmlTypeName(type).data()).toLower().toStdString();
        double best = INFINITY;
        for (int i = 0; i < kRuns; ++i) {
            profiled->resetTimings();
            QVERIFY(ops::matMul(m_gpu->kernels(), *profiled, view, vk::wholeBuffer(dx), vk::wholeBuffer(dy), kTokens)
                        .isOk());
            const Status s = profiled->submitAndWait();
            QVERIFY2(s.isOk(), s.message().c_str());
            const auto it = profiled->timings().find(name);
            QVERIFY2(it != profiled->timings().end(), "no timing for the matmul pipeline");
            best = std::min(best, it->second.milliseconds);
        }
        const double gflops = 2.0 * kTokens * kRows * kCols / (best * 1e6);
        qInfo("%s %d tokens x %dx%d: %.2f ms, %.2f GFLOP/s on %s", ggmlTypeName(type).data(), kTokens, kRows, kCols,
              best, gflops, m_gpu->context().description().name.c_str());

        const std::vector<float> got = m_gpu->download<float>(dy, size_t(kTokens) * kRows);
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        std::mt19937 rng(7);
        for (int sample = 0; sample < 64; ++sample) {
            const int t = int(rng() % kTokens), r = int(rng() % kRows);
            double sum = 0, magnitude = 0;
            for (int k = 0; k < kCols; ++k) {
                sum += double(w.dequant[size_t(r) * kCols + k]) * x[size_t(t) * kCols + k];
                magnitude += std::fabs(double(w.dequant[size_t(r) * kCols + k]) * x[size_t(t) * kCols + k]);
            }
            const float value = got[size_t(t) * kRows + r];
            if (!(std::fabs(value - sum) <= 1e-3 * magnitude))
                QFAIL(qPrintable(QStringLiteral("y[%1][%2] = %3, expected %4").arg(t).arg(r).arg(value).arg(sum)));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    static void row2(const char* name, GgmlType type, int tokens, int rows, int cols, qulonglong maxBinding, int tile)
    {
        QTest::newRow(name) << type << tokens << rows << cols << maxBinding << tile;
    }

    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestMatMul)
#include "tst_matmul.moc"
