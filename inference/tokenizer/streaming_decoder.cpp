// StreamingDecoder: token pieces in, whole UTF-8 characters out. A character split across byte tokens
// (an emoji as four <0xNN> tokens) is held back until its last byte arrives.
#include "vela/tokenizer.h"

namespace vela {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// How many bytes, from `at`, form a valid UTF-8 prefix (RFC 3629: no overlongs, surrogates or values past
// U+10FFFF), and how long the whole sequence must be. valid == need means a complete character.
struct Utf8Probe {
    size_t valid;
    size_t need;
};

Utf8Probe probeUtf8(std::string_view s, size_t at)
{
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80)
        return {1, 1};
    size_t need = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return {0, 1};
    }
    size_t valid = 1;
    for (size_t i = at + 1; i < s.size() && valid < need; ++i, ++valid) {
        const unsigned char b = byte(i);
        const bool ok = valid == 1 ? (b >= low && b <= high) : (b >= 0x80 && b <= 0xBF);
        if (!ok)
            break;
    }
    return {valid, need};
}

// Moves the decodable part of `pending` to the result. An incomplete character at the end stays pending
// unless `final`; invalid bytes become U+FFFD (one per maximal invalid prefix, as the Unicode standard
// recommends).
std::string takeComplete(std::string& pending, bool final)
{
    std::string out;
    size_t at = 0;
    while (at < pending.size()) {
        const Utf8Probe probe = probeUtf8(pending, at);
        if (probe.valid == probe.need) {
            out.append(pending, at, probe.need);
            at += probe.need;
        } else if (!final && at + probe.valid == pending.size() && probe.valid > 0) {
            break;  // the rest of this character may come with the next token
        } else {
            out.append(kReplacement);
            at += probe.valid > 0 ? probe.valid : 1;
        }
    }
    pending.erase(0, at);
    return out;
}

}  // namespace

StreamingDecoder::StreamingDecoder(const Tokenizer& tokenizer, bool renderSpecial)
    : m_tokenizer(&tokenizer), m_renderSpecial(renderSpecial)
{
}

std::string StreamingDecoder::push(TokenId id)
{
    std::string piece = m_tokenizer->tokenToPiece(id, m_renderSpecial);
    // As detokenize: the space SentencePiece put before the text is not part of it.
    if (m_atStart && m_tokenizer->addsSpacePrefix() && !piece.empty() && piece.front() == ' ')
        piece.erase(0, 1);
    m_atStart = false;
    m_pending += piece;
    return takeComplete(m_pending, false);
}

std::string StreamingDecoder::flush()
{
    return takeComplete(m_pending, true);
}

}  // namespace vela
