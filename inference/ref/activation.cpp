// Reference activations. Reference: llama.cpp ggml/src/ggml-cpu/vec.h, ops.cpp (softmax sums in double).
#include "ref/activation.h"

#include "vela/half.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace vela::ref {

float silu(float x)
{
    return x / (1.0f + std::exp(-x));
}

float gelu(float x)
{
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoefA = 0.044715f;
    return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoefA * x * x)));
}

float geluErf(float x)
{
    return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(1.0 / std::numbers::sqrt2)));
}

float geluGgml(float x)
{
    // The table covers (−10, 10); outside it ggml returns the asymptotes without rounding.
    if (x <= -10.0f)
        return 0.0f;
    if (x >= 10.0f)
        return x;
    const float h = fp16ToFp32(fp32ToFp16(x));
    return fp16ToFp32(fp32ToFp16(gelu(h)));
}

void swiglu(const float* gate, const float* up, float* out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = silu(gate[i]) * up[i];
}

void geglu(const float* gate, const float* up, float* out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = gelu(gate[i]) * up[i];
}

void gegluGgml(const float* gate, const float* up, float* out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        const float g = gate[i];
        out[i] = g <= -10.0f ? 0.0f : (g >= 10.0f ? g : geluGgml(g)) * up[i];
    }
}

void softmax(float* x, int64_t n)
{
    float max = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < n; ++i)
        max = std::max(max, x[i]);
    if (max == -std::numeric_limits<float>::infinity()) {
        std::fill(x, x + n, 0.0f);
        return;
    }
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max);
        sum += static_cast<double>(x[i]);
    }
    const float inverse = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < n; ++i)
        x[i] *= inverse;
}

void add(const float* a, const float* b, float* out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = a[i] + b[i];
}

void mul(const float* a, const float* b, float* out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        out[i] = a[i] * b[i];
}

}  // namespace vela::ref
