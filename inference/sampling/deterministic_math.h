// The sampler's arithmetic that the standard library would compute differently on each platform, written
// out so that a seed gives the same tokens everywhere: the uniform draw and exp().
// Reference: libstdc++ <bits/random.tcc> (generate_canonical); Cephes expf (S. Moshier) for the polynomial.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

// Keep a·b + c as two roundings on every compiler (GCC in ISO mode does; clang would fuse on ARM64).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace vela::detail {

// A uniform double in [0, 1) from two outputs of std::mt19937, computed as libstdc++'s
// std::generate_canonical<double, 53> computes it, so it equals std::uniform_real_distribution<double>(0, 1)
// there (llama.cpp's dist sampler draws with that). The standard leaves this algorithm to the library, so
// MSVC's or libc++'s distribution would give other numbers from the same seed.
inline double uniformUnit(std::mt19937& rng)
{
    constexpr double kTwoPow32 = 4294967296.0;
    const double low = static_cast<double>(rng());
    const double high = static_cast<double>(rng());
    // high · 2^32 is exact; the sum is rounded once to 53 bits, and dividing by 2^64 is exact.
    const double u = (low + high * kTwoPow32) / (kTwoPow32 * kTwoPow32);
    // The rounding can reach 1.0; the result must stay below it.
    return u < 1.0 ? u : std::nextafter(1.0, 0.0);
}

// e^x in float within 2 ulp of the true value, from IEEE-754 basic operations only, so every platform gets
// the same bits (the math library's expf() differs in the last bit between libraries). Also keeps the
// sampler's loops free of calls into libm, whose AVX variants can be slow next to SSE code.
inline float deterministicExp(float x)
{
    if (!(x > -87.5f))  // below, the result is 0 or subnormal; -inf and NaN also land here
        return std::isnan(x) ? x : 0.0f;
    if (x > 88.7f)
        return std::numeric_limits<float>::infinity();
    // x = n·ln2 + r with |r| <= ln2/2; ln2 split in two so that n·ln2Hi is exact (Cody–Waite).
    constexpr float kLog2e = 1.44269504088896341f;
    constexpr float kLn2Hi = 0.693359375f;
    constexpr float kLn2Lo = -2.12194440e-4f;
    const float t = x * kLog2e + 0.5f;
    int n = static_cast<int>(t);  // floor(t), in [-126, 128]
    if (t < static_cast<float>(n))
        --n;
    const float nf = static_cast<float>(n);
    const float r = (x - nf * kLn2Hi) - nf * kLn2Lo;
    const float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float er = (p * r2 + r) + 1.0f;
    // · 2^n through the exponent bits (2^128 is not a float: two steps there).
    if (n > 127)
        return er * std::bit_cast<float>(uint32_t{254} << 23) * 2.0f;
    return er * std::bit_cast<float>(static_cast<uint32_t>(n + 127) << 23);
}

}  // namespace vela::detail
