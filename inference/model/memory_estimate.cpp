#include "vela/model_info.h"

#include "model/saturating.h"

#include <algorithm>
#include <cstdio>

namespace vela {

MemoryEstimate estimateMemory(const ModelInfo& info, uint32_t contextLength, uint32_t batchSize)
{
    MemoryEstimate estimate;
    estimate.contextLength = contextLength ? contextLength : std::max<uint32_t>(info.contextLength, 1);
    estimate.weightBytes = info.weightBytes;

    constexpr uint64_t kF16Bytes = 2;
    constexpr uint64_t kF32Bytes = 4;
    estimate.kvCacheBytes = saturatingMul(saturatingMul(info.kvValuesPerToken, estimate.contextLength), kF16Bytes);

    // One prompt batch in flight: the residual stream and its normalised copy, q/k/v/attention output, the two
    // FFN hidden vectors, and one f32 score row per head (the attention kernel tiles over the context, so no
    // n_ctx × n_ctx matrix exists), plus the logits of one position and a staging buffer for uploads.
    const uint64_t tokens = std::min(batchSize, estimate.contextLength);
    // Each field is below 2^32, so these sums of products cannot overflow 64 bits.
    const uint64_t qkvWidth = static_cast<uint64_t>(info.headCount) * info.headDimK +
                              static_cast<uint64_t>(info.headCountKv) * (info.headDimK + info.headDimV) +
                              static_cast<uint64_t>(info.headCount) * info.headDimV;
    const uint64_t perToken = 2ull * info.embeddingLength + qkvWidth + 2ull * info.feedForwardLength +
                              static_cast<uint64_t>(info.headCount) * 256;
    constexpr uint64_t kStagingBytes = 64ull << 20;
    estimate.scratchBytes = saturatingAdd(saturatingMul(saturatingMul(tokens, perToken), kF32Bytes),
                                          static_cast<uint64_t>(info.vocabSize) * kF32Bytes +
                                              std::min<uint64_t>(kStagingBytes, info.weightBytes));
    return estimate;
}

uint64_t MemoryEstimate::totalBytes() const
{
    return saturatingAdd(saturatingAdd(weightBytes, kvCacheBytes), scratchBytes);
}

std::string formatBytes(uint64_t bytes)
{
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(text, sizeof text, "%.2f %s", value, kUnits[unit]);
    return text;
}

}  // namespace vela
