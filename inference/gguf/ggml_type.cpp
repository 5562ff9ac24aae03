#include "vela/ggml_type.h"

#include <array>
#include <cctype>

namespace vela {
namespace {

// Block layouts from ggml's type table. Ids 4, 5 (Q4_2, Q4_3), 31–33 (Q4_0_4_4 …) and 36–38
// (IQ4_NL_4_4 …) were retired by ggml and are rejected as unknown.
constexpr std::array kTypes{
    GgmlTypeInfo{GgmlType::F32, "F32", 1, 4},
    GgmlTypeInfo{GgmlType::F16, "F16", 1, 2},
    GgmlTypeInfo{GgmlType::Q4_0, "Q4_0", 32, 18},
    GgmlTypeInfo{GgmlType::Q4_1, "Q4_1", 32, 20},
    GgmlTypeInfo{GgmlType::Q5_0, "Q5_0", 32, 22},
    GgmlTypeInfo{GgmlType::Q5_1, "Q5_1", 32, 24},
    GgmlTypeInfo{GgmlType::Q8_0, "Q8_0", 32, 34},
    GgmlTypeInfo{GgmlType::Q8_1, "Q8_1", 32, 36},
    GgmlTypeInfo{GgmlType::Q2_K, "Q2_K", 256, 84},
    GgmlTypeInfo{GgmlType::Q3_K, "Q3_K", 256, 110},
    GgmlTypeInfo{GgmlType::Q4_K, "Q4_K", 256, 144},
    GgmlTypeInfo{GgmlType::Q5_K, "Q5_K", 256, 176},
    GgmlTypeInfo{GgmlType::Q6_K, "Q6_K", 256, 210},
    GgmlTypeInfo{GgmlType::Q8_K, "Q8_K", 256, 292},
    GgmlTypeInfo{GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66},
    GgmlTypeInfo{GgmlType::IQ2_XS, "IQ2_XS", 256, 74},
    GgmlTypeInfo{GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98},
    GgmlTypeInfo{GgmlType::IQ1_S, "IQ1_S", 256, 50},
    GgmlTypeInfo{GgmlType::IQ4_NL, "IQ4_NL", 32, 18},
    GgmlTypeInfo{GgmlType::IQ3_S, "IQ3_S", 256, 110},
    GgmlTypeInfo{GgmlType::IQ2_S, "IQ2_S", 256, 82},
    GgmlTypeInfo{GgmlType::IQ4_XS, "IQ4_XS", 256, 136},
    GgmlTypeInfo{GgmlType::I8, "I8", 1, 1},
    GgmlTypeInfo{GgmlType::I16, "I16", 1, 2},
    GgmlTypeInfo{GgmlType::I32, "I32", 1, 4},
    GgmlTypeInfo{GgmlType::I64, "I64", 1, 8},
    GgmlTypeInfo{GgmlType::F64, "F64", 1, 8},
    GgmlTypeInfo{GgmlType::IQ1_M, "IQ1_M", 256, 56},
    GgmlTypeInfo{GgmlType::BF16, "BF16", 1, 2},
    GgmlTypeInfo{GgmlType::TQ1_0, "TQ1_0", 256, 54},
    GgmlTypeInfo{GgmlType::TQ2_0, "TQ2_0", 256, 66},
    GgmlTypeInfo{GgmlType::MXFP4, "MXFP4", 32, 17},
};

constexpr std::array kSupportedWeightTypes{
    GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1,
    GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K,
};

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

}  // namespace

std::optional<GgmlTypeInfo> ggmlTypeInfo(uint32_t typeId)
{
    for (const GgmlTypeInfo& info : kTypes) {
        if (static_cast<uint32_t>(info.type) == typeId)
            return info;
    }
    return std::nullopt;
}

GgmlTypeInfo ggmlTypeInfo(GgmlType type)
{
    return *ggmlTypeInfo(static_cast<uint32_t>(type));
}

std::string_view ggmlTypeName(GgmlType type)
{
    return ggmlTypeInfo(type).name;
}

std::optional<GgmlType> ggmlTypeFromName(std::string_view name)
{
    for (const GgmlTypeInfo& info : kTypes) {
        if (equalsIgnoringCase(info.name, name))
            return info.type;
    }
    return std::nullopt;
}

std::span<const GgmlType> supportedWeightTypes()
{
    return kSupportedWeightTypes;
}

bool isSupportedWeightType(GgmlType type)
{
    for (GgmlType t : kSupportedWeightTypes) {
        if (t == type)
            return true;
    }
    return false;
}

std::optional<uint64_t> ggmlRowBytes(GgmlType type, uint64_t elements)
{
    const GgmlTypeInfo info = ggmlTypeInfo(type);
    if (elements % info.blockSize != 0)
        return std::nullopt;
    return elements / info.blockSize * info.typeSize;
}

}  // namespace vela
