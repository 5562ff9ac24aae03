// UTF-8 pieces the tokenizers share: the lenient decoder llama.cpp tokenizes with (src/unicode.cpp
// unicode_cpt_from_utf8, a bad byte → U+FFFD) and the strict RFC 3629 probe the streaming decoder and
// sanitizeUtf8 (vela/tokenizer.h) replace invalid bytes with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vela::detail {

constexpr uint32_t kReplacementCodePoint = 0xFFFD;

// Appends the UTF-8 bytes of `cp` (no range check: the caller passes what decodeCodePoint gave).
void appendUtf8(uint32_t cp, std::string& out);

// Byte length of the UTF-8 sequence a lead byte starts, as llama.cpp's unicode_len_utf8 (1 for a stray
// continuation byte, 4 for 0xF8..0xFF).
size_t utf8Length(char lead);

// What decodeCodePoint does with a well-formed 4-byte sequence above U+10FFFF (lead F4 with 90..BF next,
// or F5..F7). llama.cpp's decoder returns the value and its encoder then throws, so there is no reference
// behaviour; each caller keeps the one it had:
enum class AboveMaxCodePoint {
    Keep,     // BpeTokenizer::decodeBytes: the value, so an unknown-byte marker shows all four bytes
    Replace,  // PreTokenizer::split: a bad byte (U+FFFD, advance by one), since PCRE2 needs valid UTF-8
};

// Decodes the code point at `offset` and advances past it, as unicode_cpt_from_utf8 plus the catch in
// unicode_cpts_from_utf8: no overlong or surrogate checks; a bad lead, a missing continuation byte or a
// truncated sequence gives U+FFFD and advances by one byte.
uint32_t decodeCodePoint(std::string_view s, size_t& offset, AboveMaxCodePoint aboveMax);

// How many bytes, from `at`, form a valid UTF-8 prefix (RFC 3629: no overlongs, surrogates or values past
// U+10FFFF), and how long the whole sequence must be. valid == need means a complete character; valid == 0
// means the lead byte itself is invalid.
struct Utf8Probe {
    size_t valid;
    size_t need;
};
Utf8Probe probeUtf8(std::string_view s, size_t at);

// What appendSanitized does with a valid but unfinished character at the very end.
enum class IncompleteTail {
    Hold,     // stop before it: more bytes may come (StreamingDecoder::push)
    Replace,  // it is invalid: U+FFFD (sanitizeUtf8, StreamingDecoder::flush)
};

// Appends `bytes` to `out` with each maximal invalid prefix replaced by one U+FFFD (as the Unicode standard
// recommends) and returns how many bytes it consumed: all of them unless a held tail is left.
size_t appendSanitized(std::string_view bytes, IncompleteTail tail, std::string& out);

}  // namespace vela::detail
