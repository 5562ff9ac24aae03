// The sampler chain against hand-made distributions: which tokens each filter keeps (checked by sampling
// 10,000 times with a fixed seed), that the frequencies match the renormalised softmax at the temperature,
// the penalties' exact arithmetic, determinism per seed, invalid logits, and the stop-string matcher on
// pieces split at every position.
#include "vela/sampling.h"

#include "sampling/deterministic_math.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>
#include <numeric>
#include <set>

using namespace vela;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Deterministic pseudo-random logits, independent of the standard library (splitmix64).
class LogitSource {
public:
    explicit LogitSource(uint64_t seed) : m_state(seed) {}
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // (n_vocab) logits in [-spread, spread), in steps of 1/64 so that near-ties happen.
    std::vector<float> logits(size_t nVocab, float spread = 4.0f)
    {
        std::vector<float> out(nVocab);
        for (float& l : out)
            l = std::round((static_cast<float>(next() >> 40) / 16777216.0f * 2.0f - 1.0f) * spread * 64.0f) / 64.0f;
        return out;
    }

private:
    uint64_t m_state;
};

std::vector<float> logOf(const QList<double>& probs)
{
    std::vector<float> out;
    for (double p : probs)
        out.push_back(static_cast<float>(std::log(p)));
    return out;
}

SamplingParams filterParams(int topK, float topP, float minP, float temperature)
{
    SamplingParams p;
    p.topK = topK;
    p.topP = topP;
    p.minP = minP;
    p.temperature = temperature;
    p.seed = 1234;
    return p;
}

// Samples `n` times from the same logits; counts per id.
std::map<TokenId, int> histogram(Sampler& sampler, std::span<const float> logits, int n)
{
    std::map<TokenId, int> counts;
    for (int i = 0; i < n; ++i)
        ++counts[sampler.sample(logits)];
    return counts;
}

std::vector<TokenId> generate(Sampler& sampler, uint64_t logitSeed, int steps, size_t nVocab)
{
    LogitSource source(logitSeed);
    std::vector<TokenId> ids;
    for (int i = 0; i < steps; ++i) {
        const std::vector<float> logits = source.logits(nVocab);
        const TokenId id = sampler.sample(logits);
        sampler.accept(id);
        ids.push_back(id);
    }
    return ids;
}

// Every id seen is allowed, and each allowed id's frequency is within 4.5 standard deviations (+0.002) of
// softmax(logits / T) renormalised over the allowed set. The seed is fixed, so this never flakes.
void verifyFrequencies(const std::map<TokenId, int>& counts, int n, const std::vector<float>& logits,
                       const QList<int>& allowed, float temperature)
{
    const std::set<TokenId> allowedSet(allowed.begin(), allowed.end());
    for (const auto& [id, count] : counts)
        QVERIFY2(allowedSet.count(id), qPrintable(QStringLiteral("id %1 drawn %2 times; allowed: %3 ids")
                                                      .arg(id).arg(count).arg(allowed.size())));
    double maxLogit = -1e30;
    for (int id : allowed)
        maxLogit = std::max(maxLogit, static_cast<double>(logits[static_cast<size_t>(id)]));
    double total = 0.0;
    for (int id : allowed)
        total += std::exp((logits[static_cast<size_t>(id)] - maxLogit) / temperature);
    for (int id : allowed) {
        const double expected = std::exp((logits[static_cast<size_t>(id)] - maxLogit) / temperature) / total;
        const auto it = counts.find(id);
        const double seen = it == counts.end() ? 0.0 : static_cast<double>(it->second) / n;
        const double tolerance = 4.5 * std::sqrt(expected * (1.0 - expected) / n) + 0.002;
        QVERIFY2(std::abs(seen - expected) <= tolerance,
                 qPrintable(QStringLiteral("id %1: frequency %2, expected %3 ± %4")
                                .arg(id).arg(seen).arg(expected).arg(tolerance)));
    }
}

QList<int> range(int first, int count)
{
    QList<int> ids(count);
    std::iota(ids.begin(), ids.end(), first);
    return ids;
}

}  // namespace

class TestSampler : public QObject {
    Q_OBJECT

private slots:
    void greedy_data();
    void greedy();
    void topKOneIsGreedy();
    void filters_data();
    void filters();
    void temperature_data();
    void temperature();
    void penalties_data();
    void penalties();
    void penaltyWindowSlides();
    void sameSeedSameSequence();
    void randomSeedCanBeReplayed();
    void goldenSequence();
    void uniformDrawIsFixed();
    void expIsAccurate();
    void candidatesMatchLogits_data();
    void candidatesMatchLogits();
    void topCandidatesOrder();
    void invalidLogits_data();
    void invalidLogits();
    void invalidSettings();
    void stopStrings_data();
    void stopStrings();
    void stopStringsAfterStop();
    void fullVocabularyIsFast_data();
    void fullVocabularyIsFast();
};

void TestSampler::greedy_data()
{
    QTest::addColumn<QList<float>>("logits");
    QTest::addColumn<int>("expected");
    QTest::newRow("argmax") << QList<float>{0.5f, 2.0f, -1.0f, 1.9f} << 1;
    QTest::newRow("tie, lowest id") << QList<float>{0.5f, 3.0f, 1.0f, 3.0f} << 1;
    QTest::newRow("tie at the end") << QList<float>{0.5f, 1.0f, 3.0f, 3.0f, 3.0f} << 2;
    QTest::newRow("all negative") << QList<float>{-7.0f, -3.5f, -3.25f, -9.0f} << 2;
    QTest::newRow("one token") << QList<float>{-2.0f} << 0;
    QTest::newRow("NaN skipped") << QList<float>{kNaN, 1.0f, kNaN, 0.5f} << 1;
    QTest::newRow("-inf skipped") << QList<float>{-kInf, -50.0f, -kInf} << 1;
    QTest::newRow("+inf wins") << QList<float>{1.0f, kInf, 2.0f, kInf} << 1;
    QTest::newRow("all NaN: kNoToken") << QList<float>{kNaN, kNaN} << int(kNoToken);
    QTest::newRow("empty: kNoToken") << QList<float>{} << int(kNoToken);
}

void TestSampler::greedy()
{
    QFETCH(QList<float>, logits);
    QFETCH(int, expected);
    for (float temperature : {0.0f, -1.0f}) {
        Sampler sampler(filterParams(40, 0.95f, 0.05f, temperature));
        QCOMPARE(sampler.sample(std::span<const float>(logits)), expected);
        // The candidate path in reverse order: the order of the list must not matter for greedy.
        std::vector<TokenCandidate> candidates;
        for (qsizetype i = logits.size() - 1; i >= 0; --i)
            candidates.push_back({static_cast<TokenId>(i), logits[i]});
        QCOMPARE(sampler.sample(std::span<const TokenCandidate>(candidates)), expected);
    }
}

// top-k = 1 at any temperature is greedy, penalties included, step for step.
void TestSampler::topKOneIsGreedy()
{
    SamplingParams greedyParams = filterParams(40, 0.95f, 0.05f, 0.0f);
    greedyParams.repeatPenalty = 1.3f;
    greedyParams.presencePenalty = 0.25f;
    SamplingParams topOneParams = greedyParams;
    topOneParams.topK = 1;
    topOneParams.temperature = 1.5f;
    topOneParams.seed = 99;
    Sampler greedySampler(greedyParams);
    Sampler topOneSampler(topOneParams);
    const std::vector<TokenId> a = generate(greedySampler, 7, 300, 512);
    const std::vector<TokenId> b = generate(topOneSampler, 7, 300, 512);
    QCOMPARE(b, a);
    // The penalties did something: the greedy sequence is not one token repeated.
    QVERIFY(std::set<TokenId>(a.begin(), a.end()).size() > 10);
}

void TestSampler::filters_data()
{
    QTest::addColumn<QList<float>>("logits");
    QTest::addColumn<int>("topK");
    QTest::addColumn<float>("topP");
    QTest::addColumn<float>("minP");
    QTest::addColumn<float>("temperature");
    QTest::addColumn<QList<int>>("allowed");

    // By id: 0 → .10, 1 → .50, 2 → .05, 3 → .20, 4 → .15; descending: 1, 3, 4, 0, 2.
    const std::vector<float> five = logOf({0.10, 0.50, 0.05, 0.20, 0.15});
    const QList<float> l(five.begin(), five.end());
    QTest::newRow("all off") << l << 0 << 1.0f << 0.0f << 1.0f << QList<int>{0, 1, 2, 3, 4};
    QTest::newRow("top-k 2") << l << 2 << 1.0f << 0.0f << 1.0f << QList<int>{1, 3};
    QTest::newRow("top-k 9 > vocab") << l << 9 << 1.0f << 0.0f << 1.0f << QList<int>{0, 1, 2, 3, 4};
    QTest::newRow("top-p 0.4: head only") << l << 0 << 0.4f << 0.0f << 1.0f << QList<int>{1};
    QTest::newRow("top-p 0.8") << l << 0 << 0.8f << 0.0f << 1.0f << QList<int>{1, 3, 4};
    QTest::newRow("top-p 0.9") << l << 0 << 0.9f << 0.0f << 1.0f << QList<int>{0, 1, 3, 4};
    QTest::newRow("top-p 0.96") << l << 0 << 0.96f << 0.0f << 1.0f << QList<int>{0, 1, 2, 3, 4};
    QTest::newRow("min-p 0.05") << l << 0 << 1.0f << 0.05f << 1.0f << QList<int>{0, 1, 2, 3, 4};
    QTest::newRow("min-p 0.25") << l << 0 << 1.0f << 0.25f << 1.0f << QList<int>{1, 3, 4};
    QTest::newRow("min-p 0.35") << l << 0 << 1.0f << 0.35f << 1.0f << QList<int>{1, 3};
    QTest::newRow("min-p 5: top only") << l << 0 << 1.0f << 5.0f << 1.0f << QList<int>{1};
    // top-p sees the probabilities renormalised after top-k: .588 + .235 >= .75 (before top-k: 3 tokens).
    QTest::newRow("top-k before top-p") << l << 3 << 0.75f << 0.0f << 1.0f << QList<int>{1, 3};
    QTest::newRow("top-p then min-p") << l << 0 << 0.9f << 0.25f << 1.0f << QList<int>{1, 3, 4};
    // Temperature comes last: at T = 2 first, min-p 0.35 would keep 4 tokens, top-p 0.8 at T = 0.5 only 2.
    QTest::newRow("min-p before temperature") << l << 0 << 1.0f << 0.35f << 2.0f << QList<int>{1, 3};
    QTest::newRow("top-p before temperature") << l << 0 << 0.8f << 0.0f << 0.5f << QList<int>{1, 3, 4};

    // llama.cpp's defaults (k 40, p .95, min-p .05, T .8): cumulative .55 .80 .92 .97 keeps four.
    const std::vector<float> defaults = logOf({0.03, 0.12, 0.55, 0.05, 0.25});
    const SamplingParams d;
    QTest::newRow("defaults") << QList<float>(defaults.begin(), defaults.end()) << d.topK << d.topP << d.minP
                              << d.temperature << QList<int>{1, 2, 3, 4};

    // 3,000 equal logits: ties go by id, and top-p must order past llama.cpp's first 256 (set > 1024).
    // Each token is 1/3000; the sum reaches 0.50016 at the 1501st.
    QTest::newRow("top-p past 256, ties by id") << QList<float>(3000, 0.0f) << 0 << 0.50016f << 0.0f << 1.0f
                                                << range(0, 1501);
    QTest::newRow("top-k 700 of 3000 ties") << QList<float>(3000, 1.0f) << 700 << 1.0f << 0.0f << 1.0f
                                            << range(0, 700);
}

void TestSampler::filters()
{
    QFETCH(QList<float>, logits);
    QFETCH(int, topK);
    QFETCH(float, topP);
    QFETCH(float, minP);
    QFETCH(float, temperature);
    QFETCH(QList<int>, allowed);
    const std::vector<float> values(logits.begin(), logits.end());
    // The 3,000-token rows check which ids come out, not the frequency of each; fewer draws do.
    const int kDraws = values.size() > 100 ? 2000 : 10000;

    Sampler sampler(filterParams(topK, topP, minP, temperature));
    const std::map<TokenId, int> counts = histogram(sampler, values, kDraws);
    verifyFrequencies(counts, kDraws, values, allowed, temperature);
    if (QTest::currentTestFailed())
        return;

    // The same through an unsorted candidate list (reversed): the same set, the same frequencies.
    std::vector<TokenCandidate> reversed;
    for (size_t i = values.size(); i-- > 0;)
        reversed.push_back({static_cast<TokenId>(i), values[i]});
    Sampler fromList(filterParams(topK, topP, minP, temperature));
    std::map<TokenId, int> listCounts;
    for (int i = 0; i < kDraws; ++i)
        ++listCounts[fromList.sample(std::span<const TokenCandidate>(reversed))];
    verifyFrequencies(listCounts, kDraws, values, allowed, temperature);
}

void TestSampler::temperature_data()
{
    QTest::addColumn<float>("temperature");
    QTest::newRow("T 0.25") << 0.25f;
    QTest::newRow("T 0.5") << 0.5f;
    QTest::newRow("T 1") << 1.0f;
    QTest::newRow("T 1.5") << 1.5f;
    QTest::newRow("T 3") << 3.0f;
}

// All filters off: frequencies follow softmax(logits / T).
void TestSampler::temperature()
{
    QFETCH(float, temperature);
    const std::vector<float> logits = {1.0f, 0.25f, -0.5f, 2.0f, 0.0f, 1.5f};
    constexpr int kDraws = 20000;
    Sampler sampler(filterParams(0, 1.0f, 0.0f, temperature));
    const std::map<TokenId, int> counts = histogram(sampler, logits, kDraws);
    verifyFrequencies(counts, kDraws, logits, {0, 1, 2, 3, 4, 5}, temperature);
}

void TestSampler::penalties_data()
{
    QTest::addColumn<QList<int>>("history");
    QTest::addColumn<int>("lastN");
    QTest::addColumn<float>("repeat");
    QTest::addColumn<float>("frequency");
    QTest::addColumn<float>("presence");
    QTest::addColumn<QList<float>>("expected");  // for input logits {1, 3, -1, 0} (ids 0..3)

    QTest::newRow("repeat divides positive") << QList<int>{1} << 64 << 2.0f << 0.0f << 0.0f
                                             << QList<float>{1, 1.5f, -1, 0};
    QTest::newRow("repeat multiplies negative") << QList<int>{2} << 64 << 2.0f << 0.0f << 0.0f
                                                << QList<float>{1, 3, -2, 0};
    QTest::newRow("repeat once, whatever the count") << QList<int>{1, 1, 1} << 64 << 2.0f << 0.0f << 0.0f
                                                     << QList<float>{1, 1.5f, -1, 0};
    QTest::newRow("frequency per occurrence") << QList<int>{1, 1, 1, 2} << 64 << 1.0f << 0.5f << 0.0f
                                              << QList<float>{1, 1.5f, -1.5f, 0};
    QTest::newRow("presence once") << QList<int>{1, 1, 1, 2} << 64 << 1.0f << 0.0f << 0.25f
                                   << QList<float>{1, 2.75f, -1.25f, 0};
    QTest::newRow("all three") << QList<int>{1, 1, 2, 3} << 64 << 2.0f << 0.5f << 0.25f
                               << QList<float>{1, 0.25f, -2.75f, -0.75f};
    QTest::newRow("negative frequency encourages") << QList<int>{1} << 64 << 1.0f << -0.5f << 0.0f
                                                   << QList<float>{1, 3.5f, -1, 0};
    QTest::newRow("window: last 2 only") << QList<int>{0, 1, 1, 2} << 2 << 2.0f << 0.5f << 0.0f
                                         << QList<float>{1, 1.0f, -2.5f, 0};
    QTest::newRow("lastN 0: off") << QList<int>{0, 1, 2} << 0 << 2.0f << 0.5f << 0.25f
                                  << QList<float>{1, 3, -1, 0};
    QTest::newRow("lastN -1: everything") << QList<int>{0, 1, 2, 0, 1, 2} << -1 << 2.0f << 0.0f << 0.0f
                                          << QList<float>{0.5f, 1.5f, -2, 0};
    QTest::newRow("neutral values: off") << QList<int>{0, 1, 2} << 64 << 1.0f << 0.0f << 0.0f
                                         << QList<float>{1, 3, -1, 0};
    QTest::newRow("tokens not in the list") << QList<int>{7, 9, -1} << 64 << 2.0f << 0.5f << 0.25f
                                            << QList<float>{1, 3, -1, 0};
}

void TestSampler::penalties()
{
    QFETCH(QList<int>, history);
    QFETCH(int, lastN);
    QFETCH(float, repeat);
    QFETCH(float, frequency);
    QFETCH(float, presence);
    QFETCH(QList<float>, expected);
    SamplingParams params;
    params.repeatLastN = lastN;
    params.repeatPenalty = repeat;
    params.frequencyPenalty = frequency;
    params.presencePenalty = presence;
    params.temperature = 0.0f;
    Sampler sampler(params);
    for (int id : history)
        sampler.accept(id);

    std::vector<TokenCandidate> candidates = {{0, 1.0f}, {1, 3.0f}, {2, -1.0f}, {3, 0.0f}};
    sampler.applyPenalties(candidates);
    for (size_t i = 0; i < candidates.size(); ++i) {
        QCOMPARE(candidates[i].id, static_cast<TokenId>(i));
        // Exact: every expected value is a short binary fraction.
        QVERIFY2(candidates[i].logit == expected[static_cast<qsizetype>(i)],
                 qPrintable(QStringLiteral("id %1: %2, expected %3")
                                .arg(i).arg(candidates[i].logit).arg(expected[static_cast<qsizetype>(i)])));
    }
    // Greedy over the full logits (the dense path) picks the argmax of the penalised logits.
    const std::vector<float> logits = {1.0f, 3.0f, -1.0f, 0.0f};
    const auto best = std::max_element(expected.begin(), expected.end());
    QCOMPARE(sampler.sample(logits), static_cast<TokenId>(best - expected.begin()));

    sampler.reset();
    std::vector<TokenCandidate> afterReset = {{0, 1.0f}, {1, 3.0f}, {2, -1.0f}, {3, 0.0f}};
    sampler.applyPenalties(afterReset);
    QCOMPARE(afterReset[1].logit, 3.0f);
}

// The window follows the last repeatLastN accepted tokens as generation goes on.
void TestSampler::penaltyWindowSlides()
{
    SamplingParams params;
    params.repeatLastN = 3;
    params.frequencyPenalty = 1.0f;
    Sampler sampler(params);
    auto penaltyOf = [&sampler](TokenId id) {
        std::vector<TokenCandidate> c = {{id, 0.0f}};
        sampler.applyPenalties(c);
        return -c[0].logit;
    };
    const QList<TokenId> stream = {5, 5, 6, 5, 7, 8, 9};
    const QList<float> expectedFor5 = {1, 2, 2, 2, 1, 1, 0};  // windows [5] [5 5] [5 5 6] [5 6 5] [6 5 7] …
    for (qsizetype i = 0; i < stream.size(); ++i) {
        sampler.accept(stream[i]);
        QCOMPARE(penaltyOf(5), expectedFor5[i]);
    }
}

void TestSampler::sameSeedSameSequence()
{
    SamplingParams params;
    params.seed = 42;
    params.repeatPenalty = 1.1f;
    Sampler first(params);
    Sampler second(params);
    QCOMPARE(first.seed(), 42u);
    const std::vector<TokenId> a = generate(first, 3, 400, 1000);
    const std::vector<TokenId> b = generate(second, 3, 400, 1000);
    QCOMPARE(b, a);
    QVERIFY(std::set<TokenId>(a.begin(), a.end()).size() > 20);  // really sampled, not greedy

    first.reset();
    QCOMPARE(generate(first, 3, 400, 1000), a);

    params.seed = 43;
    Sampler other(params);
    const std::vector<TokenId> c = generate(other, 3, 400, 1000);
    int differing = 0;
    for (size_t i = 0; i < a.size(); ++i)
        differing += a[i] != c[i];
    QVERIFY2(differing > 100, qPrintable(QStringLiteral("seeds 42 and 43 differ in %1 of 400").arg(differing)));

    // Seeds above 2^32 are folded, not truncated: 42 + 2^32 is not seed 42.
    params.seed = 42 + (uint64_t(1) << 32);
    Sampler high(params);
    QVERIFY(high.seed() != 42u);
}

void TestSampler::randomSeedCanBeReplayed()
{
    SamplingParams params;  // seed = kRandomSeed
    Sampler random(params);
    const std::vector<TokenId> a = generate(random, 11, 100, 300);
    params.seed = random.seed();
    Sampler replay(params);
    QCOMPARE(generate(replay, 11, 100, 300), a);
}

// Pinned output: a change here changes what every seeded conversation replays to. Update only on purpose.
void TestSampler::goldenSequence()
{
    SamplingParams params;
    params.seed = 1234;
    params.repeatPenalty = 1.1f;
    Sampler sampler(params);
    const std::vector<TokenId> ids = generate(sampler, 2024, 24, 256);
    const std::vector<TokenId> golden = {116, 204, 192, 35, 194, 68, 139, 95, 195, 53, 23, 123,
                                         239, 196, 24, 97, 226, 7, 172, 166, 236, 118, 89, 230};
    QCOMPARE(ids, golden);
}

// The draw is computed here, not by the library: pinned values for mt19937's default seed, and on
// libstdc++ the same numbers as std::uniform_real_distribution<double> (what llama.cpp draws with).
void TestSampler::uniformDrawIsFixed()
{
    std::mt19937 rng(5489u);
    QCOMPARE(rng(), 3499211612u);  // mt19937's first output for its default seed, 5489
    rng.seed(5489u);
    QCOMPARE(detail::uniformUnit(rng), 0.1354770042967805);
    QCOMPARE(detail::uniformUnit(rng), 0.8350085899945795);
    QCOMPARE(detail::uniformUnit(rng), 0.96886777112423139);
#ifdef __GLIBCXX__
    std::mt19937 ours(77u);
    std::mt19937 theirs(77u);
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    for (int i = 0; i < 100000; ++i) {
        const double u = detail::uniformUnit(ours);
        QVERIFY(u >= 0.0 && u < 1.0);
        if (u != dist(theirs))
            QFAIL(qPrintable(QStringLiteral("draw %1 differs from libstdc++").arg(i)));
    }
#endif
}

// The sampler's own exp(): within 2 ulp of the true value over the whole float range it is used on.
void TestSampler::expIsAccurate()
{
    QCOMPARE(detail::deterministicExp(0.0f), 1.0f);
    QCOMPARE(detail::deterministicExp(-kInf), 0.0f);
    QCOMPARE(detail::deterministicExp(-100.0f), 0.0f);
    QCOMPARE(detail::deterministicExp(89.0f), kInf);
    QVERIFY(std::isnan(detail::deterministicExp(kNaN)));
    double worst = 0.0;
    float worstAt = 0.0f;
    for (float x = -87.0f; x < 88.5f; x += 0.00137f) {
        const double truth = std::exp(static_cast<double>(x));
        const double ulp = std::nextafter(static_cast<float>(truth), kInf) - static_cast<float>(truth);
        const double error = std::abs(detail::deterministicExp(x) - truth) / ulp;
        if (error > worst) {
            worst = error;
            worstAt = x;
        }
    }
    qInfo("worst error %.2f ulp at x = %.6g", worst, worstAt);
    QVERIFY2(worst <= 2.0, qPrintable(QStringLiteral("%1 ulp at %2").arg(worst).arg(worstAt)));
}

void TestSampler::candidatesMatchLogits_data()
{
    QTest::addColumn<int>("listSize");
    QTest::addColumn<float>("repeatPenalty");
    // No penalties: the top 40 (= top-k) from the GPU give what the whole vocabulary gives.
    QTest::newRow("top 40, defaults") << 40 << 1.0f;
    // Penalties can lift a token into the top 40, so only the whole list gives the same.
    QTest::newRow("all, penalties") << 0 << 1.3f;
}

void TestSampler::candidatesMatchLogits()
{
    QFETCH(int, listSize);
    QFETCH(float, repeatPenalty);
    SamplingParams params;
    params.seed = 5;
    params.repeatPenalty = repeatPenalty;
    params.presencePenalty = repeatPenalty == 1.0f ? 0.0f : 0.5f;
    Sampler fromLogits(params);
    Sampler fromList(params);
    LogitSource source(17);
    for (int step = 0; step < 300; ++step) {
        const std::vector<float> logits = source.logits(2000);
        const std::vector<TokenCandidate> list = topCandidates(logits, listSize);
        const TokenId a = fromLogits.sample(logits);
        const TokenId b = fromList.sample(list);
        QCOMPARE(b, a);
        fromLogits.accept(a);
        fromList.accept(b);
    }
}

void TestSampler::topCandidatesOrder()
{
    const std::vector<float> logits = {1.0f, kNaN, 3.0f, 1.0f, -kInf, 3.0f, 2.0f};
    const std::vector<TokenCandidate> top3 = topCandidates(logits, 3);
    QCOMPARE(top3.size(), size_t(3));
    QCOMPARE(top3[0].id, 2);
    QCOMPARE(top3[1].id, 5);
    QCOMPARE(top3[2].id, 6);
    const std::vector<TokenCandidate> all = topCandidates(logits, 0);
    QCOMPARE(all.size(), size_t(6));  // NaN left out
    QCOMPARE(all[3].id, 0);
    QCOMPARE(all[4].id, 3);
    QCOMPARE(all[5].id, 4);
    QCOMPARE(topCandidates(logits, 100).size(), size_t(6));
    QVERIFY(topCandidates({}, 5).empty());
}

void TestSampler::invalidLogits_data()
{
    QTest::addColumn<QList<float>>("logits");
    QTest::addColumn<float>("temperature");
    QTest::addColumn<QList<int>>("allowed");  // empty: kNoToken
    QTest::newRow("empty") << QList<float>{} << 0.8f << QList<int>{};
    QTest::newRow("all NaN") << QList<float>{kNaN, kNaN, kNaN} << 0.8f << QList<int>{};
    QTest::newRow("all -inf") << QList<float>{-kInf, -kInf} << 0.8f << QList<int>{};
    QTest::newRow("NaN among finite") << QList<float>{kNaN, 1.0f, kNaN, 1.0f} << 0.8f << QList<int>{1, 3};
    QTest::newRow("-inf among finite") << QList<float>{-kInf, 1.0f, -kInf} << 0.8f << QList<int>{1};
    QTest::newRow("+inf wins") << QList<float>{1.0f, kInf, 2.0f} << 0.8f << QList<int>{1};
    QTest::newRow("two +inf share") << QList<float>{1.0f, kInf, 2.0f, kInf, kNaN} << 0.8f << QList<int>{1, 3};
    QTest::newRow("huge logits") << QList<float>{3e38f, -3e38f, 3e38f} << 0.8f << QList<int>{0, 2};
    QTest::newRow("tiny temperature") << QList<float>{1.0f, 3.0f, 1.75f} << 1e-30f << QList<int>{1};
    QTest::newRow("huge temperature") << QList<float>{1.0f, 2.0f, 1.75f} << 1e30f << QList<int>{0, 1, 2};
    QTest::newRow("infinite temperature") << QList<float>{1.0f, 2.0f} << kInf << QList<int>{0, 1};
}

// Never a crash, never a NaN id: kNoToken when nothing can be chosen.
void TestSampler::invalidLogits()
{
    QFETCH(QList<float>, logits);
    QFETCH(float, temperature);
    QFETCH(QList<int>, allowed);
    const std::vector<float> values(logits.begin(), logits.end());
    std::vector<TokenCandidate> list;
    for (size_t i = 0; i < values.size(); ++i)
        list.push_back({static_cast<TokenId>(i), values[i]});

    SamplingParams params = filterParams(0, 1.0f, 0.0f, temperature);
    params.repeatPenalty = 1.2f;
    Sampler sampler(params);
    std::set<TokenId> seen;
    for (int i = 0; i < 300; ++i) {
        const TokenId a = sampler.sample(values);
        const TokenId b = sampler.sample(std::span<const TokenCandidate>(list));
        seen.insert(a);
        seen.insert(b);
        sampler.accept(a);
    }
    const std::set<TokenId> expected = allowed.isEmpty() ? std::set<TokenId>{kNoToken}
                                                         : std::set<TokenId>(allowed.begin(), allowed.end());
    QCOMPARE(seen, expected);
    // The default chain (top-k, top-p, min-p) on the same input stays within the allowed set.
    Sampler defaults(filterParams(40, 0.95f, 0.05f, temperature));
    for (int i = 0; i < 50; ++i)
        QVERIFY(expected.count(defaults.sample(values)));
}

// Settings that would make llama.cpp compute NaN are read as "off" (see the constructor's contract).
void TestSampler::invalidSettings()
{
    const std::vector<float> logits = {0.0f, 1.0f, 3.0f, 2.0f};
    SamplingParams params;
    params.seed = 8;
    params.repeatPenalty = 0.0f;  // would divide by zero
    params.frequencyPenalty = kNaN;
    params.presencePenalty = kInf;
    params.topP = kNaN;
    params.minP = kNaN;
    params.topK = std::numeric_limits<int32_t>::max();
    Sampler sampler(params);
    QCOMPARE(sampler.params().repeatPenalty, 1.0f);
    for (TokenId id : {2, 2, 2, 3})
        sampler.accept(id);
    std::vector<TokenCandidate> c = {{2, 3.0f}};
    sampler.applyPenalties(c);
    QCOMPARE(c[0].logit, 3.0f);
    std::set<TokenId> seen;
    for (int i = 0; i < 2000; ++i)
        seen.insert(sampler.sample(logits));
    QCOMPARE(seen, (std::set<TokenId>{0, 1, 2, 3}));

    params.temperature = kNaN;  // greedy
    Sampler nanTemperature(params);
    QCOMPARE(nanTemperature.sample(logits), 2);
}

void TestSampler::stopStrings_data()
{
    QTest::addColumn<QStringList>("stops");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<bool>("stopped");

    QTest::newRow("no stop strings") << QStringList{} << "Hello </s>" << "Hello </s>" << false;
    QTest::newRow("empty stop string ignored") << QStringList{""} << "abc" << "abc" << false;
    QTest::newRow("stop in the middle") << QStringList{"</s>"} << "Hi there</s>more" << "Hi there" << true;
    QTest::newRow("stop at the start") << QStringList{"User:"} << "User: hi" << "" << true;
    QTest::newRow("stop at the end") << QStringList{"User:"} << "Sure.\nUser:" << "Sure.\n" << true;
    QTest::newRow("false start, then stop") << QStringList{"User:"} << "Use the force. User: x"
                                            << "Use the force. " << true;
    QTest::newRow("half a stop at the end") << QStringList{"<|im_end|>"} << "done <|im_" << "done <|im_" << false;
    QTest::newRow("overlapping prefix") << QStringList{"aab"} << "aaab" << "a" << true;
    QTest::newRow("self-overlap") << QStringList{"abab"} << "xabababx" << "x" << true;
    QTest::newRow("earliest of two") << QStringList{"world", "lo w"} << "hello world" << "hel" << true;
    QTest::newRow("two at one place") << QStringList{"ab", "abc"} << "xxabc" << "xx" << true;
    QTest::newRow("blank line") << QStringList{"\n\n"} << "a\nb\n\nc" << "a\nb" << true;
    QTest::newRow("UTF-8") << QStringList{QString::fromUtf8("。\n")} << QString::fromUtf8("你好。再见。\n谢谢")
                           << QString::fromUtf8("你好。再见") << true;
    QTest::newRow("stop longer than the text") << QStringList{"<|endoftext|>"} << "<|end" << "<|end" << false;
}

// Fed whole, byte by byte, and split in two and in three at every position: always the same shown text,
// and nothing is ever lost or shown twice.
void TestSampler::stopStrings()
{
    QFETCH(QStringList, stops);
    QFETCH(QString, text);
    QFETCH(QString, shown);
    QFETCH(bool, stopped);
    std::vector<std::string> stopList;
    for (const QString& s : stops)
        stopList.push_back(s.toStdString());
    const std::string bytes = text.toStdString();
    const std::string expected = shown.toStdString();

    auto run = [&](const std::vector<size_t>& cuts) {
        StopStringMatcher matcher(stopList);
        std::string out;
        std::string fed;
        size_t begin = 0;
        std::vector<size_t> bounds = cuts;
        bounds.push_back(bytes.size());
        for (size_t end : bounds) {
            const std::string piece = bytes.substr(begin, end - begin);
            begin = end;
            fed += piece;
            const StopStringMatcher::Output o = matcher.feed(piece);
            out += o.text;
            if (o.stopped)
                break;
            // Nothing lost: what was shown plus what is held back is what was fed.
            if (out + std::string(matcher.pending()) != fed)
                return QStringLiteral("text lost after feeding \"%1\"").arg(QString::fromStdString(fed));
        }
        if (matcher.stopped() != stopped)
            return QStringLiteral("stopped = %1").arg(matcher.stopped());
        out += matcher.flush();
        if (out != expected)
            return QStringLiteral("shown \"%1\"").arg(QString::fromStdString(out));
        return QString();
    };

    std::vector<std::vector<size_t>> splits = {{}};
    std::vector<size_t> everyByte;
    for (size_t i = 1; i < bytes.size(); ++i)
        everyByte.push_back(i);
    splits.push_back(everyByte);
    for (size_t i = 0; i <= bytes.size(); ++i) {
        for (size_t j = i; j <= bytes.size(); ++j)
            splits.push_back({i, j});  // includes empty pieces
    }
    for (const std::vector<size_t>& cuts : splits) {
        const QString failure = run(cuts);
        if (!failure.isEmpty()) {
            QStringList where;
            for (size_t c : cuts)
                where << QString::number(c);
            QFAIL(qPrintable(QStringLiteral("cut at [%1]: %2").arg(where.join(","), failure)));
        }
    }
}

void TestSampler::stopStringsAfterStop()
{
    StopStringMatcher matcher({"User:", "</s>"});
    StopStringMatcher::Output first = matcher.feed("Fine.</s");
    QCOMPARE(first.text, std::string("Fine."));
    QVERIFY(!first.stopped);
    StopStringMatcher::Output second = matcher.feed(">User: more");
    QVERIFY(second.stopped);
    QCOMPARE(second.text, std::string());
    QCOMPARE(second.stopString, std::string("</s>"));
    const StopStringMatcher::Output third = matcher.feed("anything");
    QVERIFY(third.stopped);
    QVERIFY(third.text.empty());
    QVERIFY(matcher.flush().empty());
    matcher.reset();
    QVERIFY(!matcher.stopped());
    QCOMPARE(matcher.feed("ok").text, std::string("ok"));
}

void TestSampler::fullVocabularyIsFast_data()
{
    QTest::addColumn<int>("topK");
    QTest::addColumn<bool>("flat");
    QTest::addColumn<double>("limitMs");
    // A model's logits: a few dozen plausible tokens far above the rest.
    QTest::newRow("top-k 40") << 40 << false << 40.0;
    QTest::newRow("top-p alone") << 0 << false << 40.0;
    // Uniform logits over [-8, 8]: top-p 0.95 keeps ~28,000 tokens and has to order them all.
    QTest::newRow("top-p alone, flat logits") << 0 << true << 400.0;
}

// A 151,936-token vocabulary (Qwen2) at llama.cpp's defaults plus a repeat penalty, per token: far below a
// decode step. Measured in CPU time; the limits (~5× an idle release build) leave room for the sanitizer
// build and a busy machine, and still catch an accidental quadratic.
void TestSampler::fullVocabularyIsFast()
{
    QFETCH(int, topK);
    QFETCH(bool, flat);
    QFETCH(double, limitMs);
    constexpr size_t kVocab = 151936;
    LogitSource source(99);
    std::vector<float> logits = source.logits(kVocab, flat ? 8.0f : 4.0f);
    if (!flat) {
        for (int i = 0; i < 50; ++i)
            logits[source.next() % kVocab] += 16.0f + static_cast<float>(i % 5);
    }
    SamplingParams params;
    params.seed = 3;
    params.repeatPenalty = 1.1f;
    params.topK = topK;
    Sampler sampler(params);
    constexpr int kSteps = 30;
    const std::clock_t start = std::clock();
    for (int i = 0; i < kSteps; ++i) {
        const TokenId id = sampler.sample(logits);
        QVERIFY(id >= 0 && static_cast<size_t>(id) < kVocab);
        sampler.accept(id);
    }
    const double msPerToken = 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC / kSteps;
    qInfo("%s: %.2f ms per token", QTest::currentDataTag(), msPerToken);
    QVERIFY2(msPerToken < limitMs, qPrintable(QStringLiteral("%1 ms per token").arg(msPerToken)));
}

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
