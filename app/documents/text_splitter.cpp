#include "documents/text_splitter.h"

#include <QRegularExpression>

#include <algorithm>
#include <string>

namespace vela::app {

namespace {

// Packing adds token counts of the parts; joined text may tokenize a little differently, so packs aim this
// much below the limit and are counted again before they are kept.
constexpr double kPackingTarget = 0.95;

bool isClosing(QChar c)
{
    static const QString closers = QStringLiteral("\"')]}»”’」』");
    return closers.contains(c);
}

bool endsSentenceAnywhere(QChar c)
{
    return c == QChar(0x3002) || c == QChar(0xFF01) || c == QChar(0xFF1F);  // 。！？
}

bool endsSentenceBeforeSpace(QChar c)
{
    return c == '.' || c == '!' || c == '?' || c == QChar(0x2026);  // …
}

class Splitter {
public:
    Splitter(const Tokenizer& tokenizer, int maxTokens) : m_tokenizer(tokenizer), m_max(maxTokens) {}

    QStringList split(const QString& text)
    {
        if (count(text) <= m_max)
            return {text.trimmed()};
        return pack(splitSentences(text), QStringLiteral(" "), Level::Sentences);
    }

private:
    enum class Level { Sentences, Lines };

    int count(const QString& text) const
    {
        return static_cast<int>(m_tokenizer.tokenize(text.toStdString(), false, false).size());
    }

    // Greedy packing of `units` joined by `joiner`; a unit over the limit goes one level down.
    QStringList pack(const QStringList& units, const QString& joiner, Level level)
    {
        QStringList out;
        QString current;
        int currentTokens = 0;
        const int joinTokens = count(joiner.trimmed().isEmpty() ? QStringLiteral("a") + joiner + "a" : joiner) - 2;
        const auto flush = [&] {
            if (!current.isEmpty())
                out << fitted(current, level);
            current.clear();
            currentTokens = 0;
        };
        for (const QString& unit : units) {
            const int n = count(unit);
            if (n > m_max) {
                flush();
                out << (level == Level::Sentences ? pack(unit.split('\n', Qt::SkipEmptyParts), QStringLiteral("\n"), Level::Lines)
                                                  : splitTokens(unit));
                continue;
            }
            if (!current.isEmpty() && currentTokens + std::max(joinTokens, 0) + n > kPackingTarget * m_max)
                flush();
            current += (current.isEmpty() ? QString() : joiner) + unit;
            currentTokens += (currentTokens ? std::max(joinTokens, 0) : 0) + n;
        }
        flush();
        return out;
    }

    // A pack counted again as a whole: when joining made it longer than the limit, its halves.
    QStringList fitted(const QString& text, Level level)
    {
        const QString trimmed = text.trimmed();
        if (trimmed.isEmpty())
            return {};
        if (count(trimmed) <= m_max)
            return {trimmed};
        const QStringList units = level == Level::Sentences ? splitSentences(trimmed) : trimmed.split('\n', Qt::SkipEmptyParts);
        if (units.size() < 2)
            return splitTokens(trimmed);
        const qsizetype half = units.size() / 2;
        const QString joiner = level == Level::Sentences ? QStringLiteral(" ") : QStringLiteral("\n");
        return fitted(units.mid(0, half).join(joiner), level) + fitted(units.mid(half).join(joiner), level);
    }

    // Cuts between tokens, never inside a UTF-8 character: the tokens' bytes are cut every `step` tokens and
    // each cut moves forward to the next character start.
    QStringList splitTokens(const QString& text) const
    {
        const std::vector<TokenId> ids = m_tokenizer.tokenize(text.toStdString(), false, false);
        std::string bytes;
        std::vector<size_t> ends;  // byte offset after each token
        for (TokenId id : ids) {
            bytes += m_tokenizer.tokenToPiece(id, false);
            ends.push_back(bytes.size());
        }
        QStringList out;
        const size_t step = static_cast<size_t>(std::max(1, m_max * 3 / 4));
        size_t from = 0;
        for (size_t t = step; from < bytes.size(); t += step) {
            size_t to = t >= ends.size() ? bytes.size() : ends[t - 1];
            while (to < bytes.size() && (static_cast<unsigned char>(bytes[to]) & 0xC0) == 0x80)
                ++to;
            const QString piece = QString::fromUtf8(bytes.data() + from, static_cast<qsizetype>(to - from)).trimmed();
            if (!piece.isEmpty())
                out << piece;
            from = to;
        }
        return out;
    }

    const Tokenizer& m_tokenizer;
    int m_max;
};

// splitToLength's levels, coarsest first; a unit still too long goes one level down.
enum class LengthLevel { Sentences, Lines, Words, Characters };

QStringList cutToLength(const QString& text, qsizetype maxChars, LengthLevel level);

QStringList packToLength(const QStringList& units, QChar joiner, qsizetype maxChars, LengthLevel level)
{
    QStringList out;
    QString current;
    for (const QString& unit : units) {
        if (unit.size() > maxChars) {
            if (!current.isEmpty())
                out << current;
            current.clear();
            out << cutToLength(unit, maxChars, LengthLevel(int(level) + 1));
            continue;
        }
        if (!current.isEmpty() && current.size() + 1 + unit.size() > maxChars) {
            out << current;
            current.clear();
        }
        current += (current.isEmpty() ? QString() : QString(joiner)) + unit;
    }
    if (!current.isEmpty())
        out << current;
    return out;
}

QStringList cutCharacters(const QString& text, qsizetype maxChars)
{
    QStringList out;
    for (qsizetype from = 0; from < text.size();) {
        qsizetype to = std::min(text.size(), from + maxChars);
        if (to < text.size() && text[to].isLowSurrogate())
            --to;
        const QString piece = text.mid(from, to - from).trimmed();
        if (!piece.isEmpty())
            out << piece;
        from = to;
    }
    return out;
}

QStringList cutToLength(const QString& text, qsizetype maxChars, LengthLevel level)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (trimmed.size() <= maxChars)
        return {trimmed};
    switch (level) {
    case LengthLevel::Sentences: return packToLength(splitSentences(trimmed), ' ', maxChars, level);
    case LengthLevel::Lines: return packToLength(trimmed.split('\n', Qt::SkipEmptyParts), '\n', maxChars, level);
    case LengthLevel::Words: return packToLength(trimmed.split(spaces, Qt::SkipEmptyParts), ' ', maxChars, level);
    case LengthLevel::Characters: break;
    }
    return cutCharacters(trimmed, maxChars);
}

}  // namespace

QStringList splitToLength(const QString& text, qsizetype maxChars)
{
    return cutToLength(text, std::max<qsizetype>(2, maxChars), LengthLevel::Sentences);
}

QStringList splitSentences(const QString& text)
{
    QStringList out;
    qsizetype start = 0;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text[i];
        const bool anywhere = endsSentenceAnywhere(c);
        if (!anywhere && !endsSentenceBeforeSpace(c))
            continue;
        qsizetype end = i + 1;
        while (end < n && (isClosing(text[end]) || endsSentenceBeforeSpace(text[end]) || endsSentenceAnywhere(text[end])))
            ++end;
        if (!anywhere && end < n && !text[end].isSpace())
            continue;
        const QString sentence = text.mid(start, end - start).trimmed();
        if (!sentence.isEmpty())
            out << sentence;
        start = end;
        i = end - 1;
    }
    const QString rest = text.mid(start).trimmed();
    if (!rest.isEmpty())
        out << rest;
    return out;
}

QStringList splitToFit(const QString& text, int maxTokens, const Tokenizer& tokenizer)
{
    return Splitter(tokenizer, std::max(1, maxTokens)).split(text);
}

}  // namespace vela::app
