// The uniform draw of the sampler, fixed here rather than left to the standard library.
#pragma once

#include <cmath>
#include <random>

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

}  // namespace vela::detail
