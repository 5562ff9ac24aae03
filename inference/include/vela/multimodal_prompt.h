// A prompt with images, laid out the way each vision model was trained to see it, and run through a Session.
//   gemma3 (llama.cpp mtmd): each `<__media__>` marker in the text becomes `<start_of_image>`, the image's rows,
//     `<end_of_image>`; without markers the images go first. The text between images is tokenized piece by piece
//     (special tokens parsed, BOS on the first piece only) and runs causally; each image's rows form a block
//     that attends both ways within itself.
//   paligemma (HF PaliGemmaProcessor): the image's rows, `<bos>`, then the text and "\n" tokenized as one string
//     without BOS, all in one block that attends both ways (prefix-LM); one image per prompt.
// Reference: llama.cpp tools/mtmd/mtmd.cpp (mtmd_tokenize, mtmd_default_marker); HF PaliGemmaProcessor;
// shared/models/vision/PALIGEMMA_GGUF.md §3.
#pragma once

#include "vela/image_preprocess.h"
#include "vela/language_model.h"
#include "vela/status.h"
#include "vela/tokenizer.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vela {

constexpr std::string_view kMediaMarker = "<__media__>";

// An image as its decoder takes it: rows of n_embd values, and the negative id that stands for each of its rows
// in the session's cache (derived from the rows' content: equal images share it, different ones do not).
struct EncodedImage {
    std::vector<float> rows;
    TokenId id = -1;
};
TokenId imageRowId(std::span<const float> rows);

// A run of prompt rows evaluated together: tokens, and rows supplied by an image where ids[i] < 0.
struct PromptChunk {
    std::vector<TokenId> ids;
    std::vector<float> rows;
    bool bidirectional = false;
};

// Fails when the images and markers disagree (more markers than images), for PaliGemma with more than one
// image, or when `rowsPerImage` × n_embd does not match an image's rows.
Result<std::vector<PromptChunk>> layoutMultimodalPrompt(const Tokenizer& tokenizer, VisionProjector projector,
                                                        std::string_view text, std::span<const EncodedImage> images,
                                                        uint32_t rowsPerImage, uint32_t embeddingLength);

// Runs the chunks in order at the session's next positions; `logits` receives the last row's logits.
Status evaluatePromptChunks(Session& session, std::span<const PromptChunk> chunks, std::vector<float>& logits);

}  // namespace vela
