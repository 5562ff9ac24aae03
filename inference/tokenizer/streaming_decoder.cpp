// StreamingDecoder: token pieces in, whole UTF-8 characters out. A character split across byte tokens
// (an emoji as four <0xNN> tokens) is held back until its last byte arrives.
#include "vela/tokenizer.h"

#include "tokenizer/utf8.h"

namespace vela {

namespace {

// Moves the decodable part of `pending` to the result; an incomplete character at the end stays pending.
std::string takeComplete(std::string& pending)
{
    std::string out;
    pending.erase(0, detail::appendSanitized(pending, detail::IncompleteTail::Hold, out));
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
    return takeComplete(m_pending);
}

std::string StreamingDecoder::flush()
{
    std::string out = sanitizeUtf8(m_pending);
    m_pending.clear();
    return out;
}

}  // namespace vela
