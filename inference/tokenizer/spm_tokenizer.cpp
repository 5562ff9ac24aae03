#include "tokenizer/spm_tokenizer.h"

#include "tokenizer/vocabulary.h"

#include <algorithm>
#include <queue>

namespace vela::detail {

namespace {

// Byte length of a UTF-8 sequence from its lead byte; stray continuation bytes count as one.
size_t utf8SequenceLength(char lead)
{
    static constexpr size_t kByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kByHighNibble[static_cast<unsigned char>(lead) >> 4];
}

// A run of text in a doubly linked list; merged-away symbols keep length 0.
struct Symbol {
    int prev;
    int next;
    size_t start;
    size_t length;
};

struct Bigram {
    int left;
    int right;
    float score;
    size_t length;
};

// Highest score on top; among equal scores the leftmost pair.
struct BigramOrder {
    bool operator()(const Bigram& a, const Bigram& b) const
    {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

class SentencePieceSession {
public:
    SentencePieceSession(const Vocabulary& vocab, std::string_view text) : m_vocab(vocab), m_text(text) {}

    void encode(std::vector<TokenId>& out)
    {
        splitCharacters();
        for (int i = 1; i < static_cast<int>(m_symbols.size()); ++i)
            queuePair(i - 1, i);
        mergePairs();
        for (int i = m_symbols.empty() ? -1 : 0; i != -1; i = m_symbols[static_cast<size_t>(i)].next)
            emitSymbol(m_symbols[static_cast<size_t>(i)], out);
    }

private:
    void splitCharacters()
    {
        m_symbols.reserve(m_text.size());
        for (size_t offset = 0; offset < m_text.size();) {
            const size_t length = std::min(utf8SequenceLength(m_text[offset]), m_text.size() - offset);
            const int index = static_cast<int>(m_symbols.size());
            offset += length;
            m_symbols.push_back({index - 1, offset == m_text.size() ? -1 : index + 1, offset - length, length});
        }
    }

    void queuePair(int left, int right)
    {
        if (left == -1 || right == -1)
            return;
        const Symbol& l = m_symbols[static_cast<size_t>(left)];
        const size_t length = l.length + m_symbols[static_cast<size_t>(right)].length;
        const TokenId id = m_vocab.find(m_text.substr(l.start, length));
        if (id == kNoToken)
            return;
        m_queue.push({left, right, m_vocab.token(id).score, length});
    }

    void mergePairs()
    {
        while (!m_queue.empty()) {
            const Bigram pair = m_queue.top();
            m_queue.pop();
            Symbol& left = m_symbols[static_cast<size_t>(pair.left)];
            Symbol& right = m_symbols[static_cast<size_t>(pair.right)];
            // A pair queued before one of its sides changed is stale.
            if (left.length == 0 || right.length == 0 || left.length + right.length != pair.length)
                continue;
            left.length += right.length;
            right.length = 0;
            left.next = right.next;
            if (right.next >= 0)
                m_symbols[static_cast<size_t>(right.next)].prev = pair.left;
            queuePair(left.prev, pair.left);
            queuePair(pair.left, left.next);
        }
    }

    // Every merged symbol is a token; only a single character can be missing from the vocabulary.
    void emitSymbol(const Symbol& symbol, std::vector<TokenId>& out) const
    {
        const std::string_view text = m_text.substr(symbol.start, symbol.length);
        if (const TokenId id = m_vocab.find(text); id != kNoToken) {
            out.push_back(id);
            return;
        }
        for (char byte : text) {
            TokenId id = m_vocab.byteToken(static_cast<uint8_t>(byte));
            if (id == kNoToken)
                id = m_vocab.specialTokens().unk;
            if (id != kNoToken)
                out.push_back(id);
        }
    }

    const Vocabulary& m_vocab;
    std::string_view m_text;
    std::vector<Symbol> m_symbols;
    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> m_queue;
};

}  // namespace

void encodeSentencePiece(const Vocabulary& vocab, std::string_view text, std::vector<TokenId>& out)
{
    SentencePieceSession(vocab, text).encode(out);
}

}  // namespace vela::detail
