#include "vision/image_resize.h"

#include <algorithm>
#include <cmath>

namespace vela {

namespace {

// llama.cpp's lerp, term for term: s + (e − s)·t in float32.
float lerp(float s, float e, float t)
{
    return s + (e - s) * t;
}

// Pillow's fixed point for 8-bit images: 32 − 8 bits of pixel − 2 bits of headroom.
constexpr int kPrecisionBits = 32 - 8 - 2;

double bicubicKernel(double x)
{
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

// One dimension's filter: for output index i, `taps` weights starting at input index first[i].
struct Filter {
    int taps = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<int32_t> weights;  // (outSize, taps), fixed point
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc for the box [0, inSize].
Filter bicubicFilter(int inSize, int outSize)
{
    const double scale = double(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = 2.0 * filterScale;
    const double invScale = 1.0 / filterScale;  // Pillow multiplies by the reciprocal; dividing rounds differently
    Filter f;
    f.taps = int(std::ceil(support)) * 2 + 1;
    f.first.resize(outSize);
    f.count.resize(outSize);
    f.weights.assign(size_t(outSize) * f.taps, 0);
    std::vector<double> k(f.taps);
    for (int out = 0; out < outSize; ++out) {
        const double center = (out + 0.5) * scale;
        const int lo = std::max(int(center - support + 0.5), 0);
        const int hi = std::min(int(center + support + 0.5), inSize);
        double sum = 0.0;
        for (int i = 0; i < hi - lo; ++i) {
            k[i] = bicubicKernel((i + lo - center + 0.5) * invScale);
            sum += k[i];
        }
        for (int i = 0; i < hi - lo; ++i) {
            const double w = sum != 0.0 ? k[i] / sum : k[i];
            const double fixed = w * (1 << kPrecisionBits);
            f.weights[size_t(out) * f.taps + i] = int32_t(w < 0 ? fixed - 0.5 : fixed + 0.5);
        }
        f.first[out] = lo;
        f.count[out] = hi - lo;
    }
    return f;
}

uint8_t clipFixed(int64_t sum)
{
    return uint8_t(std::clamp<int64_t>(sum >> kPrecisionBits, 0, 255));
}

// Resamples along x (horizontal = true) or y; the other dimension keeps its size.
Rgb8Image resamplePass(const Rgb8Image& src, const Filter& f, uint32_t outSize, bool horizontal)
{
    Rgb8Image dst;
    dst.width = horizontal ? outSize : src.width;
    dst.height = horizontal ? src.height : outSize;
    dst.pixels.resize(size_t(dst.width) * dst.height * 3);
    for (uint32_t y = 0; y < dst.height; ++y) {
        for (uint32_t x = 0; x < dst.width; ++x) {
            const uint32_t o = horizontal ? x : y;
            const int32_t* w = &f.weights[size_t(o) * f.taps];
            int64_t sum[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
            for (int i = 0; i < f.count[o]; ++i) {
                const uint32_t sx = horizontal ? uint32_t(f.first[o] + i) : x;
                const uint32_t sy = horizontal ? y : uint32_t(f.first[o] + i);
                const uint8_t* p = &src.pixels[(size_t(sy) * src.width + sx) * 3];
                for (int c = 0; c < 3; ++c)
                    sum[c] += int64_t(p[c]) * w[i];
            }
            uint8_t* q = &dst.pixels[(size_t(y) * dst.width + x) * 3];
            for (int c = 0; c < 3; ++c)
                q[c] = clipFixed(sum[c]);
        }
    }
    return dst;
}

}  // namespace

Rgb8Image resizeBilinearLlamaCpp(const Rgb8Image& src, uint32_t width, uint32_t height)
{
    if (src.width == width && src.height == height)
        return src;
    Rgb8Image dst{width, height, std::vector<uint8_t>(size_t(width) * height * 3)};
    // Corner-aligned: output 0 and new−1 sit on source 0 and side−1. A 1-px output (llama.cpp would divide by
    // zero) takes the first source pixel.
    const float xRatio = width > 1 ? float(int(src.width) - 1) / float(int(width) - 1) : 0.0f;
    const float yRatio = height > 1 ? float(int(src.height) - 1) / float(int(height) - 1) : 0.0f;
    const int maxX0 = std::max(int(src.width) - 2, 0);
    const int maxY0 = std::max(int(src.height) - 2, 0);
    for (uint32_t y = 0; y < height; ++y) {
        const float py = yRatio * float(y);
        const int y0 = std::min(int(py), maxY0);
        const int y1 = std::min(y0 + 1, int(src.height) - 1);
        const float yLerp = py - float(y0);
        for (uint32_t x = 0; x < width; ++x) {
            const float px = xRatio * float(x);
            const int x0 = std::min(int(px), maxX0);
            const int x1 = std::min(x0 + 1, int(src.width) - 1);
            const float xLerp = px - float(x0);
            auto at = [&](int sx, int sy, int c) { return float(src.pixels[(size_t(sy) * src.width + sx) * 3 + c]); };
            for (int c = 0; c < 3; ++c) {
                const float top = lerp(at(x0, y0, c), at(x1, y0, c), xLerp);
                const float bottom = lerp(at(x0, y1, c), at(x1, y1, c), xLerp);
                dst.pixels[(size_t(y) * width + x) * 3 + c] = uint8_t(lerp(top, bottom, yLerp));
            }
        }
    }
    return dst;
}

Rgb8Image resizeBicubicPillow(const Rgb8Image& src, uint32_t width, uint32_t height)
{
    Rgb8Image out = src;
    if (width != src.width)
        out = resamplePass(out, bicubicFilter(int(src.width), int(width)), width, true);
    if (height != src.height)
        out = resamplePass(out, bicubicFilter(int(src.height), int(height)), height, false);
    return out;
}

}  // namespace vela
