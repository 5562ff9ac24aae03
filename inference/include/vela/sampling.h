// Choosing the next token from a model's logits, as llama.cpp's default sampler chain does it
// (common/sampling.cpp common_sampler_init, src/llama-sampler.cpp), so a model behaves here as it does in
// llama.cpp and LM Studio with the same settings:
//
//   penalties → top-k → top-p → min-p → temperature → draw
//
// llama.cpp's chain also holds DRY, top-n-σ, typical-p and XTC; with its default settings all four are
// disabled, so they are left out. Stop strings (StopStringMatcher) work on decoded text, after sampling.
#pragma once

#include "vela/tokenizer.h"

#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vela {

// Asks the Sampler for a fresh random seed (std::random_device) at construction and at every reset(), as
// llama.cpp's LLAMA_DEFAULT_SEED does. Sampler::seed() tells which one was drawn, so a reply can be replayed.
constexpr uint64_t kRandomSeed = 0xFFFFFFFF;

// Defaults are llama.cpp's (common_params_sampling); each setting names its "off" value.
struct SamplingParams {
    float temperature = 0.8f;      // logits / T before the draw; <= 0: greedy (argmax, ties → lowest id)
    int32_t topK = 40;             // keep the K highest logits; <= 0: off
    float topP = 0.95f;            // keep the smallest head whose probability sums to >= P; >= 1: off
    float minP = 0.05f;            // keep tokens with p >= minP · p_max; <= 0: off
    float repeatPenalty = 1.0f;    // positive logits / R, negative · R, for recent tokens; 1: off
    int32_t repeatLastN = 64;      // how many accepted tokens the penalties look at; 0: off, < 0: all
    float presencePenalty = 0.0f;  // subtracted once from every recent token; 0: off
    float frequencyPenalty = 0.0f; // subtracted once per occurrence of a recent token; 0: off
    // The draw's std::mt19937 is seeded with (seed ^ seed >> 32) mod 2^32, so a seed below 2^32 is used as
    // it is, as llama.cpp uses its 32-bit seed.
    uint64_t seed = kRandomSeed;
    // Generation stops at the first of these in the decoded text (see StopStringMatcher); the Sampler
    // itself ignores them. Empty strings are ignored.
    std::vector<std::string> stopStrings;
};

// One entry of a candidate list: a token and its raw logit.
struct TokenCandidate {
    TokenId id = kNoToken;
    float logit = 0.0f;
};

// The `k` highest logits of `logits` (one per vocabulary entry, index = id), highest first, equal logits by
// ascending id; k <= 0 or k >= logits.size() returns them all. NaN logits are left out.
std::vector<TokenCandidate> topCandidates(std::span<const float> logits, int k);

// One generation's sampler: the chain's settings, the recent tokens the penalties look at and the random
// state of the draw. Not thread-safe; one per sequence.
//
// Determinism: the same seed, settings and sequence of logits (and accepted tokens) give the same tokens on
// every run and every platform with IEEE-754 floats. The random number generator is std::mt19937, whose
// output the C++ standard fixes; the uniform draw in [0, 1) is computed here from two 32-bit outputs exactly
// as libstdc++'s std::uniform_real_distribution<double> does (llama.cpp's choice), not by the standard
// library, whose result is implementation-defined; exp() is computed here too, not by the math library.
// Equal logits are ordered by ascending id, never by the sort algorithm. (One libm call remains: logf(minP),
// once per token, which can move the min-p cut only for a logit within an ulp of it.)
//
// Invalid input never crashes: NaN and -inf logits are never chosen; if some logits are +inf, one of those
// is drawn (evenly). When nothing can be chosen (an empty list, or every logit NaN or -inf) sample()
// returns kNoToken, which the caller must treat as a failed step ("the model produced no usable logits").
class Sampler {
public:
    // Settings out of range are read as llama.cpp reads them, except where it would compute NaN: a
    // non-finite or non-positive repeatPenalty and a non-finite presence/frequency penalty are off, a NaN
    // temperature is greedy, a NaN topP or minP is off.
    explicit Sampler(SamplingParams params = {});

    // The next token from the logits of the last position, one per vocabulary entry (index = id).
    TokenId sample(std::span<const float> logits);
    // The next token from a partial list, e.g. the top-k candidates computed on the GPU. Penalties apply only
    // to the tokens present; tokens absent are never chosen. The scan order of the draw follows the list's
    // order, so pass it sorted (as topCandidates() does) to get the same tokens as sample(logits).
    TokenId sample(std::span<const TokenCandidate> candidates);

    // Records a token of the sequence for the penalties: every prompt token (llama.cpp's server and CLI do)
    // and every generated one. Ignored while the penalties are off.
    void accept(TokenId id);
    // Forgets the accepted tokens and restarts the random sequence: with a fixed seed the next samples
    // repeat those after construction; with kRandomSeed a new seed is drawn.
    void reset();

    // Applies the repetition, frequency and presence penalties for the accepted tokens to `candidates` in
    // place (the first stage of sample()).
    void applyPenalties(std::span<TokenCandidate> candidates) const;

    const SamplingParams& params() const { return m_params; }
    // The seed the random sequence started from (the drawn one when params().seed is kRandomSeed).
    uint32_t seed() const { return m_seed; }

private:
    struct Scored {
        TokenId id;
        float logit;
        float p;
    };

    TokenId sampleWork(bool dense);
    void penalize(bool dense);
    bool keepValid();
    void keepTopK();
    void keepTopP();
    size_t orderHead(size_t from, size_t to);
    void keepMinP();
    void scaleByTemperature();
    TokenId draw();
    TokenId argmax() const;
    void seedRandom();
    bool penaltiesOn() const;

    SamplingParams m_params;
    uint32_t m_seed = 0;
    std::mt19937 m_rng;
    std::deque<TokenId> m_recent;                // the last repeatLastN accepted tokens, oldest first
    std::unordered_map<TokenId, int> m_counts;   // occurrences of each token in m_recent
    std::vector<Scored> m_work;                  // (n_candidates) the chain's working set
    bool m_sorted = false;                       // m_work is by descending logit, then ascending id
};

// Watches generated text for stop strings, so a chat never shows half of "</s>" or "User:": text that
// might be the start of a stop string is held back until it is clearly not one. Works on bytes; with
// UTF-8 pieces and stop strings the text it releases is whole characters.
class StopStringMatcher {
public:
    struct Output {
        std::string text;          // safe to show now: the text before a stop string when one was hit
        bool stopped = false;      // a stop string was hit; generation should end
        // Which one, when stopped: the earliest in the text; of two starting at the same place, the longer
        // if both are complete in the text fed so far.
        std::string stopString;
    };

    explicit StopStringMatcher(std::vector<std::string> stopStrings);

    // Feeds the next decoded piece. After a stop, further pieces are ignored (empty output, stopped).
    Output feed(std::string_view piece);
    // At the end of generation: the held-back text, now safe to show (empty after a stop).
    std::string flush();
    void reset();

    bool stopped() const { return m_stopped; }
    // The bytes held back at the moment.
    std::string_view pending() const { return m_pending; }

private:
    size_t heldBackLength() const;

    std::vector<std::string> m_stopStrings;
    std::string m_pending;
    bool m_stopped = false;
};

}  // namespace vela
