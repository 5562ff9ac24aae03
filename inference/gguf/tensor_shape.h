// Checking that a GGUF file holds a tensor of the shape an architecture expects, with a message that names the
// tensor and both shapes. Shared by the model readers (llama_params, clip_params).
#pragma once

#include "vela/gguf.h"
#include "vela/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vela {

// "[a, b, c]"
std::string shapeText(const std::vector<uint64_t>& dims);

// The tensor exists with exactly `dims` (ne0 first; unused trailing dimensions must be 1). A missing tensor is
// an error only when `required`.
Status checkTensorShape(const GgufFile& file, const std::string& name, const std::vector<uint64_t>& dims,
                        bool required);

}  // namespace vela
