#include "documents/summary_prompts.h"

#include <algorithm>
#include <cmath>

namespace vela::app {

namespace {

// Where the body goes in the rendered prompt; the template never sees the body itself, so the document's
// text is never parsed for special tokens.
const QString kBodyMarker = QStringLiteral("<<VELA-SUMMARY-BODY>>");

// Words → tokens: the document's ratio, 30% for the model writing less tidily than it reads, and a few
// tokens for the end of a sentence.
constexpr double kTokenSlack = 1.3;
constexpr int kFixedTokens = 16;
constexpr int kMinimumWords = 5;

int nominalWords(SummaryLength length, bool final)
{
    switch (length) {
    case SummaryLength::Short: return final ? 100 : 50;
    case SummaryLength::Medium: return final ? 250 : 100;
    case SummaryLength::Detailed: return final ? 600 : 200;
    }
    return 100;
}

// U+2060 WORD JOINER: invisible, and it breaks a control token's text into ordinary text.
constexpr char kWordJoiner[] = "\xE2\x81\xA0";

size_t utf8Length(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

}  // namespace

QString summaryLengthName(SummaryLength length)
{
    switch (length) {
    case SummaryLength::Short: return QStringLiteral("short");
    case SummaryLength::Medium: return QStringLiteral("medium");
    case SummaryLength::Detailed: return QStringLiteral("detailed");
    }
    return {};
}

std::optional<SummaryLength> summaryLengthFromName(const QString& name)
{
    for (SummaryLength l : {SummaryLength::Short, SummaryLength::Medium, SummaryLength::Detailed})
        if (name.compare(summaryLengthName(l), Qt::CaseInsensitive) == 0)
            return l;
    return std::nullopt;
}

AnswerBudget nominalAnswerBudget(SummaryLength length, bool final, double tokensPerWord)
{
    const int words = nominalWords(length, final);
    return {words, static_cast<int>(std::ceil(words * tokensPerWord * kTokenSlack)) + kFixedTokens};
}

AnswerBudget capAnswerBudget(AnswerBudget budget, int maxTokens, double tokensPerWord)
{
    if (budget.maxTokens <= maxTokens)
        return budget;
    const int words = static_cast<int>((maxTokens - kFixedTokens) / (tokensPerWord * kTokenSlack));
    return {std::max(kMinimumWords, std::min(budget.words, words)), maxTokens};
}

SummaryPrompts::SummaryPrompts(PromptBuilder format, const Tokenizer& tokenizer, SummaryOptions options, QString title)
    : m_format(std::move(format)), m_tokenizer(&tokenizer), m_options(std::move(options)), m_title(std::move(title))
{
    collectReservedTexts();
}

// The instructions are the same for every pass of a kind (where the part is comes in the request), so the
// session keeps them cached from one part to the next.
QString SummaryPrompts::instructions(SummaryPass pass, int words) const
{
    QString text;
    switch (pass) {
    case SummaryPass::Single:
        text = QStringLiteral("Summarize the document \"%1\" in at most %2 words, keeping its main points, names and "
                              "figures in order and citing the pages or sections they come from in parentheses, as in "
                              "(p. 4) or (§ Results).");
        break;
    case SummaryPass::Map:
        text = QStringLiteral("Summarize this part of the document \"%1\" in at most %2 words, keeping its main "
                              "points, names and figures.");
        break;
    case SummaryPass::Reduce:
        text = QStringLiteral("Combine these summaries of consecutive parts of the document \"%1\" into one summary "
                              "of at most %2 words. Each starts with the pages or sections it covers in brackets; keep "
                              "the points in order and cite them in parentheses, as in (pp. 3–5) or (§ Results).");
        break;
    }
    text = text.arg(m_title, QString::number(words));  // one arg(): a title holding "%2" stays as it is
    if (!m_options.focus.trimmed().isEmpty())
        text += QStringLiteral(" Focus on: %1.").arg(m_options.focus.trimmed());
    if (!m_options.language.trimmed().isEmpty())
        text += QStringLiteral(" Write in %1.").arg(m_options.language.trimmed());
    return text + QStringLiteral(" Write only the summary.");
}

QString SummaryPrompts::request(SummaryPass pass, const QString& where) const
{
    const QString place = where.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(where);
    switch (pass) {
    case SummaryPass::Single: return QStringLiteral("Document%1:\n\n").arg(place);
    case SummaryPass::Map: return QStringLiteral("Part of the document%1:\n\n").arg(place);
    case SummaryPass::Reduce: return QStringLiteral("Summaries of the parts%1:\n\n").arg(place);
    }
    return {};
}

SummaryPrompts::Parts SummaryPrompts::render(SummaryPass pass, const QString& where, int words) const
{
    // A base model has no turn to answer in: the prompt ends with a cue it continues.
    const QString cue = m_format.usesTemplate()
                            ? QString()
                            : (pass == SummaryPass::Reduce ? QStringLiteral("\n\nCombined summary:")
                                                           : QStringLiteral("\n\nSummary:"));
    // The instructions open the user's message rather than a system message, which some templates drop
    // (Phi-3's): every model reads them, and they still come first, so they stay cached between parts.
    Message message;
    message.role = MessageRole::User;
    message.content = instructions(pass, words) + QStringLiteral("\n\n") + request(pass, where) + kBodyMarker + cue;
    QString rendered = m_format.build({}, {message});
    qsizetype at = rendered.indexOf(kBodyMarker);
    if (at < 0) {  // a template that rewrites the message: plain text still keeps the document apart
        rendered = PromptBuilder::buildPlain({}, {message});
        at = rendered.indexOf(kBodyMarker);
    }
    return {rendered.left(at), rendered.mid(at + kBodyMarker.size())};
}

std::vector<TokenId> SummaryPrompts::tokenize(SummaryPass pass, const QString& where, const QString& body, int words) const
{
    const Parts parts = render(pass, where, words);
    const std::string text = parts.before.toStdString() + neutralize(body.toStdString()) + parts.after.toStdString();
    return m_tokenizer->tokenize(text, true, true);
}

int SummaryPrompts::overheadTokens(SummaryPass pass, const QString& where, int words) const
{
    const Parts parts = render(pass, where, words);
    return static_cast<int>(m_tokenizer->tokenize((parts.before + parts.after).toStdString(), true, true).size());
}

int SummaryPrompts::countBodyTokens(const QString& text) const
{
    return static_cast<int>(m_tokenizer->tokenize(neutralize(text.toStdString()), false, false).size());
}

void SummaryPrompts::collectReservedTexts()
{
    for (TokenId id = 0; id < m_tokenizer->vocabSize(); ++id) {
        const TokenType type = m_tokenizer->tokenType(id);
        const std::string_view text = m_tokenizer->tokenText(id);
        if (text.empty())
            continue;
        const bool markup = type == TokenType::UserDefined && text.size() >= 3 && (text.front() == '<' || text.front() == '[') &&
                            text.find_first_of(" \t\n\r") == std::string_view::npos;
        if (type == TokenType::Control || type == TokenType::Unknown || markup)
            m_reservedTexts[static_cast<unsigned char>(text.front())].emplace_back(text);
    }
}

std::string SummaryPrompts::neutralize(const std::string& text) const
{
    if (m_reservedTexts.empty())
        return text;
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto bucket = m_reservedTexts.find(static_cast<unsigned char>(text[i]));
        const bool reserved = bucket != m_reservedTexts.end() &&
                              std::any_of(bucket->second.begin(), bucket->second.end(),
                                          [&](const std::string& r) { return text.compare(i, r.size(), r) == 0; });
        const size_t n = std::min(utf8Length(static_cast<unsigned char>(text[i])), text.size() - i);
        out.append(text, i, n);
        if (reserved)
            out += kWordJoiner;
        i += n;
    }
    return out;
}

QString SummaryPrompts::labelledSummary(const QString& where, const QString& text)
{
    return QStringLiteral("[%1]\n%2").arg(where, text);
}

}  // namespace vela::app
