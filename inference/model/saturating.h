// Saturating arithmetic for sizes computed from untrusted header values: a hostile file may claim absurd
// shapes, and an estimate that wrapped around would say a model fits when it cannot.
#pragma once

#include <cstdint>
#include <limits>

namespace vela {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

constexpr uint64_t saturatingAdd(uint64_t a, uint64_t b)
{
    return a > kSaturated - b ? kSaturated : a + b;
}

constexpr uint64_t saturatingMul(uint64_t a, uint64_t b)
{
    return (a != 0 && b > kSaturated / a) ? kSaturated : a * b;
}

}  // namespace vela
