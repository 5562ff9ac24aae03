// Mixture-of-Experts routing and combination kernels against vela::ref (llama.cpp's build_moe_ffn): every
// gating mode, normalize, scale, selection bias, exact ties, 1 to 256 experts, 1 to 1000 tokens.
#include "support/vulkan_fixture.h"

#include "ops/moe.h"
#include "ref/moe.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace vela;

namespace {

enum class Logits { Random, Ties, Tiny };

const char* gatingName(ops::MoeGating gating)
{
    switch (gating) {
    case ops::MoeGating::Softmax:
        return "softmax";
    case ops::MoeGating::Sigmoid:
        return "sigmoid";
    case ops::MoeGating::SoftmaxAfterTopK:
        return "softmax-after-topk";
    }
    return "?";
}

ref::MoeGating refGating(ops::MoeGating gating)
{
    switch (gating) {
    case ops::MoeGating::Softmax:
        return ref::MoeGating::Softmax;
    case ops::MoeGating::Sigmoid:
        return ref::MoeGating::Sigmoid;
    case ops::MoeGating::SoftmaxAfterTopK:
        return ref::MoeGating::SoftmaxAfterTopK;
    }
    return ref::MoeGating::Softmax;
}

// Ties: values on a grid of 0.5 (bias on a grid of 0.25), so equal logits and equal biased probabilities abound.
// Tiny: sigmoid probabilities near 1e-13, whose sum falls under the normalization clamp.
std::vector<float> makeValues(size_t n, Logits kind, uint32_t seed, float sigma)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::uniform_int_distribution<int> level(-3, 3);
    std::vector<float> v(n);
    for (float& x : v) {
        if (kind == Logits::Ties)
            x = sigma * 0.5f * float(level(rng));
        else
            x = dist(rng) + (kind == Logits::Tiny ? -30.0f : 0.0f);
    }
    return v;
}

}  // namespace

class TestMoe : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QString error;
        m_gpu = test::VulkanFixture::create(error);
        QVERIFY2(m_gpu, qPrintable("no Vulkan device: " + error));
    }

    void route_data()
    {
        QTest::addColumn<int>("nTokens");
        QTest::addColumn<int>("nExperts");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("gating");
        QTest::addColumn<bool>("normalize");
        QTest::addColumn<float>("scale");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<int>("logits");
        struct Shape {
            int nTokens, nExperts, k;
        };
        const Shape shapes[] = {{1, 1, 1},  {3, 4, 2},    {1, 8, 2},   {513, 60, 4}, {37, 64, 8},
                                {100, 256, 8}, {5, 8, 8}, {1000, 64, 1}, {1, 60, 4}};
        const float scales[] = {1.0f, 2.5f, 0.0f, 16.0f};
        int row = 0;
        for (const Shape& s : shapes) {
            for (int gating = 0; gating < 3; ++gating) {
                for (int flags = 0; flags < 8; ++flags) {
                    const bool normalize = flags & 1, withBias = flags & 2, ties = flags & 4;
                    const float scale = scales[row++ % 4];
                    const Logits kind = ties ? Logits::Ties : Logits::Random;
                    QTest::addRow("%dt %de k%d %s%s%s%s x%g", s.nTokens, s.nExperts, s.k,
                                  gatingName(ops::MoeGating(gating)), normalize ? " norm" : "",
                                  withBias ? " bias" : "", ties ? " ties" : "", double(scale))
                        << s.nTokens << s.nExperts << s.k << gating << normalize << scale << withBias << int(kind);
                }
            }
        }
        QTest::newRow("sigmoid tiny sum clamped") << 7 << 16 << 4 << int(ops::MoeGating::Sigmoid) << true << 1.0f
                                                  << false << int(Logits::Tiny);
        QTest::newRow("sigmoid tiny sum clamped, bias") << 7 << 16 << 4 << int(ops::MoeGating::Sigmoid) << true
                                                        << 2.5f << true << int(Logits::Tiny);
    }

    // ids must name the same experts as the reference (the order only changes the combination's summation
    // order), each with its weight within 1e-6 (relative to the scale).
    void route()
    {
        QFETCH(int, nTokens);
        QFETCH(int, nExperts);
        QFETCH(int, k);
        QFETCH(int, gating);
        QFETCH(bool, normalize);
        QFETCH(float, scale);
        QFETCH(bool, withBias);
        QFETCH(int, logits);
        const Logits kind = Logits(logits);
        const uint32_t seed =
            uint32_t(nTokens * 7919 + nExperts * 131 + k * 17 + gating * 5 + normalize + withBias * 2);
        const std::vector<float> x = makeValues(size_t(nTokens) * nExperts, kind, seed, 2.0f);
        const std::vector<float> bias = makeValues(nExperts, kind, seed + 1, kind == Logits::Ties ? 0.5f : 0.3f);

        vk::Buffer dx = m_gpu->upload(x), db = m_gpu->upload(bias);
        vk::Buffer dIds = m_gpu->allocate(size_t(nTokens) * k * 4), dW = m_gpu->allocate(size_t(nTokens) * k * 4);
        QVERIFY2(dx.isValid() && db.isValid() && dIds.isValid() && dW.isValid(), qPrintable(m_gpu->lastError()));
        ops::MoeRouteParams params;
        params.nTokens = nTokens;
        params.nExperts = nExperts;
        params.k = k;
        params.gating = ops::MoeGating(gating);
        params.normalize = normalize;
        params.scale = scale;
        std::optional<vk::BufferRange> biasRange;
        if (withBias)
            biasRange = vk::wholeBuffer(db);
        const Status status = ops::moeRoute(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), biasRange,
                                            vk::wholeBuffer(dIds), vk::wholeBuffer(dW), params);
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<uint32_t> ids = m_gpu->download<uint32_t>(dIds, size_t(nTokens) * k);
        const std::vector<float> weights = m_gpu->download<float>(dW, size_t(nTokens) * k);
        QVERIFY2(!ids.empty() && !weights.empty(), qPrintable(m_gpu->lastError()));

        ref::MoeRouting routing{nExperts, k, refGating(params.gating), normalize, scale};
        const float tolerance = 1e-6f * std::max(1.0f, std::abs(scale));
        std::vector<uint32_t> wantIds(k);
        std::vector<float> wantWeights(k);
        double maxError = 0;
        int orderDifferences = 0;
        for (int t = 0; t < nTokens; ++t) {
            ref::moeRoute(x.data() + size_t(t) * nExperts, withBias ? bias.data() : nullptr, routing, wantIds.data(),
                          wantWeights.data());
            const uint32_t* gotIds = ids.data() + size_t(t) * k;
            const float* gotWeights = weights.data() + size_t(t) * k;
            for (int j = 0; j < k; ++j) {
                orderDifferences += gotIds[j] != wantIds[j];
                const auto at = std::find(wantIds.begin(), wantIds.end(), gotIds[j]);
                if (at == wantIds.end())
                    QFAIL(qPrintable(QStringLiteral("token %1: expert %2 (slot %3) is not among the reference's")
                                         .arg(t).arg(gotIds[j]).arg(j)));
                const float want = wantWeights[at - wantIds.begin()];
                const double error = std::abs(double(gotWeights[j]) - want);
                maxError = std::max(maxError, error);
                if (!(error <= tolerance))
                    QFAIL(qPrintable(QStringLiteral("token %1 expert %2: weight %3 != %4")
                                         .arg(t).arg(gotIds[j]).arg(gotWeights[j], 0, 'g', 9).arg(want, 0, 'g', 9)));
            }
            // Experts appear once each, so equal sets of size k need only the membership test above.
            std::vector<uint32_t> sorted(gotIds, gotIds + k);
            std::sort(sorted.begin(), sorted.end());
            QVERIFY2(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(), "an expert chosen twice");
        }
        QCOMPARE(orderDifferences, 0);  // our order is the reference's exactly (value, then lower index)
        if (maxError > 1e-7)
            qInfo("max weight error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void routeRejectsBadShapes()
    {
        vk::Buffer b = m_gpu->allocate(4096 * 4);
        const vk::BufferRange r = vk::wholeBuffer(b);
        const auto route = [&](uint32_t nTokens, uint32_t nExperts, uint32_t k) {
            ops::MoeRouteParams params;
            params.nTokens = nTokens;
            params.nExperts = nExperts;
            params.k = k;
            return ops::moeRoute(m_gpu->kernels(), m_gpu->stream(), r, std::nullopt, r, r, params).isOk();
        };
        QVERIFY(route(2, 8, 2));
        QVERIFY(!route(0, 8, 2));
        QVERIFY(!route(2, 0, 1));
        QVERIFY(!route(2, 4, 5));    // k > nExperts
        QVERIFY(!route(1, 257, 2));  // too many experts
        QVERIFY(!route(1, 64, 9));   // k too large
        QVERIFY(!route(100, 64, 2)); // logits larger than the buffer
        QVERIFY(m_gpu->run());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void combine_data()
    {
        QTest::addColumn<int>("nTokens");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("nEmbd");
        QTest::addColumn<bool>("accumulate");
        QTest::newRow("1t k1 1") << 1 << 1 << 1 << false;
        QTest::newRow("1t k1 257 acc") << 1 << 1 << 257 << true;
        QTest::newRow("1t k2 5") << 1 << 2 << 5 << false;
        QTest::newRow("3t k4 1000 acc") << 3 << 4 << 1000 << true;
        QTest::newRow("7t k8 2049") << 7 << 8 << 2049 << false;
        QTest::newRow("7t k8 2049 acc") << 7 << 8 << 2049 << true;
        QTest::newRow("64t k6 897") << 64 << 6 << 897 << false;
        QTest::newRow("129t k2 4099 acc") << 129 << 2 << 4099 << true;
        QTest::newRow("1000t k1 3") << 1000 << 1 << 3 << false;
    }

    // Rounded products added in j order, then (accumulate) added to out: the same float operations as the
    // reference, so the results must be identical.
    void combine()
    {
        QFETCH(int, nTokens);
        QFETCH(int, k);
        QFETCH(int, nEmbd);
        QFETCH(bool, accumulate);
        std::mt19937 rng(nTokens * 31 + k * 7 + nEmbd);
        std::normal_distribution<float> dist(0.0f, 2.0f);
        std::uniform_real_distribution<float> weight(0.0f, 1.0f);
        std::vector<float> expertOut(size_t(nTokens) * k * nEmbd), weights(size_t(nTokens) * k),
            out(size_t(nTokens) * nEmbd);
        for (float& v : expertOut)
            v = dist(rng);
        for (float& v : weights)
            v = weight(rng);
        for (float& v : out)
            v = dist(rng);
        vk::Buffer de = m_gpu->upload(expertOut), dw = m_gpu->upload(weights), dout = m_gpu->upload(out);
        QVERIFY2(de.isValid() && dw.isValid() && dout.isValid(), qPrintable(m_gpu->lastError()));
        const Status status = ops::moeCombine(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(de),
                                              vk::wholeBuffer(dw), vk::wholeBuffer(dout), nTokens, k, nEmbd,
                                              accumulate);
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<float> got = m_gpu->download<float>(dout, out.size());
        QVERIFY2(!got.empty(), qPrintable(m_gpu->lastError()));
        for (int t = 0; t < nTokens; ++t) {
            ref::moeCombine(expertOut.data() + size_t(t) * k * nEmbd, weights.data() + size_t(t) * k,
                            out.data() + size_t(t) * nEmbd, k, nEmbd, accumulate);
        }
        for (size_t i = 0; i < out.size(); ++i) {
            if (got[i] != out[i])
                QFAIL(qPrintable(QStringLiteral("token %1 column %2: %3 != %4")
                                     .arg(i / nEmbd).arg(i % nEmbd).arg(got[i], 0, 'g', 9).arg(out[i], 0, 'g', 9)));
        }
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    void combineRejectsBadShapes()
    {
        vk::Buffer b = m_gpu->allocate(1024 * 4);
        const vk::BufferRange r = vk::wholeBuffer(b);
        const auto combine = [&](uint32_t nTokens, uint32_t k, uint32_t nEmbd) {
            return ops::moeCombine(m_gpu->kernels(), m_gpu->stream(), r, r, r, nTokens, k, nEmbd, false).isOk();
        };
        QVERIFY(combine(2, 2, 100));
        QVERIFY(!combine(0, 2, 100));
        QVERIFY(!combine(2, 0, 100));
        QVERIFY(!combine(2, 2, 0));
        QVERIFY(!combine(2, 2, 1000));       // expert outputs larger than the buffer
        QVERIFY(!combine(70000, 8, 70000));  // over 32 bits
        QVERIFY(m_gpu->run());
        VELA_CHECK_VALIDATION(*m_gpu);
    }

private:
    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestMoe)
#include "tst_moe.moc"
