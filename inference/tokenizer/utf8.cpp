#include "tokenizer/utf8.h"

#include "vela/tokenizer.h"

#include <array>

namespace vela::detail {

void appendUtf8(uint32_t cp, std::string& out)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

size_t utf8Length(char lead)
{
    static constexpr std::array<uint8_t, 16> kLengths{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kLengths[static_cast<uint8_t>(lead) >> 4];
}

uint32_t decodeCodePoint(std::string_view s, size_t& offset, AboveMaxCodePoint aboveMax)
{
    const size_t length = utf8Length(s[offset]);
    const auto lead = static_cast<uint8_t>(s[offset]);
    const bool badLead = (lead & 0xC0) == 0x80 || (lead & 0xF8) == 0xF8;
    bool ok = !badLead && offset + length <= s.size();
    uint32_t cp = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t i = 1; ok && i < length; ++i) {
        const auto b = static_cast<uint8_t>(s[offset + i]);
        ok = (b & 0xC0) == 0x80;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (ok && aboveMax == AboveMaxCodePoint::Replace)
        ok = cp <= 0x10FFFF;
    if (!ok) {
        offset += 1;
        return kReplacementCodePoint;
    }
    offset += length;
    return cp;
}

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

size_t appendSanitized(std::string_view bytes, IncompleteTail tail, std::string& out)
{
    size_t at = 0;
    while (at < bytes.size()) {
        const Utf8Probe probe = probeUtf8(bytes, at);
        if (probe.valid == probe.need) {
            out.append(bytes, at, probe.need);
            at += probe.need;
        } else if (tail == IncompleteTail::Hold && at + probe.valid == bytes.size() && probe.valid > 0) {
            break;  // the rest of this character may come later
        } else {
            appendUtf8(kReplacementCodePoint, out);
            at += probe.valid > 0 ? probe.valid : 1;
        }
    }
    return at;
}

}  // namespace vela::detail

namespace vela {

std::string sanitizeUtf8(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    detail::appendSanitized(bytes, detail::IncompleteTail::Replace, out);
    return out;
}

}  // namespace vela
