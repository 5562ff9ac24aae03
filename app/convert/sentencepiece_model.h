// The vocabulary of a SentencePiece model file (`tokenizer.model`): the ModelProto protobuf, read by hand from
// its wire format so the converter needs no protobuf library. Only what a GGUF vocabulary takes is kept:
//   ModelProto { repeated SentencePiece pieces = 1; … }
//   SentencePiece { string piece = 1; float score = 2; Type type = 3 [default = NORMAL]; }
// Every other field (trainer_spec, normalizer_spec, …) is skipped by its wire type.
// Reference: sentencepiece/src/sentencepiece_model.proto; https://protobuf.dev/programming-guides/encoding/
#pragma once

#include "vela/status.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vela {

// The proto's enum values.
enum class SentencePieceType : uint8_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

struct SentencePiece {
    std::string piece;  // UTF-8; U+2581 (▁) stands for a space
    float score = 0;    // BPE: minus the merge rank; unigram: the log probability
    SentencePieceType type = SentencePieceType::Normal;
};

struct SentencePieceModel {
    std::vector<SentencePiece> pieces;  // in id order

    static Result<SentencePieceModel> parse(std::span<const uint8_t> bytes, const std::string& displayName);
    static Result<SentencePieceModel> load(const std::string& path);
};

}  // namespace vela
