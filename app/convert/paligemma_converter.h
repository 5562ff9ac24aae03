// `vela-cli convert --paligemma`: a Hugging Face PaliGemma (1) folder → the text GGUF (an ordinary `gemma`
// model) and the mmproj GGUF (SigLIP tower + linear projector, `clip.projector_type = paligemma`), in the layout
// of shared/models/vision/PALIGEMMA_GGUF.md: Gemma's RMSNorm weights stored as 1 + w, matrices with the
// PyTorch bytes as they are (ne reversed), the SentencePiece vocabulary with llama.cpp's token types.
//
// Everything is read and checked (config, tokenizer, every tensor's name, dtype and shape) before the first
// byte is written; then the tensors are streamed one at a time, so a checkpoint larger than memory converts.
#pragma once

#include "vela/ggml_type.h"
#include "vela/status.h"

#include <cstddef>
#include <string>

namespace vela {

struct PaliGemmaConvertOptions {
    std::string inputFolder;   // config.json, *.safetensors, tokenizer.model, tokenizer_config.json, …
    std::string outputFolder;  // created when missing
    std::string name;          // NAME.gguf + NAME-mmproj.gguf and general.name; empty: the input folder's name
    // F32, or F16 for the matrices (token_embd, the blocks', mm.0); norms, biases and the vision embeddings stay
    // F32 as llama.cpp's converters keep them.
    GgmlType matrixType = GgmlType::F32;
};

struct PaliGemmaConversion {
    std::string textPath;
    std::string mmprojPath;
    size_t textTensors = 0;
    size_t mmprojTensors = 0;
};

// Refuses, with a message a user can act on, anything it cannot convert: not a PaliGemma folder, PaliGemma 2,
// a missing or misshapen tensor, an unsupported dtype, a truncated file. On failure no output file is left.
Result<PaliGemmaConversion> convertPaliGemma(const PaliGemmaConvertOptions& options);

}  // namespace vela
