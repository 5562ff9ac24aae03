// The image side of a vision-language model: a SigLIP vision tower and its projector, loaded from an mmproj
// GGUF (llama.cpp's layout: `clip.*` keys, `v.*` and `mm.*` tensors; PaliGemma's in our layout, see
// shared/models/vision/PALIGEMMA_GGUF.md), run on the device. encode() turns one preprocessed image into the
// rows its decoder takes in place of image tokens (Session::evaluateBlock). Its input comes from
// preprocessImage(image, encoder.preprocessing()) (vela/image_preprocess.h).
// Reference: llama.cpp tools/mtmd/clip.cpp (build_siglip, PROJECTOR_TYPE_GEMMA3); HF SiglipVisionModel and
// PaliGemmaMultiModalProjector.
#pragma once

#include "vela/device.h"
#include "vela/image_preprocess.h"
#include "vela/language_model.h"
#include "vela/status.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vela {

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
    virtual VisionProjector projector() const = 0;
    virtual const DeviceDescription& device() const = 0;
    virtual uint64_t deviceBytes() const = 0;

    // pixels: (3, imageSize, imageSize) planar R, G, B, already normalised. Returns tokensPerImage() rows of
    // outputLength() values.
    virtual Result<std::vector<float>> encode(std::span<const float> pixels) = 0;

    virtual std::vector<std::string> validationErrors() const = 0;
    virtual std::map<std::string, KernelTime> kernelTimings() const = 0;
};

}  // namespace vela
