// Reference attention, one query row at a time: scores, mask, softmax, weighted sum of values.
// References: arXiv:1706.03762, arXiv:2305.13245; llama.cpp src/llama-graph.cpp `build_attn_mha`,
// ggml-cpu ops.cpp `ggml_compute_forward_soft_max_f32` (max subtracted, sum of exps in double).
#include "ref/attention.h"

#include "ref/activation.h"
#include "ref/matmul.h"

#include <cmath>
#include <limits>
#include <vector>

namespace vela::ref {

namespace {

bool isVisible(int32_t queryPos, int32_t keyPos, const AttentionConfig& config)
{
    if (config.causal && keyPos > queryPos)
        return false;
    if (config.slidingWindow > 0 && queryPos - keyPos >= config.slidingWindow)
        return false;
    return true;
}

}  // namespace

void attention(const float* q, const float* k, const float* v, int64_t nTokens, int64_t nKv,
               const int32_t* qPositions, const int32_t* kPositions, const float* mask,
               const AttentionConfig& config, float* out)
{
    const int64_t group = config.nHead / config.nHeadKv;
    constexpr float kHidden = -std::numeric_limits<float>::infinity();
    std::vector<float> scores(static_cast<size_t>(nKv));  // (nKv)
    for (int64_t t = 0; t < nTokens; ++t) {
        for (int64_t h = 0; h < config.nHead; ++h) {
            const int64_t kvHead = h / group;
            const float* query = q + (t * config.nHead + h) * config.headDimK;
            for (int64_t j = 0; j < nKv; ++j) {
                const int32_t keyPos = kPositions ? kPositions[j] : static_cast<int32_t>(j);
                if (!isVisible(qPositions[t], keyPos, config)) {
                    scores[j] = kHidden;
                    continue;
                }
                const float* key = k + (j * config.nHeadKv + kvHead) * config.headDimK;
                float s = dot(query, key, config.headDimK) * config.scale;
                if (config.softcap > 0.0f)
                    s = config.softcap * std::tanh(s / config.softcap);
                scores[j] = mask ? s + mask[t * nKv + j] : s;
            }
            softmax(scores.data(), nKv);

            float* result = out + (t * config.nHead + h) * config.headDimV;
            for (int64_t d = 0; d < config.headDimV; ++d)
                result[d] = 0.0f;
            for (int64_t j = 0; j < nKv; ++j) {
                if (scores[j] == 0.0f)
                    continue;
                const float* value = v + (j * config.nHeadKv + kvHead) * config.headDimV;
                for (int64_t d = 0; d < config.headDimV; ++d)
                    result[d] += scores[j] * value[d];
            }
        }
    }
}

}  // namespace vela::ref
