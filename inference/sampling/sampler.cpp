// The sampler chain of llama.cpp with its default order and settings.
// Reference: llama.cpp common/sampling.cpp (common_sampler_init: the chain), common/common.h
// (common_params_sampling: defaults and order), src/llama-sampler.cpp (llama_sampler_penalties_apply,
// _top_k_impl, _top_p_apply, _min_p_apply, _temp_impl, _dist_apply).
//
// Where this differs from llama.cpp, on purpose:
//   - equal logits are ordered by ascending id (llama.cpp's std::sort/partial_sort leave them in any order),
//     so the scan order of the draw, and with it the token, does not depend on the standard library;
//   - NaN and -inf logits are dropped before the filters, and +inf logits win (llama.cpp would compute NaN
//     probabilities from them);
//   - temperature scaling subtracts the highest logit first, which leaves the distribution as it is but
//     cannot overflow for a tiny temperature;
//   - greedy (temperature <= 0) takes the argmax directly and does not advance the random sequence;
//   - exp() and the uniform draw are computed here (deterministic_math.h), the same bits on every platform.
#include "vela/sampling.h"

#include "sampling/deterministic_math.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vela {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// The canonical candidate order: higher logit first, then lower id. A strict total order on non-NaN logits,
// so every sort gives the same sequence. (A function object, so that the sorts inline it.)
struct CanonicalOrder {
    template <class T>
    bool operator()(const T& a, const T& b) const
    {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    }
};
constexpr CanonicalOrder comesBefore;

// Settings llama.cpp would turn into NaN logits, read as "off" (see the Sampler constructor's contract).
SamplingParams sanitized(SamplingParams p)
{
    if (std::isnan(p.temperature))
        p.temperature = 0.0f;
    if (!std::isfinite(p.repeatPenalty) || p.repeatPenalty <= 0.0f)
        p.repeatPenalty = 1.0f;
    if (!std::isfinite(p.presencePenalty))
        p.presencePenalty = 0.0f;
    if (!std::isfinite(p.frequencyPenalty))
        p.frequencyPenalty = 0.0f;
    if (std::isnan(p.topP))
        p.topP = 1.0f;
    if (std::isnan(p.minP))
        p.minP = 0.0f;
    return p;
}

}  // namespace

std::vector<TokenCandidate> topCandidates(std::span<const float> logits, int k)
{
    std::vector<TokenCandidate> all;
    all.reserve(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) {
        if (!std::isnan(logits[i]))
            all.push_back({static_cast<TokenId>(i), logits[i]});
    }
    const size_t keep = k <= 0 ? all.size() : std::min(all.size(), static_cast<size_t>(k));
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      comesBefore);
    all.resize(keep);
    return all;
}

Sampler::Sampler(SamplingParams params) : m_params(sanitized(std::move(params)))
{
    seedRandom();
}

void Sampler::seedRandom()
{
    if (m_params.seed == kRandomSeed)
        m_seed = std::random_device{}();
    else
        m_seed = static_cast<uint32_t>(m_params.seed ^ (m_params.seed >> 32));
    m_rng.seed(m_seed);
}

void Sampler::reset()
{
    m_recent.clear();
    m_counts.clear();
    seedRandom();
}

bool Sampler::penaltiesOn() const
{
    const bool neutral = m_params.repeatPenalty == 1.0f && m_params.frequencyPenalty == 0.0f &&
                         m_params.presencePenalty == 0.0f;
    return m_params.repeatLastN != 0 && !neutral;
}

void Sampler::accept(TokenId id)
{
    if (!penaltiesOn())
        return;
    const bool windowed = m_params.repeatLastN > 0;
    if (windowed && m_recent.size() >= static_cast<size_t>(m_params.repeatLastN)) {
        const auto oldest = m_counts.find(m_recent.front());
        if (--oldest->second == 0)
            m_counts.erase(oldest);
        m_recent.pop_front();
    }
    m_recent.push_back(id);
    ++m_counts[id];
}

// --- penalties ------------------------------------------------------------------------------------------

namespace {

// llama.cpp's repeat penalty divides positive logits and multiplies the others, so it always lowers them
// (dividing a negative logit would raise it); frequency and presence penalties then subtract.
float penalizedLogit(float logit, int count, const SamplingParams& p)
{
    logit = logit <= 0.0f ? logit * p.repeatPenalty : logit / p.repeatPenalty;
    return logit - (static_cast<float>(count) * p.frequencyPenalty +
                    static_cast<float>(count > 0) * p.presencePenalty);
}

}  // namespace

void Sampler::applyPenalties(std::span<TokenCandidate> candidates) const
{
    if (!penaltiesOn() || m_counts.empty())
        return;
    for (TokenCandidate& c : candidates) {
        if (const auto it = m_counts.find(c.id); it != m_counts.end())
            c.logit = penalizedLogit(c.logit, it->second, m_params);
    }
}

void Sampler::penalize(bool dense)
{
    if (!penaltiesOn() || m_counts.empty())
        return;
    if (dense) {
        // m_work[id].id == id: touch the few recent tokens instead of probing the map once per vocabulary entry.
        for (const auto& [id, count] : m_counts) {
            if (id < 0 || static_cast<size_t>(id) >= m_work.size())
                continue;
            Scored& c = m_work[static_cast<size_t>(id)];
            c.logit = penalizedLogit(c.logit, count, m_params);
        }
        return;
    }
    for (Scored& c : m_work) {
        if (const auto it = m_counts.find(c.id); it != m_counts.end())
            c.logit = penalizedLogit(c.logit, it->second, m_params);
    }
}

// --- the chain ------------------------------------------------------------------------------------------

TokenId Sampler::sample(std::span<const float> logits)
{
    m_work.resize(logits.size());
    for (size_t i = 0; i < logits.size(); ++i)
        m_work[i] = {static_cast<TokenId>(i), logits[i], 0.0f};
    return sampleWork(/*dense=*/true);
}

TokenId Sampler::sample(std::span<const TokenCandidate> candidates)
{
    m_work.resize(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i)
        m_work[i] = {candidates[i].id, candidates[i].logit, 0.0f};
    return sampleWork(/*dense=*/false);
}

TokenId Sampler::sampleWork(bool dense)
{
    penalize(dense);
    if (m_params.temperature <= 0.0f)
        return argmax();
    if (!keepValid())
        return kNoToken;
    // A list handed over already in canonical order (topCandidates) need not be sorted again.
    m_sorted = std::is_sorted(m_work.begin(), m_work.end(), comesBefore);
    keepTopK();
    // (typical-p would run here; it is off in llama.cpp's defaults.)
    keepTopP();
    keepMinP();
    scaleByTemperature();
    return draw();
}

TokenId Sampler::argmax() const
{
    const Scored* best = nullptr;
    for (const Scored& c : m_work) {
        if (std::isnan(c.logit) || c.logit == -kInf)
            continue;
        if (!best || comesBefore(c, *best))
            best = &c;
    }
    return best ? best->id : kNoToken;
}

// Drops what can never be drawn (NaN, -inf); if some logits are +inf, only those stay, equally likely.
// False when nothing is left.
bool Sampler::keepValid()
{
    const bool anyInfinite =
        std::any_of(m_work.begin(), m_work.end(), [](const Scored& c) { return c.logit == kInf; });
    std::erase_if(m_work, [anyInfinite](const Scored& c) {
        return anyInfinite ? c.logit != kInf : (std::isnan(c.logit) || c.logit == -kInf);
    });
    if (anyInfinite) {
        for (Scored& c : m_work)
            c.logit = 0.0f;
    }
    return !m_work.empty();
}

void Sampler::keepTopK()
{
    if (m_params.topK <= 0 || static_cast<size_t>(m_params.topK) >= m_work.size())
        return;
    const auto k = static_cast<size_t>(m_params.topK);
    if (!m_sorted)
        orderHead(0, k);
    m_work.resize(k);
    m_sorted = true;
}

// Puts m_work[from, to) in canonical order, given that m_work[0, from) already is and comes first.
// Returns the new end of the ordered head. The order is total, so either way gives the same sequence.
size_t Sampler::orderHead(size_t from, size_t to)
{
    constexpr size_t kSmallHead = 256;
    to = std::min(to, m_work.size());
    const auto first = m_work.begin() + static_cast<std::ptrdiff_t>(from);
    const auto last = m_work.begin() + static_cast<std::ptrdiff_t>(to);
    if (to - from <= kSmallHead) {
        // A small heap rejects most of a vocabulary with one comparison each (llama.cpp: k <= 128).
        std::partial_sort(first, last, m_work.end(), comesBefore);
    } else {
        // O(n + k log k) where a heap would be O(n log k).
        std::nth_element(first, last, m_work.end(), comesBefore);
        std::sort(first, last, comesBefore);
    }
    return to;
}

// The smallest head (in canonical order) whose probabilities sum to >= topP. Softmax and running sum in
// float, as llama.cpp computes them, so the cut falls where it falls there.
void Sampler::keepTopP()
{
    if (m_params.topP >= 1.0f)
        return;
    float maxLogit = -kInf;
    for (const Scored& c : m_work)
        maxLogit = std::max(maxLogit, c.logit);
    float sum = 0.0f;
    for (Scored& c : m_work) {
        c.p = detail::deterministicExp(c.logit - maxLogit);
        sum += c.p;
    }
    for (Scored& c : m_work)
        c.p /= sum;

    // The kept head is almost always short: of a large unsorted set order only the first 256 (llama.cpp's
    // adaptive sort), and when the running sum gets past them, twice as many each time rather than the
    // whole vocabulary at once.
    size_t ordered = m_work.size();
    if (!m_sorted && m_work.size() > 1024)
        ordered = orderHead(0, 256);
    else if (!m_sorted)
        std::sort(m_work.begin(), m_work.end(), comesBefore);
    float cumulative = 0.0f;
    size_t keep = m_work.size();
    for (size_t i = 0; i < m_work.size(); ++i) {
        if (i == ordered)
            ordered = orderHead(ordered, 2 * ordered);
        cumulative += m_work[i].p;
        if (cumulative >= m_params.topP) {
            keep = i + 1;
            break;
        }
    }
    m_work.resize(keep);
    m_sorted = true;
}

// p_i >= minP · p_max  ⇔  logit_i >= max logit + ln(minP): no softmax needed. The order is kept.
void Sampler::keepMinP()
{
    if (m_params.minP <= 0.0f || m_work.empty())
        return;
    const auto best = m_sorted ? m_work.begin() : std::min_element(m_work.begin(), m_work.end(), comesBefore);
    const Scored top = *best;
    const float minLogit = top.logit + std::log(m_params.minP);
    std::erase_if(m_work, [minLogit](const Scored& c) { return c.logit < minLogit; });
    // Only a minP above 1 can remove the top itself; like llama.cpp, keep at least that one.
    if (m_work.empty())
        m_work.push_back(top);
}

void Sampler::scaleByTemperature()
{
    float maxLogit = -kInf;
    for (const Scored& c : m_work)
        maxLogit = std::max(maxLogit, c.logit);
    for (Scored& c : m_work)
        c.logit = (c.logit - maxLogit) / m_params.temperature;
}

// llama.cpp's dist sampler: softmax weights, one uniform draw u, the first candidate (in the set's order)
// at which the running sum of weights reaches u · total. One draw per sample, even for one candidate.
TokenId Sampler::draw()
{
    float maxLogit = -kInf;
    for (const Scored& c : m_work)
        maxLogit = std::max(maxLogit, c.logit);
    double total = 0.0;
    for (Scored& c : m_work) {
        // NaN only from an infinite temperature over an overflowed logit gap: weight 0 (the top's is 1).
        const float weight = detail::deterministicExp(c.logit - maxLogit);
        c.p = std::isnan(weight) ? 0.0f : weight;
        total += c.p;
    }
    const double target = total * detail::uniformUnit(m_rng);
    double running = 0.0;
    for (const Scored& c : m_work) {
        running += c.p;
        // `c.p > 0`: a draw of exactly 0 must not pick a token whose weight underflowed to 0.
        if (running >= target && c.p > 0.0f)
            return c.id;
    }
    // Only rounding can get here; the last token with weight is the one the sum ran out at.
    for (auto it = m_work.rbegin(); it != m_work.rend(); ++it) {
        if (it->p > 0.0f)
            return it->id;
    }
    return m_work.empty() ? kNoToken : m_work.back().id;
}

}  // namespace vela
