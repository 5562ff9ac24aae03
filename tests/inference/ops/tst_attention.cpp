// Flash attention kernel against vela::ref::attention (with K and V rounded to f16 on the CPU side too):
// decoding and prompts, first position 0 and later, GQA ratios 1/2/4/8 and MQA, head sizes 4 … 576, sliding
// windows smaller than, equal to and larger than the context, logit soft-capping, both together.
// Tolerance: 1e-4 absolute on outputs of size ~1 (f32 sums over ≤ 2048 keys; K/V are identical f16 values).
#include "support/vulkan_fixture.h"

#include "ops/attention.h"
#include "ref/attention.h"
#include "vela/half.h"

#include <QtTest>

#include <algorithm>
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
        QTest::addColumn<int>("window");        // 0: no sliding window
        QTest::addColumn<float>("softCap");     // 0: no soft-capping
        QTest::addColumn<float>("scale");       // 0: 1/sqrt(headDim)
        //                                         tokens first heads kv   dim  causal
        QTest::newRow("decode first token d64") << 1 << 0 << 4 << 4 << 64 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("decode nKv 100 MHA d64") << 1 << 99 << 4 << 4 << 64 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("decode nKv 600 GQA2 d128") << 1 << 599 << 8 << 4 << 128 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("decode nKv 301 GQA4 d80") << 1 << 300 << 8 << 2 << 80 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("decode nKv 2048 GQA8 d128") << 1 << 2047 << 8 << 1 << 128 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("decode nKv 38 MQA d8") << 1 << 37 << 6 << 1 << 8 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 77 at 0 GQA4 d64") << 77 << 0 << 8 << 2 << 64 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 13 at 50 GQA2 d80") << 13 << 50 << 6 << 3 << 80 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 33 at 500 GQA8 d128") << 33 << 500 << 8 << 1 << 128 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 77 at 523 MHA d96") << 77 << 523 << 3 << 3 << 96 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 2 at 0 MQA d48") << 2 << 0 << 5 << 1 << 48 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 9 at 3 d4") << 9 << 3 << 2 << 2 << 4 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 5 at 10 d5 (odd)") << 5 << 10 << 4 << 2 << 5 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 3 at 10 d256") << 3 << 10 << 2 << 1 << 256 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("prompt 20 at 40 d256 GQA4") << 20 << 40 << 4 << 1 << 256 << true << 0 << 0 << 0.f << 0.f;
        // DeepSeek-V2 latent attention: all heads over one latent KV head, 64 + 32 (fixture) and 512 + 64 (real).
        QTest::newRow("mla prompt 7 at 3 MQA d96") << 7 << 3 << 4 << 1 << 96 << true << 0 << 0 << 0.f << 0.125f;
        QTest::newRow("mla decode nKv 70 MQA16 d576") << 1 << 69 << 16 << 1 << 576 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("mla prompt 5 at 2 MQA16 d576") << 5 << 2 << 16 << 1 << 576 << true << 0 << 0 << 0.f << 0.f;
        QTest::newRow("non-causal 5 tokens over 40 keys d48")
            << 5 << 0 << 4 << 2 << 48 << false << 40 << 0 << 0.f << 0.f;

        // Sliding window (llama.cpp LLAMA_SWA_TYPE_STANDARD: position p sees keys p − window + 1 … p).
        //                                               tokens first heads kv dim causal  window
        QTest::newRow("window 1 decode at 20 d64") << 1 << 20 << 4 << 4 << 64 << true << 0 << 1 << 0.f << 0.f;
        QTest::newRow("window 8 decode nKv 100 GQA4 d80") << 1 << 99 << 8 << 2 << 80 << true << 0 << 8 << 0.f << 0.f;
        QTest::newRow("window 4096 > context decode nKv 600 GQA2 d128")
            << 1 << 599 << 8 << 4 << 128 << true << 0 << 4096 << 0.f << 0.f;
        QTest::newRow("window 63 = context prompt 13 at 50 d80")
            << 13 << 50 << 6 << 3 << 80 << true << 0 << 63 << 0.f << 0.f;
        QTest::newRow("window 62 = context-1 prompt 13 at 50 d80")
            << 13 << 50 << 6 << 3 << 80 << true << 0 << 62 << 0.f << 0.f;
        QTest::newRow("window 16 prompt 77 at 0 GQA4 d64") << 77 << 0 << 8 << 2 << 64 << true << 0 << 16 << 0.f << 0.f;
        QTest::newRow("window 40 prompt 33 at 500 GQA8 d128")
            << 33 << 500 << 8 << 1 << 128 << true << 0 << 40 << 0.f << 0.f;
        QTest::newRow("window 3 prompt 5 at 10 d5 (odd)") << 5 << 10 << 4 << 2 << 5 << true << 0 << 3 << 0.f << 0.f;
        QTest::newRow("window 100 prompt 300 at 0 GQA2 d48")
            << 300 << 0 << 4 << 2 << 48 << true << 0 << 100 << 0.f << 0.f;
        QTest::newRow("window 37 decode nKv 2048 MQA d128")
            << 1 << 2047 << 4 << 1 << 128 << true << 0 << 37 << 0.f << 0.f;
        QTest::newRow("window 7 non-causal 5 tokens at 20 over 40 keys d48")
            << 5 << 20 << 4 << 2 << 48 << false << 40 << 7 << 0.f << 0.f;

        // Soft-capping: scores large enough for tanh to bend them.
        //                                               tokens first heads kv dim causal  window softCap scale
        QTest::newRow("softcap 50 scale 1 decode nKv 301 GQA4 d64")
            << 1 << 300 << 8 << 2 << 64 << true << 0 << 0 << 50.f << 1.f;
        QTest::newRow("softcap 2 prompt 20 at 40 d256 GQA4") << 20 << 40 << 4 << 1 << 256 << true << 0 << 0 << 2.f << 0.f;
        QTest::newRow("softcap 30 scale 1 prompt 33 at 0 MQA d128")
            << 33 << 0 << 6 << 1 << 128 << true << 0 << 0 << 30.f << 1.f;
        QTest::newRow("softcap 1 prompt 9 at 3 d5 (odd)") << 9 << 3 << 2 << 2 << 5 << true << 0 << 0 << 1.f << 0.f;
        QTest::newRow("softcap 0.5 non-causal 5 tokens over 40 keys d48")
            << 5 << 0 << 4 << 2 << 48 << false << 40 << 0 << 0.5f << 0.f;

        // Both (Gemma 2 local layers).
        QTest::newRow("window 32 softcap 50 scale 1 prompt 40 at 100 GQA4 d256")
            << 40 << 100 << 8 << 2 << 256 << true << 0 << 32 << 50.f << 1.f;
        QTest::newRow("window 2 softcap 3 decode nKv 38 MQA d8") << 1 << 37 << 6 << 1 << 8 << true << 0 << 2 << 3.f << 0.f;
        QTest::newRow("window 9 softcap 1 non-causal 7 tokens at 30 over 33 keys d33")
            << 7 << 30 << 4 << 4 << 33 << false << 33 << 9 << 1.f << 0.f;
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
        QFETCH(int, window);
        QFETCH(float, softCap);
        QFETCH(float, scale);
        const int nKv = causal ? firstPosition + nTokens : nKvNonCausal;
        const int nCtx = nKv + 5;  // rows past nKv hold NaN: reading one would poison the result
        // Keys before the window of the first token hold NaN too: the kernel must skip them, not mask them
        // (a masked key still multiplies its value by weight 0, and 0 · NaN = NaN).
        const int firstSeenKey = window > 0 ? std::max(0, firstPosition - window + 1) : 0;
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
            if (i < size_t(firstSeenKey) * kvRow)
                kCache[i] = vCache[i] = fp32ToFp16(std::numeric_limits<float>::quiet_NaN());
        }
        std::vector<int32_t> qPositions(nTokens);
        for (int t = 0; t < nTokens; ++t)
            qPositions[t] = firstPosition + t;
        ref::AttentionConfig config;
        config.nHead = nHead;
        config.nHeadKv = nKvHead;
        config.headDimK = headDim;
        config.headDimV = headDim;
        config.scale = scale > 0 ? scale : 1.0f / std::sqrt(float(headDim));
        config.causal = causal;
        std::vector<float> plain(q.size());  // without window and soft-cap
        ref::attention(q.data(), k.data(), v.data(), nTokens, nKv, qPositions.data(), nullptr, nullptr, config,
                       plain.data());
        config.slidingWindow = window;
        config.softcap = softCap;
        std::vector<float> want(q.size());
        ref::attention(q.data(), k.data(), v.data(), nTokens, nKv, qPositions.data(), nullptr, nullptr, config,
                       want.data());
        // The row must test what it claims: a window shorter than the last position, or a cap, changes the
        // result; a window covering every position leaves it as it is.
        double featureEffect = 0;
        for (size_t i = 0; i < q.size(); ++i)
            featureEffect = std::max(featureEffect, double(std::abs(want[i] - plain[i])));
        const bool windowBites = window > 0 && firstPosition + nTokens - 1 >= window;
        if (windowBites || softCap > 0)
            QVERIFY2(featureEffect > 1e-3, qPrintable(QString("window/soft-cap changes the output by only %1")
                                                          .arg(featureEffect)));
        else
            QCOMPARE(featureEffect, 0.0);

        vk::Buffer dq = m_gpu->upload(q), dk = m_gpu->upload(kCache), dv = m_gpu->upload(vCache);
        vk::Buffer dout = m_gpu->allocate(q.size() * 4);
        QVERIFY2(dq.isValid() && dk.isValid() && dv.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        ops::AttentionParams params;
        params.nTokens = nTokens;
        params.nKv = nKv;
        params.firstPosition = firstPosition;
        params.nHead = nHead;
        params.nKvHead = nKvHead;
        params.headDim = headDim;
        params.scale = config.scale;
        params.causal = causal;
        params.window = uint32_t(window);
        params.softCap = softCap;
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
        qInfo("max absolute error %.3g (window/soft-cap effect %.3g)", maxError, featureEffect);
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
        params.headDim = 577;
        QVERIFY(!ops::attention(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                                vk::wholeBuffer(b), vk::wholeBuffer(b), params).isOk());
    }

    void rejectsBadSoftCap()
    {
        vk::Buffer b = m_gpu->allocate(1024);
        ops::AttentionParams params;
        params.nTokens = 1;
        params.nKv = 1;
        params.nHead = 2;
        params.nKvHead = 2;
        params.headDim = 8;
        for (float softCap : {-1.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
            params.softCap = softCap;
            QVERIFY2(!ops::attention(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(b), vk::wholeBuffer(b),
                                     vk::wholeBuffer(b), vk::wholeBuffer(b), params).isOk(),
                     qPrintable(QString::number(softCap)));
        }
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestAttention)
#include "tst_attention.moc"
