#include "documents/document_passages.h"

#include "documents/text_splitter.h"

#include <QStringList>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace vela::app {

namespace {

// BM25's usual constants: term-frequency saturation and length normalization.
constexpr double kBm25K1 = 1.2;
constexpr double kBm25B = 0.75;
// A heading or a new page starts a new passage once the current one is this full, so passages cite one page
// or one section where they can without becoming scraps.
constexpr double kHeadingBreak = 0.5;
constexpr double kPageBreak = 0.5;
// Characters counted with countTokens to learn the document's tokens per character.
constexpr qsizetype kCalibrationChars = 16000;
constexpr int kMinPassageTokens = 16;
// A passage estimated at more than this many times the budget left is not counted: it will not fit.
constexpr double kHopelessEstimate = 2.0;
// At most this many passages beyond the budget's worth are counted exactly, so a question matching every
// passage of a huge document does not tokenize all of it.
constexpr int kSpareCounts = 32;
constexpr qsizetype kLongestStopWord = 6;

// Sorted, for a binary search: hashing every word of a long document costs more than a few comparisons.
bool isStopWord(const QString& word)
{
    static const std::vector<QString> words = [] {
        const char* list[] = {"a",     "about", "after", "all",   "also",  "an",    "and",   "any",   "are",   "as",
                              "at",    "be",    "been",  "being", "but",   "by",    "can",   "could", "did",   "do",
                              "does",  "for",   "from",  "had",   "has",   "have",  "he",    "her",   "his",   "how",
                              "i",     "if",    "in",    "into",  "is",    "it",    "its",   "me",    "more",  "my",
                              "no",    "not",   "of",    "on",    "or",    "our",   "please", "she",  "should", "so",
                              "some",  "such",  "tell",  "than",  "that",  "the",   "their", "them",  "then",  "there",
                              "these", "they",  "this",  "those", "to",    "was",   "we",    "were",  "what",  "when",
                              "where", "which", "while", "who",   "whom",  "why",   "will",  "with",  "would", "you",
                              "your"};
        std::vector<QString> sorted;
        for (const char* w : list)
            sorted.push_back(QString::fromLatin1(w));
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    }();
    return word.size() <= kLongestStopWord && std::binary_search(words.begin(), words.end(), word);
}

bool endsWithAny(const QString& word, std::initializer_list<const char*> suffixes)
{
    return std::any_of(suffixes.begin(), suffixes.end(), [&](const char* s) { return word.endsWith(QLatin1String(s)); });
}

// A crude English suffix strip, enough for plurals and the common verb forms to meet: "summaries" and
// "summary", "engines" and "engine", "measured", "measuring" and "measure". Words not ending in an ASCII
// letter are left alone.
QString stem(QString word)
{
    if (word.size() < 4 || word.back().unicode() > 0x7F)
        return word;
    if (word.endsWith(QLatin1String("ies")))
        word.chop(3), word += QLatin1Char('y');
    else if (word.endsWith(QLatin1String("sses")) ||
             (word.endsWith(QLatin1String("es")) && endsWithAny(word.chopped(2), {"x", "z", "ch", "sh"})))
        word.chop(2);
    else if (word.endsWith(QLatin1Char('s')) && !endsWithAny(word, {"ss", "us", "is"}))
        word.chop(1);
    if (word.size() > 5 && word.endsWith(QLatin1String("ing")))
        word.chop(3);
    else if (word.size() > 4 && word.endsWith(QLatin1String("ed")))
        word.chop(2);
    if (word.size() > 4 && word.endsWith(QLatin1Char('e')))
        word.chop(1);
    return word;
}

bool isIdeograph(char32_t c)
{
    if (c < 0x2E80)  // below the CJK radicals: no Han or kana
        return false;
    const QChar::Script s = QChar::script(c);
    return s == QChar::Script_Han || s == QChar::Script_Hiragana || s == QChar::Script_Katakana;
}

bool isWordCharacter(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const QChar::Category k = QChar::category(c);
    return QChar::isLetterOrNumber(c) || k == QChar::Mark_NonSpacing || k == QChar::Mark_SpacingCombining;
}

// Calls `use` with each search term of `text`: case-folded words, stemmed, stop words and single letters
// dropped; each Chinese/Japanese character on its own (those scripts do not separate words).
template <class Use>
void forEachTerm(const QString& text, Use&& use)
{
    QString word;
    bool ascii = true;
    const auto flush = [&] {
        if (word.size() > 1 || (word.size() == 1 && word[0].isDigit())) {
            // Most words of most documents are ASCII: folding them in place is several times faster.
            if (ascii)
                std::transform(word.begin(), word.end(), word.begin(), [](QChar ch) { return ch.toLower(); });
            else
                word = word.toCaseFolded();
            if (!isStopWord(word))
                use(stem(word));
        }
        word.truncate(0);  // keeps its buffer for the next word
        ascii = true;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text[i].unicode();
        const bool pair = text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate();
        if (pair)
            c = QChar::surrogateToUcs4(text[i], text[i + 1]);
        if (isIdeograph(c)) {
            flush();
            use(text.mid(i, pair ? 2 : 1));
        } else if (isWordCharacter(c)) {
            ascii = ascii && c < 0x80;
            word += text[i];
            if (pair)
                word += text[i + 1];
        } else {
            flush();
        }
        i += pair ? 1 : 0;
    }
    flush();
}

// The document's tokens per character, from countTokens over blocks spread through it.
double tokensPerCharacter(const ExtractedDocument& document, const std::function<int(const QString&)>& countTokens)
{
    const qsizetype total = std::max<qsizetype>(1, document.characterCount());
    const qsizetype step = std::max<qsizetype>(1, total / kCalibrationChars);  // about kCalibrationChars in all
    qint64 chars = 0;
    qint64 tokens = 0;
    for (qsizetype i = 0; i < document.blocks.size() && chars < 2 * kCalibrationChars; i += step) {
        const QString& text = document.blocks[i].text.left(kCalibrationChars);
        chars += text.size();
        tokens += countTokens(text);
    }
    return std::clamp(double(tokens) / double(std::max<qint64>(chars, 1)), 0.02, 4.0);
}

// A piece of a passage: a whole block, or a part of one too long for a passage.
struct Piece {
    QString text;  // headings with their markup
    int page = 0;
    QString section;
    bool heading = false;
};

QList<Piece> blockPieces(const DocumentBlock& block, qsizetype maxChars)
{
    if (block.isHeading())
        return {Piece{QString(std::clamp(block.headingLevel, 1, 6), QLatin1Char('#')) + QLatin1Char(' ') + block.text,
                      block.page, block.section, true}};
    if (block.text.size() <= maxChars)
        return {Piece{block.text, block.page, block.section, false}};
    QList<Piece> pieces;
    for (const QString& part : splitToLength(block.text, maxChars))
        pieces.append(Piece{part, block.page, block.section, false});
    return pieces;
}

DocumentPassage assemblePassage(const QList<Piece>& pieces)
{
    DocumentPassage passage;
    for (const Piece& p : pieces) {
        if (!passage.text.isEmpty())
            passage.text += QStringLiteral("\n\n");
        passage.text += p.text;
        passage.source.addBlock(p.page, p.section);
    }
    return passage;
}

// The document cut into passages of at most `maxChars` characters (a lone heading excepted), in order.
QList<DocumentPassage> cutPassages(const ExtractedDocument& document, qsizetype maxChars)
{
    QList<DocumentPassage> passages;
    QList<Piece> current;
    qsizetype chars = 0;
    const auto flush = [&] {
        QList<Piece> carried;  // a heading goes with the text it heads
        while (current.size() > 1 && current.back().heading)
            carried.prepend(current.takeLast());
        if (!current.isEmpty())
            passages.append(assemblePassage(current));
        current = carried;
        chars = 0;
        for (const Piece& p : current)
            chars += p.text.size() + 2;
    };
    for (const DocumentBlock& block : document.blocks) {
        for (const Piece& p : blockPieces(block, maxChars)) {
            const bool newPage = !current.isEmpty() && p.page != current.back().page;
            // Headings alone are no passage: they stay with what follows, even when that makes it longer.
            const bool headingsOnly = std::all_of(current.begin(), current.end(), [](const Piece& q) { return q.heading; });
            if (!headingsOnly && (chars + p.text.size() > maxChars || (p.heading && chars >= kHeadingBreak * maxChars) ||
                                       (newPage && chars >= kPageBreak * maxChars)))
                flush();
            current.append(p);
            chars += p.text.size() + 2;
        }
    }
    flush();
    if (!current.isEmpty())  // the document ends with headings
        passages.append(assemblePassage(current));
    return passages;
}

// BM25 scores of `passages` for `question`; all 0 when the question has no term in the document.
std::vector<double> scorePassages(const QList<DocumentPassage>& passages, const QString& question)
{
    QStringList queryTerms;  // a question has few: comparing them beats hashing every word of the document
    forEachTerm(question, [&](const QString& term) {
        if (!queryTerms.contains(term))
            queryTerms << term;
    });
    std::vector<double> scores(size_t(passages.size()), 0.0);
    if (queryTerms.isEmpty() || passages.isEmpty())
        return scores;
    const size_t terms = size_t(queryTerms.size());
    std::vector<int> frequencies(size_t(passages.size()) * terms, 0);  // (passage, term)
    std::vector<int> lengths(size_t(passages.size()), 0);
    std::vector<int> documentFrequencies(terms, 0);
    for (qsizetype i = 0; i < passages.size(); ++i) {
        int* tf = frequencies.data() + size_t(i) * terms;
        const auto count = [&](const QString& term) {
            ++lengths[size_t(i)];
            for (size_t t = 0; t < terms; ++t)
                if (queryTerms[qsizetype(t)] == term) {
                    ++tf[t];
                    break;
                }
        };
        forEachTerm(passages[i].text, count);
        for (const QString& section : passages[i].source.sections)
            forEachTerm(section, count);
        for (size_t t = 0; t < terms; ++t)
            documentFrequencies[t] += tf[t] > 0 ? 1 : 0;
    }
    const double n = double(passages.size());
    const double averageLength = std::max(1.0, std::accumulate(lengths.begin(), lengths.end(), 0.0) / n);
    for (size_t i = 0; i < scores.size(); ++i) {
        const double norm = kBm25K1 * (1 - kBm25B + kBm25B * lengths[i] / averageLength);
        for (size_t t = 0; t < terms; ++t) {
            const double tf = frequencies[i * terms + t];
            if (tf == 0)
                continue;
            const double df = documentFrequencies[t];
            scores[i] += std::log(1 + (n - df + 0.5) / (df + 0.5)) * tf * (kBm25K1 + 1) / (tf + norm);
        }
    }
    return scores;
}

// The passages to consider, best first: those that match, by score (ties in document order); when none
// does, all of them in document order — the introduction first.
std::vector<int> candidateOrder(const std::vector<double>& scores)
{
    std::vector<int> order;
    for (size_t i = 0; i < scores.size(); ++i)
        if (scores[i] > 0)
            order.push_back(int(i));
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[size_t(a)] > scores[size_t(b)]; });
    if (order.empty()) {
        order.resize(scores.size());
        std::iota(order.begin(), order.end(), 0);
    }
    return order;
}

}  // namespace

QList<DocumentPassage> relevantPassages(const ExtractedDocument& document, const QString& question, int tokenBudget,
                                        const std::function<int(const QString&)>& countTokens, int passageTokens)
{
    if (document.blocks.isEmpty() || tokenBudget <= 0 || !countTokens)
        return {};
    const double perChar = tokensPerCharacter(document, countTokens);
    const int target = std::max(kMinPassageTokens, std::min(passageTokens, tokenBudget));
    QList<DocumentPassage> passages = cutPassages(document, std::max<qsizetype>(2, qsizetype(target / perChar)));
    const std::vector<double> scores = scorePassages(passages, question);

    const bool introduction = std::none_of(scores.begin(), scores.end(), [](double s) { return s > 0; });
    std::vector<int> chosen;
    int left = tokenBudget;
    int counts = kSpareCounts + tokenBudget / target;
    for (int i : candidateOrder(scores)) {
        if (left < kMinPassageTokens / 2 || counts == 0)
            break;
        DocumentPassage& p = passages[i];
        // The introduction stops at the first passage that does not fit: it is read as one stretch of text.
        if (p.text.size() * perChar > kHopelessEstimate * left) {
            if (introduction && !chosen.empty())
                break;
            continue;
        }
        --counts;
        p.tokens = countTokens(p.text);
        if (p.tokens > left) {
            if (introduction && !chosen.empty())
                break;
            continue;
        }
        p.score = scores[size_t(i)];
        left -= p.tokens;
        chosen.push_back(i);
    }
    std::sort(chosen.begin(), chosen.end());
    QList<DocumentPassage> out;
    out.reserve(qsizetype(chosen.size()));
    for (int i : chosen)
        out.append(std::move(passages[i]));
    return out;
}

QString passagesForPrompt(const QList<DocumentPassage>& passages)
{
    QStringList blocks;
    for (const DocumentPassage& p : passages) {
        const QString where = p.source.citation();
        blocks << QStringLiteral("[%1]\n%2").arg(where.isEmpty() ? QStringLiteral("excerpt") : where, p.text);
    }
    return blocks.join(QStringLiteral("\n\n"));
}

}  // namespace vela::app
