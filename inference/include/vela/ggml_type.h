// The ggml tensor element types as numbered in GGUF files, with their block layout.
// Sizes follow ggml's type table (ggml.c `type_traits`): a tensor row of n elements takes
// n / blockSize * typeSize bytes, and n must be a multiple of blockSize.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vela {

enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
};

struct GgmlTypeInfo {
    GgmlType type;
    std::string_view name;  // as ggml spells it: "Q4_K", "BF16", …
    uint32_t blockSize;     // elements per block
    uint32_t typeSize;      // bytes per block
};

// The traits of a type id read from a file; nullopt for ids ggml does not define (or has retired).
std::optional<GgmlTypeInfo> ggmlTypeInfo(uint32_t typeId);
GgmlTypeInfo ggmlTypeInfo(GgmlType type);
std::string_view ggmlTypeName(GgmlType type);
// Parses a name such as "q4_k" or "F16" (case-insensitive).
std::optional<GgmlType> ggmlTypeFromName(std::string_view name);

// The weight types Vela's kernels run (DESIGN.md §4): F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and
// Q2_K … Q6_K. The IQ types and the rest are read and described, but not run.
std::span<const GgmlType> supportedWeightTypes();
bool isSupportedWeightType(GgmlType type);

// Bytes taken by `elements` elements of `type`; nullopt when `elements` is not a whole number of blocks.
std::optional<uint64_t> ggmlRowBytes(GgmlType type, uint64_t elements);

}  // namespace vela
