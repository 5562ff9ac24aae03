// Flash attention kernel against vela::ref::attention (with K and V rounded to f16 on the CPU side too):
// decoding and prompts, first position 0 and later, GQA ratios 1/2/4/8 and MQA, head sizes 4 … 256.
#include "support/vulkan_fixture.h"

#include "ops/attention.h"
#include "ref/attention.h"
#include "vela/half.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace vela;

class TestAttention : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void attention_data()
    {
        QTest::addColumn<int>("nTokens");
        QTest::addColumn<int>("firstPosition");
        QTest::addColumn<int>("nHead");
        QTest::addColumn<int>("nKvHead");
        QTest::addColumn<int>("headDim");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<int>("nKvNonCausal");  // keys visible when not causal
        //                                         tokens first heads kv   dim  causal
        QTest::newRow("decode first token d64") << 1 << 0 << 4 << 4 << 64 << true << 0;
        QTest::newRow("decode nKv 100 MHA d64") << 1 << 99 << 4 << 4 << 64 << true << 0;
        QTest::newRow("decode nKv 600 GQA2 d128") << 1 << 599 << 8 << 4 << 128 << true << 0;
        QTest::newRow("decode nKv 301 GQA4 d80") << 1 << 300 << 8 << 2 << 80 << true << 0;
        QTest::newRow("decode nKv 2048 GQA8 d128") << 1 << 2047 << 8 << 1 << 128 << true << 0;
        QTest::newRow("decode nKv 38 MQA d8") << 1 << 37 << 6 << 1 << 8 << true << 0;
        QTest::newRow("prompt 77 at 0 GQA4 d64") << 77 << 0 << 8 << 2 << 64 << true << 0;
        QTest::newRow("prompt 13 at 50 GQA2 d80") << 13 << 50 << 6 << 3 << 80 << true << 0;
        QTest::newRow("prompt 33 at 500 GQA8 d128") << 33 << 500 << 8 << 1 << 128 << true << 0;
        QTest::newRow("prompt 77 at 523 MHA d96") << 77 << 523 << 3 << 3 << 96 << true << 0;
        QTest::newRow("prompt 2 at 0 MQA d48") << 2 << 0 << 5 << 1 << 48 << true << 0;
        QTest::newRow("prompt 9 at 3 d4") << 9 << 3 << 2 << 2 << 4 << true << 0;
        QTest::newRow("prompt 5 at 10 d5 (odd)") << 5 << 10 << 4 << 2 << 5 << true << 0;
        QTest::newRow("prompt 3 at 10 d256") << 3 << 10 << 2 << 1 << 256 << true << 0;
        QTest::newRow("prompt 20 at 40 d256 GQA4") << 20 << 40 << 4 << 1 << 256 << true << 0;
        QTest::newRow("non-causal 5 tokens over 40 keys d48") << 5 << 0 << 4 << 2 << 48 << false << 40;
    }
    void attention()
    {
        QFETCH(int, nTokens);
        QFETCH(int, firstPosition);
        QFETCH(int, nHead);
        QFETCH(int, nKvHead);
        QFETCH(int, headDim);
        QFETCH(bool, causal);
        QFETCH(int, nKvNonCausal);
        const int nKv = causal ? firstPosition + nTokens : nKvNonCausal;
        const int nCtx = nKv + 5;  // rows past nKv hold NaN: reading one would poison the result
        std::mt19937 rng(nTokens * 7919 + firstPosition * 31 + nHead * 7 + headDim);
        std::normal_distribution<float> dist;

        std::vector<float> q(size_t(nTokens) * nHead * headDim);  // (nTokens, nHead, headDim)
        for (float& v : q)
            v = dist(rng);
        const size_t kvRow = size_t(nKvHead) * headDim;
        std::vector<uint16_t> kCache(nCtx * kvRow, fp32ToFp16(std::numeric_limits<float>::quiet_NaN()));
        std::vector<uint16_t> vCache(kCache);                    // (nCtx, nKvHead, headDim) f16
        std::vector<float> k(nKv * kvRow), v(nKv * kvRow);       // (nKv, nKvHead, headDim), f16-rounded
        for (size_t i = 0; i < k.size(); ++i) {
            kCache[i] = fp32ToFp16(dist(rng) * 1.5f);
            vCache[i] = fp32ToFp16(dist(rng));
            k[i] = fp16ToFp32(kCache[i]);
            v[i] = fp16ToFp32(vCache[i]);
        }
        std::vector<int32_t> qPositions(nTokens);
        for (int t = 0; t < nTokens; ++t)
            qPositions[t] = firstPosition + t;
        ref::AttentionConfig config;
        config.nHead = nHead;
        config.nHeadKv = nKvHead;
        config.headDimK = headDim;
        config.headDimV = headDim;
        config.scale = 1.0f / std::sqrt(float(headDim));
        config.causal = causal;
        std::vector<float> want(q.size());
        ref::attention(q.data(), k.data(), v.data(), nTokens, nKv, qPositions.data(), nullptr, nullptr, config,
                       want.data());

        vk::Buffer dq = m_gpu->upload(q), dk = m_gpu->upload(kCache), dv = m_gpu->upload(vCache);
        vk::Buffer dout = m_gpu->allocate(q.size() * 4);
        QVERIFY2(dq.isValid() && dk.isValid() && dv.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        ops::AttentionParams params;
        params.nTokens = nTokens;
        params.nKv = nKv;
        params.firstPosition = causal ? firstPosition : 0;
        params.nHead = nHead;
        params.nKvHead = nKvHead;
        params.headDim = headDim;
        params.scale = config.scale;
        params.causal = causal;
        const Status status = ops::attention(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dq),
                                             vk::wholeBuffer(dk), vk::wholeBuffer(dv), vk::wholeBuffer(dout), params);
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dout, q.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        double maxError = 0;
        for (size_t i = 0; i < q.size(); ++i) {
            const double error = std::abs(got[i] - want[i]);
            maxError = std::max(maxError, error);
            if (!(error <= 1e-4))
                QFAIL(qPrintable(QStringLiteral("token %1 head %2 dim %3: %4, want %5")
                                     .arg(i / (size_t(nHead) * headDim)).arg(i / headDim % nHead).arg(i % headDim)
                                     .arg(got[i]).arg(want[i])));
        }
        qInfo("max absolute error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void rejectsHeadsThatDoNotGroup()
    {
        vk::Buffer b = m_gpu->allocate(1024);
        ops::AttentionParams params;
        params.nTokens = 1;
        params.nKv = 1;
        params.nHead = 6;
        params.nKvHead = 4;
        params.headDim = 8;
        QVERIFY(!ops::attention(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                                vk::wholeBuffer(b), vk::wholeBuffer(b), params).isOk());
        params.nKvHead = 2;
        params.headDim = 300;
        QVERIFY(!ops::attention(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                                vk::wholeBuffer(b), vk::wholeBuffer(b), params).isOk());
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestAttention)
#include "tst_attention.moc"
