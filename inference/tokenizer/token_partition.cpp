#include "tokenizer/token_partition.h"

#include "tokenizer/vocabulary.h"

namespace vela::detail {

namespace {

// C-locale isspace, without its undefined behaviour for negative chars.
bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trimTrailingSpace(std::string_view s)
{
    while (!s.empty() && isAsciiSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string_view trimLeadingSpace(std::string_view s)
{
    while (!s.empty() && isAsciiSpace(s.front()))
        s.remove_prefix(1);
    return s;
}

// Splits one raw fragment at every occurrence of the special token `id`.
void splitFragment(std::string_view rest, TokenId id, std::string_view tokenText, TokenAttrs attrs,
                   std::vector<Fragment>& out)
{
    for (size_t hit; (hit = rest.find(tokenText)) != std::string_view::npos;) {
        std::string_view left = rest.substr(0, hit);
        if (attrs & kAttrLstrip)
            left = trimTrailingSpace(left);
        if (!left.empty())
            out.push_back({kNoToken, left});
        out.push_back({id, {}});
        rest = rest.substr(hit + tokenText.size());
        if (attrs & kAttrRstrip)
            rest = trimLeadingSpace(rest);
    }
    if (!rest.empty())
        out.push_back({kNoToken, rest});
}

}  // namespace

std::vector<Fragment> partitionSpecialTokens(const Vocabulary& vocab, std::string_view text, bool parseSpecial)
{
    std::vector<Fragment> fragments;
    if (text.empty())
        return fragments;
    fragments.push_back({kNoToken, text});

    std::vector<Fragment> next;
    for (const TokenId id : vocab.specialTokenCache()) {
        const Vocabulary::Token& token = vocab.token(id);
        if (!parseSpecial && (token.attrs & (kAttrControl | kAttrUnknown)))
            continue;
        if (token.text.empty())
            continue;
        next.clear();
        for (const Fragment& fragment : fragments) {
            if (fragment.isRawText())
                splitFragment(fragment.text, id, token.text, token.attrs, next);
            else
                next.push_back(fragment);
        }
        fragments.swap(next);
    }
    return fragments;
}

}  // namespace vela::detail
