// The two resamplers the vision references use, reproduced bit for bit on 8-bit RGB.
#pragma once

#include <cstdint>
#include <vector>

namespace vela {

// (height, width, 3) interleaved 8-bit RGB.
struct Rgb8Image {
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<uint8_t> pixels;
};

// llama.cpp mtmd's bilinear resize as of the goldens' commit 3f545bec (tools/mtmd): source position
// x·(w−1)/(newW−1) in float32 (corner-aligned), x0 = min(int(pos), w−2), float32 lerps s + (e−s)·t
// horizontally then vertically, truncated to uint8; no antialiasing. Bit-exact against the captured encoder
// input. (Later llama.cpp divides by newW instead.) Where llama.cpp asserts a source side of at least 2, a
// side of 1 repeats its pixel. Same size: a copy.
Rgb8Image resizeBilinearLlamaCpp(const Rgb8Image& src, uint32_t width, uint32_t height);

// Pillow's Image.resize(…, BICUBIC) (src/libImaging/Resample.c, Pillow 9.4): cubic kernel a = −0.5 with
// support 2·max(1, scale), weights normalised in double then fixed-point with 22 fraction bits, the
// horizontal pass (rounded and clamped to uint8) before the vertical one; a dimension of equal size is skipped.
Rgb8Image resizeBicubicPillow(const Rgb8Image& src, uint32_t width, uint32_t height);

}  // namespace vela
