// Lays out prompts with images per vision model (see vela/multimodal_prompt.h).
#include "vela/multimodal_prompt.h"

#include <cstring>

namespace vela {

TokenId imageRowId(std::span<const float> rows)
{
    // FNV-1a over the rows' bytes, folded into the negative ids (−1 … −2^30).
    uint64_t hash = 1469598103934665603ull;
    const auto* bytes = reinterpret_cast<const uint8_t*>(rows.data());
    for (size_t i = 0; i < rows.size_bytes(); ++i)
        hash = (hash ^ bytes[i]) * 1099511628211ull;
    return -static_cast<TokenId>(1 + (hash % (1u << 30)));
}

namespace {

PromptChunk imageChunk(const EncodedImage& image, uint32_t rows)
{
    PromptChunk chunk;
    chunk.ids.assign(rows, image.id);
    chunk.rows = image.rows;
    chunk.bidirectional = true;
    return chunk;
}

// Gemma 3 through mtmd: the marker becomes begin + marker + end, the text is cut at the markers, and each piece
// is tokenized on its own.
Result<std::vector<PromptChunk>> layoutGemma3(const Tokenizer& tokenizer, std::string_view text,
                                              std::span<const EncodedImage> images, uint32_t rowsPerImage)
{
    std::string prompt(text);
    size_t markers = 0;
    for (size_t at = prompt.find(kMediaMarker); at != std::string::npos; at = prompt.find(kMediaMarker, at + 1))
        ++markers;
    if (markers > images.size())
        return Status::failure("the prompt has " + std::to_string(markers) + " image markers (" +
                               std::string(kMediaMarker) + ") but " + std::to_string(images.size()) + " images");
    std::string head;
    for (size_t i = markers; i < images.size(); ++i)
        head += kMediaMarker;  // images without a marker go first
    prompt = head + prompt;
    std::vector<PromptChunk> chunks;
    size_t image = 0, start = 0;
    bool first = true;
    const std::string begin = "<start_of_image>", end = "<end_of_image>";
    std::string pending;  // text carried into the next piece (the end marker of the previous image)
    while (true) {
        const size_t at = prompt.find(kMediaMarker, start);
        std::string piece = pending + prompt.substr(start, at == std::string::npos ? std::string::npos : at - start);
        pending.clear();
        if (at != std::string::npos)
            piece += begin;
        if (!piece.empty() || first) {
            PromptChunk textChunk;
            textChunk.ids = tokenizer.tokenize(piece, first, true);
            if (!textChunk.ids.empty())
                chunks.push_back(std::move(textChunk));
        }
        first = false;
        if (at == std::string::npos)
            break;
        chunks.push_back(imageChunk(images[image++], rowsPerImage));
        pending = end;
        start = at + kMediaMarker.size();
    }
    return chunks;
}

// PaliGemma's prefix: image rows, <bos>, tokenize(text + "\n") without BOS, one bidirectional block.
Result<std::vector<PromptChunk>> layoutPaliGemma(const Tokenizer& tokenizer, std::string_view text,
                                                 std::span<const EncodedImage> images, uint32_t rowsPerImage)
{
    if (images.size() != 1)
        return Status::failure("PaliGemma takes exactly one image per prompt (" + std::to_string(images.size()) +
                               " given)");
    std::string prefix(text);
    for (size_t at = prefix.find(kMediaMarker); at != std::string::npos; at = prefix.find(kMediaMarker))
        prefix.erase(at, kMediaMarker.size());
    const TokenId bos = tokenizer.specialTokens().bos;
    if (bos == kNoToken)
        return Status::failure("the PaliGemma vocabulary has no BOS token");
    PromptChunk chunk = imageChunk(images[0], rowsPerImage);
    chunk.ids.push_back(bos);
    const std::vector<TokenId> textIds = tokenizer.tokenize(prefix + "\n", false, true);
    chunk.ids.insert(chunk.ids.end(), textIds.begin(), textIds.end());
    return std::vector<PromptChunk>{std::move(chunk)};
}

}  // namespace

Result<std::vector<PromptChunk>> layoutMultimodalPrompt(const Tokenizer& tokenizer, VisionProjector projector,
                                                        std::string_view text, std::span<const EncodedImage> images,
                                                        uint32_t rowsPerImage, uint32_t embeddingLength)
{
    for (const EncodedImage& image : images) {
        if (image.id >= 0 || image.rows.size() != size_t(rowsPerImage) * embeddingLength)
            return Status::failure("an image must come as " + std::to_string(rowsPerImage) + " rows of " +
                                   std::to_string(embeddingLength) + " values (the vision projector does not fit "
                                   "this language model)");
    }
    return projector == VisionProjector::PaliGemma ? layoutPaliGemma(tokenizer, text, images, rowsPerImage)
                                                   : layoutGemma3(tokenizer, text, images, rowsPerImage);
}

Status evaluatePromptChunks(Session& session, std::span<const PromptChunk> chunks, std::vector<float>& logits)
{
    if (chunks.empty())
        return Status::failure("nothing to evaluate");
    for (size_t i = 0; i < chunks.size(); ++i) {
        const PromptChunk& chunk = chunks[i];
        const Logits which = i + 1 == chunks.size() ? Logits::Last : Logits::None;
        Status s = chunk.rows.empty() && !chunk.bidirectional
                       ? session.evaluate(chunk.ids, which, logits)
                       : session.evaluateBlock(chunk.ids, chunk.rows, chunk.bidirectional, which, logits);
        if (!s)
            return s;
    }
    return {};
}

}  // namespace vela
