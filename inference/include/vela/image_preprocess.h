// Turning a decoded Image into the vision encoder's input, exactly as the reference implementation of each
// projector type does it, parameterised by the mmproj GGUF (clip.vision.image_size, image_mean, image_std,
// clip.projector_type):
//
//   gemma3     llama.cpp mtmd parity (tools/mtmd/mtmd-image.cpp, fixed-size preprocessor, PAD_CEIL):
//              alpha dropped (stb_image with 3 channels); letterbox: scale = min(S/w, S/h) in float32,
//              new = min(ceil(side·scale), S); llama.cpp's bilinear resize (corner-aligned, ratio
//              (side−1)/(new−1), float32 lerps, truncated to uint8, no antialias); pasted at
//              ((S−new_w)/2, (S−new_h)/2) on black;
//              (u8/255 − mean)/std in float32. Bit-exact against llama.cpp's captured encoder input.
//   paligemma  Hugging Face SiglipImageProcessor parity (preprocessor_config.json: resample 3 = BICUBIC):
//              non-RGB images alpha-composited over white, (c·a + 255·(255−a) + 127) / 255 (PIL); stretched
//              to S×S (no aspect kept) with Pillow's BICUBIC resampler (a = −0.5, support widened when
//              downscaling, 22-bit fixed-point weights, horizontal pass rounded to uint8, then vertical);
//              (u8/255 − mean)/std in double, stored as float. Bit-exact against Pillow.
//
// HF's Gemma 3 processor would stretch with bilinear instead; Vela follows llama.cpp for gemma3 because its
// mmproj files and goldens come from llama.cpp. Pure CPU code, thread-safe, no Vulkan.
#pragma once

#include "vela/gguf.h"
#include "vela/image.h"
#include "vela/status.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace vela {

enum class VisionProjector { Gemma3, PaliGemma };

std::string_view visionProjectorName(VisionProjector projector);  // the clip.projector_type string

enum class ImageFit { Letterbox, Stretch };
enum class ResizeFilter { BilinearLlamaCpp, BicubicPillow };
enum class AlphaHandling { Drop, OverWhite };

// Everything preprocessImage needs; preprocessingFor() fills fit/filter/alpha from the projector type.
struct ImagePreprocessing {
    VisionProjector projector = VisionProjector::Gemma3;
    uint32_t imageSize = 0;                   // S: the encoder's square input side (clip.vision.image_size)
    std::array<float, 3> mean{0.5f, 0.5f, 0.5f};  // per channel R, G, B, on the 0…1 scale
    std::array<float, 3> stddev{0.5f, 0.5f, 0.5f};
    ImageFit fit = ImageFit::Letterbox;
    ResizeFilter filter = ResizeFilter::BilinearLlamaCpp;
    AlphaHandling alpha = AlphaHandling::Drop;
};

// The reference preprocessing of `projector` for an S×S encoder with the given normalisation.
ImagePreprocessing preprocessingFor(VisionProjector projector, uint32_t imageSize,
                                    std::array<float, 3> mean, std::array<float, 3> stddev);

// Reads clip.projector_type (or clip.vision.projector_type), clip.vision.image_size, clip.vision.image_mean
// and clip.vision.image_std (f32 arrays of at least 3) from an mmproj GGUF. Fails, naming the key, when one
// is missing or invalid, and for projector types other than gemma3 and paligemma.
Result<ImagePreprocessing> readImagePreprocessing(const GgufFile& mmproj);

// The encoder's input for one image: float32, planar CHW = (3, S, S): all of R (row 0 left to right, then
// row 1, …), then G, then B. This is ggml's ne [S, S, 3] and HF's pixel_values[0]; the patch at grid cell
// (py, px) covers rows py·P … py·P+P−1 and columns px·P … px·P+P−1 of each plane.
// Values are (u8/255 − mean[c]) / std[c]: [−1, 1] for mean = std = 0.5; letterbox padding is black (−1).
struct ImageTensor {
    uint32_t size = 0;        // S
    std::vector<float> chw;   // (3, S, S)

    float at(uint32_t channel, uint32_t y, uint32_t x) const { return chw[(size_t(channel) * size + y) * size + x]; }
};

// Fails only for an empty image or an imageSize of 0.
Result<ImageTensor> preprocessImage(const Image& image, const ImagePreprocessing& preprocessing);

}  // namespace vela
