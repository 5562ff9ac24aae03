// Mixture-of-Experts routing and combination kernels against vela::ref (llama.cpp's build_moe_ffn): every
// gating mode, normalize, scale, selection bias, exact ties, 1 to 256 experts, 1 to 1000 tokens; group-limited
// routing (DeepSeek-V3's 8 groups of 32 experts, 4 kept, k 8; small and odd group shapes; a best expert in a
// losing group).
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
        QTest::addColumn<int>("nGroups");
        QTest::addColumn<int>("nGroupsUsed");
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
                        << s.nTokens << s.nExperts << s.k << gating << normalize << scale << withBias << int(kind)
                        << 0 << 0;
                }
            }
        }
        addGroupRows();
        QTest::newRow("sigmoid tiny sum clamped") << 7 << 16 << 4 << int(ops::MoeGating::Sigmoid) << true << 1.0f
                                                  << false << int(Logits::Tiny) << 0 << 0;
        QTest::newRow("sigmoid tiny sum clamped, bias") << 7 << 16 << 4 << int(ops::MoeGating::Sigmoid) << true
                                                        << 2.5f << true << int(Logits::Tiny) << 0 << 0;
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
        QFETCH(int, nGroups);
        QFETCH(int, nGroupsUsed);
        const Logits kind = Logits(logits);
        const uint32_t seed = uint32_t(nTokens * 7919 + nExperts * 131 + k * 17 + gating * 5 + normalize +
                                       withBias * 2 + nGroups * 3 + nGroupsUsed * 11);
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
        params.nGroups = nGroups;
        params.nGroupsUsed = nGroupsUsed;
        std::optional<vk::BufferRange> biasRange;
        if (withBias)
            biasRange = vk::wholeBuffer(db);
        const Status status = ops::moeRoute(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), biasRange,
                                            vk::wholeBuffer(dIds), vk::wholeBuffer(dW), params);
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<uint32_t> ids = m_gpu->download<uint32_t>(dIds, size_t(nTokens) * k);
        const std::vector<float> weights = m_gpu->download<float>(dW, size_t(nTokens) * k);
        QVERIFY2(!ids.empty() && !weights.empty(), qPrintable(m_gpu->lastError()));

        const ref::MoeRouting routing{nExperts, k, refGating(params.gating), normalize, scale, nGroups, nGroupsUsed};
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
            if (nGroups > 1)
                QVERIFY2(groupsOf(gotIds, k, nExperts / nGroups) <= nGroupsUsed, "experts of a dropped group chosen");
        }
        QCOMPARE(orderDifferences, 0);  // our order is the reference's exactly (value, then lower index)
        if (maxError > 1e-7)
            qInfo("max weight error %.3g", maxError);
        VELA_CHECK_VALIDATION(*m_gpu);
    }

    // A token whose single best expert sits in a group that loses: sigmoid(10) ≈ 1 alone in group 0 (its second
    // best ≈ 0) against two sigmoid(5) ≈ 0.993 in group 1. With one group kept the choice is experts 4 and 5;
    // ignoring the groups would choose 0 first.
    void routeGroupsDropTheBestSingleExpert()
    {
        std::vector<float> logits(16, -10.0f);
        logits[0] = 10.0f;
        logits[4] = 5.0f;
        logits[5] = 5.0f;
        logits[9] = 4.0f;  // group 2's best, still behind group 1
        vk::Buffer dx = m_gpu->upload(logits);
        vk::Buffer dIds = m_gpu->allocate(2 * 4), dW = m_gpu->allocate(2 * 4);
        QVERIFY2(dx.isValid() && dIds.isValid() && dW.isValid(), qPrintable(m_gpu->lastError()));
        ops::MoeRouteParams params;
        params.nTokens = 1;
        params.nExperts = 16;
        params.k = 2;
        params.gating = ops::MoeGating::Sigmoid;
        params.nGroups = 4;
        params.nGroupsUsed = 1;
        const Status status = ops::moeRoute(m_gpu->kernels(), m_gpu->stream(), vk::wholeBuffer(dx), std::nullopt,
                                            vk::wholeBuffer(dIds), vk::wholeBuffer(dW), params);
        QVERIFY2(status.isOk(), status.message().c_str());
        const std::vector<uint32_t> ids = m_gpu->download<uint32_t>(dIds, 2);
        const std::vector<float> weights = m_gpu->download<float>(dW, 2);
        QCOMPARE(ids.size(), size_t(2));
        QCOMPARE(ids[0], 4u);
        QCOMPARE(ids[1], 5u);
        const float sigmoid5 = 1.0f / (1.0f + std::exp(-5.0f));
        QVERIFY(std::abs(weights[0] - sigmoid5) <= 1e-6f && std::abs(weights[1] - sigmoid5) <= 1e-6f);

        // The reference agrees, and without groups both choose expert 0 first (so the row above can fail).
        uint32_t wantIds[2];
        float wantWeights[2];
        ref::moeRoute(logits.data(), nullptr, {16, 2, ref::MoeGating::Sigmoid, false, 1.0f, 4, 1}, wantIds,
                      wantWeights);
        QCOMPARE(wantIds[0], 4u);
        QCOMPARE(wantIds[1], 5u);
        ref::moeRoute(logits.data(), nullptr, {16, 2, ref::MoeGating::Sigmoid, false, 1.0f}, wantIds, wantWeights);
        QCOMPARE(wantIds[0], 0u);
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
        QVERIFY(!route(1, 513, 2));  // too many experts
        QVERIFY(!route(1, 64, 9));   // k too large
        QVERIFY(!route(100, 64, 2)); // logits larger than the buffer
        const auto grouped = [&](uint32_t nExperts, uint32_t k, uint32_t nGroups, uint32_t nGroupsUsed) {
            ops::MoeRouteParams params;
            params.nTokens = 2;
            params.nExperts = nExperts;
            params.k = k;
            params.nGroups = nGroups;
            params.nGroupsUsed = nGroupsUsed;
            return ops::moeRoute(m_gpu->kernels(), m_gpu->stream(), r, std::nullopt, r, r, params).isOk();
        };
        QVERIFY(grouped(16, 4, 4, 1));
        QVERIFY(grouped(16, 4, 4, 4));    // every group kept: allowed (no effect)
        QVERIFY(grouped(16, 4, 1, 0));    // one group: grouping off, nGroupsUsed ignored
        QVERIFY(grouped(16, 4, 0, 7));    // off
        QVERIFY(grouped(64, 8, 32, 4));   // 32 groups of 2
        QVERIFY(!grouped(16, 4, 3, 1));   // 16 experts do not split into 3 groups
        QVERIFY(!grouped(16, 4, 16, 4));  // groups of one expert (a score sums two)
        QVERIFY(!grouped(68, 4, 34, 4));  // more than 32 groups
        QVERIFY(!grouped(16, 4, 4, 0));   // no group used
        QVERIFY(!grouped(16, 4, 4, 5));   // more groups used than there are
        QVERIFY(!grouped(16, 5, 4, 1));   // k 5 > the 4 experts of one kept group
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
    // Group-limited rows: each group shape with every gating mode and a spread of flags.
    static void addGroupRows()
    {
        struct GroupShape {
            int nTokens, nExperts, k, nGroups, nGroupsUsed;
        };
        const GroupShape shapes[] = {{97, 256, 8, 8, 4},  // DeepSeek-V3 / Kimi-K2 (Kimi: 384 experts, 1 group)
                                     {5, 6, 2, 3, 1},     {33, 15, 5, 5, 2}, {17, 12, 7, 4, 3},
                                     {9, 64, 8, 32, 5},   {3, 34, 3, 17, 2}, {4, 16, 4, 4, 4}};
        for (const GroupShape& g : shapes) {
            for (int gating = 0; gating < 3; ++gating) {
                for (int flags = 0; flags < 8; flags += g.nGroups == 8 ? 1 : 3) {
                    const bool normalize = flags & 1, withBias = flags & 2, ties = flags & 4;
                    const Logits kind = ties ? Logits::Ties : Logits::Random;
                    const float scale = normalize ? 2.5f : 1.0f;
                    QTest::addRow("%dt %de k%d %d/%d groups %s%s%s%s x%g", g.nTokens, g.nExperts, g.k,
                                  g.nGroupsUsed, g.nGroups, gatingName(ops::MoeGating(gating)),
                                  normalize ? " norm" : "", withBias ? " bias" : "", ties ? " ties" : "",
                                  double(scale))
                        << g.nTokens << g.nExperts << g.k << gating << normalize << scale << withBias << int(kind)
                        << g.nGroups << g.nGroupsUsed;
                }
            }
        }
    }

    // Distinct groups among the k chosen experts.
    static int groupsOf(const uint32_t* ids, int k, int groupSize)
    {
        std::vector<uint32_t> groups(ids, ids + k);
        for (uint32_t& id : groups)
            id /= uint32_t(groupSize);
        std::sort(groups.begin(), groups.end());
        return int(std::unique(groups.begin(), groups.end()) - groups.begin());
    }

    std::unique_ptr<test::VulkanFixture> m_gpu;
};

QTEST_GUILESS_MAIN(TestMoe)
#include "tst_moe.moc"
