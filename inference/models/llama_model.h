// The `llama` architecture on Vulkan (Llama 1/2/3, Mistral, TinyLlama, …): weights on the device and the
// forward pass as a sequence of kernel dispatches. Reference: llama.cpp src/models/llama.cpp; the math
// is that of vela::ref::LlamaReference, the CPU oracle it is tested against.
#pragma once

#include "vela/language_model.h"
#include "vela/llama_params.h"

#include <memory>

namespace vela::models {

Result<std::unique_ptr<LanguageModel>> loadLlama(GgufFile file, const LoadOptions& options);

}  // namespace vela::models
