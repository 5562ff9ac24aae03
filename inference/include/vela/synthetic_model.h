// Random-weight models of any shape and weight type, written as GGUF files the way llama.cpp's convert script
// lays them out (tensor names, shapes, metadata keys), for tests and benchmarks without downloads
// (`vela-cli synth`, DESIGN.md §3). llama.cpp loads the files too.
#pragma once

#include "vela/ggml_type.h"
#include "vela/status.h"

#include <cstdint>
#include <span>
#include <string>

namespace vela {

struct SyntheticLlamaSpec {
    std::string architecture = "llama";  // only "llama" for now
    uint32_t nEmbd = 0;
    uint32_t nLayer = 0;
    uint32_t nHead = 0;
    uint32_t nHeadKv = 0;
    uint32_t nFf = 0;
    uint32_t nVocab = 0;
    uint32_t contextLength = 4096;
    GgmlType type = GgmlType::F16;  // of every matrix, token_embd and output included; norms are F32
    // A GGUF whose `tokenizer.*` keys are copied (its token count must be nVocab); empty: a built-in
    // SentencePiece vocabulary of nVocab tokens (<unk>, <s>, </s>, the 256 <0xNN> bytes, then printable pieces).
    std::string vocabPath;
    uint64_t seed = 42;  // same spec and seed, same bytes
    std::string name = "synthetic-llama";  // general.name
};

// The weight types synth can write: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K … Q6_K.
std::span<const GgmlType> syntheticWeightTypes();

// Checks the spec without writing anything; the message names the bad value and what would work.
Status validateSyntheticLlama(const SyntheticLlamaSpec& spec);

// Writes the model to `path`, streaming: at most one tensor's data is in memory at a time.
// Matrices are ~ N(0, 0.02) (quantized types: valid random blocks of about that spread, every f16 scale
// finite), norm weights 1 + N(0, 0.02), each tensor drawn from its own stream of `seed`.
Status writeSyntheticLlama(const SyntheticLlamaSpec& spec, const std::string& path);

}  // namespace vela
