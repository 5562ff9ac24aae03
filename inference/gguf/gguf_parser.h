// Parses one GGUF image (one file of a possibly split model) into metadata and tensor infos.
#pragma once

#include "vela/gguf.h"

#include <span>
#include <string>

namespace vela {

struct GgufParsedPart {
    uint32_t version = 0;
    uint64_t alignment = 32;
    std::vector<GgufKeyValue> metadata;
    std::vector<GgufTensorInfo> tensors;  // fileIndex 0; offsets relative to dataStart
    uint64_t dataStart = 0;               // byte offset of the tensor data section
};

// Every problem is reported as "NAME: at byte N: what is wrong".
Result<GgufParsedPart> parseGgufPart(std::span<const uint8_t> bytes, const std::string& displayName);

}  // namespace vela
