// The image side of a vision-language model: a SigLIP vision tower and its projector, loaded from an mmproj
// GGUF (llama.cpp's layout: `clip.*` keys, `v.*` and `mm.*` tensors; PaliGemma's in our layout, see
// shared/models/vision/PALIGEMMA_GGUF.md), run on the device. encode() turns one preprocessed image into the
// rows its decoder takes in place of image tokens (Session::evaluateBlock).
// Reference: llama.cpp tools/mtmd/clip.cpp (build_siglip, PROJECTOR_TYPE_GEMMA3); HF SiglipVisionModel and
// PaliGemmaMultiModalProjector.
#pragma once

#include "vela/device.h"
#include "vela/language_model.h"
#include "vela/status.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vela {

enum class ProjectorType {
    Gemma3,     // post-LN → 4×4 (n_merge) average pool → RMSNorm × mm.soft_emb_norm → mm.input_projection
    PaliGemma,  // post-LN → mm.0 (linear with bias); the decoder takes the rows unscaled
};

// How an image must be prepared for this encoder: the square input size, the per-channel normalisation
// (pixel/255 − mean) / std, and how the picture is fitted into the square.
struct ImagePreprocessing {
    uint32_t imageSize = 0;
    std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
    std::array<float, 3> std{0.5f, 0.5f, 0.5f};
    // Gemma 3 (llama.cpp): letterboxed with a bilinear resize onto black, alpha dropped.
    // PaliGemma (HF): stretched with Pillow's bicubic resize, alpha composited over white.
    ProjectorType projector = ProjectorType::Gemma3;
};

class VisionEncoder {
public:
    // Reads and checks the mmproj file, then uploads its weights (LoadOptions: device, validation, profile,
    // progress). Refuses, with the reason, files that are not a vision projector or use a projector Vela does
    // not run.
    static Result<std::unique_ptr<VisionEncoder>> load(const std::string& path, const LoadOptions& options = {});
    virtual ~VisionEncoder();

    virtual const ImagePreprocessing& preprocessing() const = 0;
    virtual uint32_t tokensPerImage() const = 0;   // rows encode() returns (Gemma 3: 256 / 16 = 16 in the fixture)
    virtual uint32_t outputLength() const = 0;     // values per row: the decoder's n_embd
    virtual ProjectorType projector() const = 0;
    virtual const DeviceDescription& device() const = 0;
    virtual uint64_t deviceBytes() const = 0;

    // pixels: (3, imageSize, imageSize) planar R, G, B, already normalised. Returns tokensPerImage() rows of
    // outputLength() values.
    virtual Result<std::vector<float>> encode(std::span<const float> pixels) = 0;

    virtual std::vector<std::string> validationErrors() const = 0;
    virtual std::map<std::string, KernelTime> kernelTimings() const = 0;
};

}  // namespace vela
