// RoPE kernel against vela::ref::applyRope: normal and NeoX pairing, partial rotation, frequency factors,
// linear scaling and YaRN, at short and long positions.
#include "support/vulkan_fixture.h"

#include "ops/rope.h"
#include "ref/rope.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace vela;

Q_DECLARE_METATYPE(std::vector<int32_t>)

class TestRope : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void rope_data()
    {
        QTest::addColumn<int>("nHeads");
        QTest::addColumn<int>("headDim");
        QTest::addColumn<int>("nRot");
        QTest::addColumn<bool>("neox");
        QTest::addColumn<float>("freqBase");
        QTest::addColumn<float>("freqScale");
        QTest::addColumn<float>("extFactor");
        QTest::addColumn<float>("attnFactor");
        QTest::addColumn<bool>("factors");
        QTest::addColumn<std::vector<int32_t>>("positions");
        const std::vector<int32_t> shortPositions{0, 1, 2, 7, 100};
        const std::vector<int32_t> longPositions{0, 1, 4095, 4096, 17, 32767, 2048, 12345};
        QTest::newRow("normal d64") << 4 << 64 << 64 << false << 10000.0f << 1.0f << 0.0f << 1.0f << false
                                    << shortPositions;
        QTest::newRow("normal d128 long positions") << 3 << 128 << 128 << false << 10000.0f << 1.0f << 0.0f << 1.0f
                                                    << false << longPositions;
        QTest::newRow("neox d80 one token") << 5 << 80 << 80 << true << 1000000.0f << 1.0f << 0.0f << 1.0f << false
                                            << std::vector<int32_t>{4095};
        QTest::newRow("neox partial 32 of 80") << 2 << 80 << 32 << true << 10000.0f << 1.0f << 0.0f << 1.0f << false
                                               << longPositions;
        QTest::newRow("normal partial 6 of 8") << 7 << 8 << 6 << false << 10000.0f << 1.0f << 0.0f << 1.0f << false
                                               << shortPositions;
        QTest::newRow("llama3 freq factors d128") << 8 << 128 << 128 << false << 500000.0f << 1.0f << 0.0f << 1.0f
                                                  << true << longPositions;
        QTest::newRow("linear scaling 1/4") << 3 << 96 << 96 << false << 10000.0f << 0.25f << 0.0f << 1.0f << false
                                            << longPositions;
        QTest::newRow("yarn x4 normal") << 4 << 128 << 128 << false << 10000.0f << 0.25f << 1.0f << 1.0f << false
                                        << longPositions;
        QTest::newRow("yarn x8 neox partial, attn factor") << 3 << 96 << 64 << true << 1000000.0f << 0.125f << 1.0f
                                                            << 0.9f << false << longPositions;
    }
    void rope()
    {
        QFETCH(int, nHeads);
        QFETCH(int, headDim);
        QFETCH(int, nRot);
        QFETCH(bool, neox);
        QFETCH(float, freqBase);
        QFETCH(float, freqScale);
        QFETCH(float, extFactor);
        QFETCH(float, attnFactor);
        QFETCH(bool, factors);
        QFETCH(std::vector<int32_t>, positions);
        const int nTokens = static_cast<int>(positions.size());
        std::mt19937 rng(nHeads * 1000 + headDim + nRot);
        std::normal_distribution<float> dist;
        std::vector<float> x(size_t(nTokens) * nHeads * headDim);  // (nTokens, nHeads, headDim)
        for (float& v : x)
            v = dist(rng);
        std::vector<float> freqFactors(nRot / 2);  // Llama 3 style: 1 for high, up to 8 for low frequencies
        for (size_t i = 0; i < freqFactors.size(); ++i)
            freqFactors[i] = 1.0f + 7.0f * float(i) / float(freqFactors.size());

        ops::RopeParams params;
        params.nTokens = nTokens;
        params.nHeads = nHeads;
        params.headDim = headDim;
        params.nRot = nRot;
        params.neox = neox;
        params.freqBase = freqBase;
        params.freqScale = freqScale;
        params.extFactor = extFactor;
        params.attnFactor = attnFactor;
        params.betaFast = 32.0f;
        params.betaSlow = 1.0f;
        params.nCtxOrig = 4096;
        ref::RopeConfig config;
        config.nRot = nRot;
        config.mode = neox ? ref::RopeMode::Neox : ref::RopeMode::Normal;
        config.freqBase = freqBase;
        config.freqScale = freqScale;
        config.extFactor = extFactor;
        config.attnFactor = attnFactor;
        config.betaFast = params.betaFast;
        config.betaSlow = params.betaSlow;
        config.nCtxOrig = static_cast<int>(params.nCtxOrig);
        config.freqFactors = factors ? freqFactors.data() : nullptr;
        std::vector<float> want = x;
        ref::applyRope(want.data(), nTokens, nHeads, headDim, positions.data(), config);

        vk::Buffer dx = m_gpu->upload(x), dpos = m_gpu->upload(positions), dfactors = m_gpu->upload(freqFactors);
        QVERIFY2(dx.isValid() && dpos.isValid() && dfactors.isValid(), qPrintable(m_gpu->lastError()));
        const std::optional<vk::BufferRange> factorRange =
            factors ? std::optional(vk::wholeBuffer(dfactors)) : std::nullopt;
        QVERIFY(ops::rope(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), vk::wholeBuffer(dpos), factorRange,
                          params).isOk());
        const std::vector<float> got = m_gpu->download<float>(dx, x.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        // The shader builds the angles as the CPU does, so what differs is sin/cos rounding (a few ulp) times |x|,
        // plus the angle's own rounding where a division is involved (frequency factors, the YaRN ramp): Vulkan
        // lets a GPU divide within 2.5 ulp (NVIDIA does; lavapipe rounds exactly), and an angle is at most the
        // position, so it may move by 3 ulp of the position, times the rotated pair's size.
        double maxError = 0;
        const bool divides = factors || extFactor != 0.0f;
        for (size_t i = 0; i < x.size(); ++i) {
            const double error = std::abs(got[i] - want[i]);
            maxError = std::max(maxError, error);
            const size_t dim = i % headDim;
            if (int(dim) >= nRot && got[i] != x[i])
                QFAIL(qPrintable(QStringLiteral("pass-through dimension %1 changed").arg(dim)));
            if (int(dim) >= nRot)
                continue;
            const int half = nRot / 2;
            const size_t partner = i - dim + (neox ? (int(dim) < half ? dim + half : dim - half) : dim ^ 1);
            const float position = float(positions[i / (size_t(nHeads) * headDim)]);
            const double angleUlp = std::nextafter(position, INFINITY) - position;
            const double tolerance =
                2e-5 + (divides ? 3 * angleUlp * attnFactor * 1.5 * (std::abs(x[i]) + std::abs(x[partner])) : 0.0);
            if (!(error <= tolerance))
                QFAIL(qPrintable(QStringLiteral("element %1 (token %2, dim %3): %4, want %5")
                                     .arg(i).arg(i / (size_t(nHeads) * headDim)).arg(dim).arg(got[i]).arg(want[i])));
        }
        qInfo("max absolute error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void rejectsOddRotation()
    {
        vk::Buffer b = m_gpu->allocate(64);
        ops::RopeParams params;
        params.nTokens = 1;
        params.nHeads = 1;
        params.headDim = 8;
        params.nRot = 5;
        QVERIFY(!ops::rope(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b), std::nullopt,
                           params).isOk());
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestRope)
#include "tst_rope.moc"
