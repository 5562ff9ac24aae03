// What InferenceWorker keeps about the generation it is running (inference_worker.cpp and
// inference_worker_images.cpp): the request, the prompt as token ids or as chunks with images, the sampler and
// the statistics under way. Worker-internal.
#pragma once

#include "worker/inference_worker.h"

#include "vela/multimodal_prompt.h"
#include "vela/sampling.h"

#include <vector>

namespace vela::app {

struct InferenceWorker::Generation {
    const GenerationRequest& request;
    std::vector<TokenId> ids;  // the whole sequence (with images: its tokens, for the sampler's penalties)
    bool greedy = false;
    Sampler sampler;
    std::vector<float> logits;  // (n_vocab) of the last position, when sampling
    GenerationStats stats;
    int failAfterTokens = -1;  // VELA_TEST_DEVICE_LOST_AFTER: a simulated device loss, for tests
    std::vector<PromptChunk> chunks;  // a prompt with images, laid out; empty for a text prompt

    size_t promptRows() const
    {
        size_t rows = chunks.empty() ? ids.size() : 0;
        for (const PromptChunk& chunk : chunks)
            rows += chunk.ids.size();
        return rows;
    }
};

}  // namespace vela::app
