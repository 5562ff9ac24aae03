// Byte-level BPE as llama.cpp (commit 3f545bec) runs it: src/llama-vocab.cpp llm_tokenizer_bpe_session
// (merge queue, ignore_merges, per-byte fallback), llama_decode_text (token text → bytes), and the GPT-2
// byte ↔ code point table of OpenAI's encoder.py bytes_to_unicode() (src/unicode.cpp in llama.cpp).
#include "bpe_tokenizer.h"

#include "tokenizer/utf8.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <queue>

namespace vela::detail {

namespace {

// GPT-2 gives every byte a printable code point: the printable Latin-1 bytes keep their own, the other
// 68 (controls, space, DEL, NBSP, soft hyphen) take U+0100 upwards in byte order, so that no token text
// holds whitespace or control characters.
struct ByteTable {
    std::array<uint32_t, 256> codePoint{};
    std::array<int16_t, 256 + 68> byteOf{};  // indexed by code point; -1 where none

    ByteTable()
    {
        byteOf.fill(-1);
        uint32_t next = 256;
        for (uint32_t b = 0; b < 256; ++b) {
            const bool keeps = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            codePoint[b] = keeps ? b : next++;
            byteOf[codePoint[b]] = static_cast<int16_t>(b);
        }
    }
};

const ByteTable& byteTable()
{
    static const ByteTable table;
    return table;
}

// One symbol of a word being merged: a byte range of the word, linked to its live neighbours.
struct Symbol {
    int prev;
    int next;
    uint32_t begin;
    uint32_t length;  // 0 once merged into its left neighbour
};

// A candidate merge of two neighbouring symbols. The lowest rank merges first; among equal ranks the
// leftmost, as in llama.cpp (and HF tokenizers).
struct Bigram {
    int left;
    int right;
    int32_t rank;
    uint32_t length;  // both symbols' lengths when queued: a change means the bigram is stale

    bool operator>(const Bigram& other) const
    {
        return rank != other.rank ? rank > other.rank : left > other.left;
    }
};

}  // namespace

Result<BpeTokenizer> BpeTokenizer::create(const std::vector<std::string>& tokens,
                                          const std::vector<std::string>& merges, std::string_view pre)
{
    Result<PreTokenizer> preTokenizer = PreTokenizer::create(pre);
    if (!preTokenizer)
        return preTokenizer.status();
    BpeTokenizer bpe(std::move(preTokenizer).value());

    bpe.m_tokenIds.reserve(tokens.size());
    for (size_t id = 0; id < tokens.size(); ++id) {
        // As llama.cpp: an empty entry gets a placeholder name, and a repeated text maps to its last id.
        std::string text = tokens[id].empty() ? "[EMPTY_" + std::to_string(id) + "]" : tokens[id];
        bpe.m_tokenIds.insert_or_assign(std::move(text), static_cast<TokenId>(id));
    }

    // A merge "left right" splits at the first space after its first character. Symbol texts are
    // byte-encoded and never hold a space, so the line itself is the lookup key; the first of two equal
    // lines keeps its rank.
    bpe.m_mergeRanks.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const std::string& line = merges[rank];
        if (line.size() < 2 || line.find(' ', 1) == std::string::npos)
            continue;
        bpe.m_mergeRanks.emplace(line, static_cast<int32_t>(rank));
    }
    return bpe;
}

TokenId BpeTokenizer::findToken(std::string_view text) const
{
    thread_local std::string key;
    key.assign(text);
    const auto it = m_tokenIds.find(key);
    return it == m_tokenIds.end() ? kNoToken : it->second;
}

int32_t BpeTokenizer::mergeRank(std::string_view left, std::string_view right) const
{
    thread_local std::string key;  // reused: no allocation per lookup
    key.assign(left);
    key += ' ';
    key.append(right);
    const auto it = m_mergeRanks.find(key);
    return it == m_mergeRanks.end() ? -1 : it->second;
}

std::string BpeTokenizer::encodeBytes(std::string_view bytes)
{
    const ByteTable& table = byteTable();
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        appendUtf8(table.codePoint[static_cast<uint8_t>(c)], out);
    return out;
}

std::string BpeTokenizer::decodeBytes(std::string_view tokenText)
{
    const ByteTable& table = byteTable();
    std::string out;
    out.reserve(tokenText.size());
    for (size_t offset = 0; offset < tokenText.size();) {
        const uint32_t cp = decodeCodePoint(tokenText, offset, AboveMaxCodePoint::Keep);
        if (cp < table.byteOf.size() && table.byteOf[cp] >= 0) {
            out += static_cast<char>(table.byteOf[cp]);
            continue;
        }
        // llama_decode_text's marker for a code point with no byte, followed by the whole token text.
        std::string utf8;
        appendUtf8(cp, utf8);
        out += "[UNK_BYTE_0x";
        for (const char c : utf8) {
            std::array<char, 3> hex{};
            std::snprintf(hex.data(), hex.size(), "%02x", static_cast<uint8_t>(c));
            out += hex.data();
        }
        out.append(tokenText);
        out += ']';
    }
    return out;
}

void BpeTokenizer::encode(std::string_view fragment, std::vector<TokenId>& out) const
{
    for (const std::string& word : m_pre.split(fragment)) {
        const std::string encoded = encodeBytes(word);
        if (m_pre.flags().ignoreMerges) {
            const TokenId whole = findToken(encoded);
            if (whole != kNoToken) {
                out.push_back(whole);
                continue;
            }
        }
        encodeWord(encoded, out);
    }
}

void BpeTokenizer::encodeWord(std::string_view word, std::vector<TokenId>& out) const
{
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    for (size_t offset = 0; offset < word.size();) {
        const size_t length = std::min(word.size() - offset, utf8Length(word[offset]));
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, offset + length == word.size() ? -1 : index + 1, static_cast<uint32_t>(offset),
                           static_cast<uint32_t>(length)});
        offset += length;
    }
    const auto text = [&](const Symbol& s) { return word.substr(s.begin, s.length); };

    std::priority_queue<Bigram, std::vector<Bigram>, std::greater<>> queue;
    const auto pushBigram = [&](int left, int right) {
        if (left < 0 || right < 0)
            return;
        const int32_t rank = mergeRank(text(symbols[left]), text(symbols[right]));
        if (rank >= 0)
            queue.push({left, right, rank, symbols[left].length + symbols[right].length});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i)
        pushBigram(i - 1, i);

    while (!queue.empty()) {
        const Bigram bigram = queue.top();
        queue.pop();
        Symbol& left = symbols[bigram.left];
        Symbol& right = symbols[bigram.right];
        if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length)
            continue;
        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = bigram.left;
        pushBigram(left.prev, bigram.left);
        pushBigram(bigram.left, left.next);
    }

    for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next) {
        const std::string_view piece = text(symbols[i]);
        const TokenId id = findToken(piece);
        if (id != kNoToken) {
            out.push_back(id);
            continue;
        }
        // llama.cpp looks each byte of an unknown symbol up as a one-byte token and drops the misses.
        for (const char c : piece) {
            const TokenId byteId = findToken(std::string_view(&c, 1));
            if (byteId != kNoToken)
                out.push_back(byteId);
        }
    }
}

}  // namespace vela::detail
