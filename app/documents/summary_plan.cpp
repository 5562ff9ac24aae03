#include "documents/summary_plan.h"

#include "documents/text_splitter.h"

#include <QHash>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <vector>

namespace vela::app {

namespace {

constexpr int kCitedSectionChars = 40;
// Packing adds the blocks' own token counts; the joined text is counted exactly before a chunk is kept, so
// packing aims a little below the limit to keep that check from failing.
constexpr double kPackingTarget = 0.97;
// A heading starts a new chunk once the current one is this full, so sections stay together.
constexpr double kHeadingBreak = 0.5;
// A new page starts a new chunk once the current one is this full, so chunks cite whole pages.
constexpr double kPageBreak = 0.85;
// The smallest useful pass: a chunk of fewer tokens, or an answer of fewer, is not worth a model call.
constexpr int kMinChunkTokens = 64;
constexpr int kMinAnswerTokens = 24;
// A partial summary re-tokenized as part of a reduce prompt can differ a little from the tokens generated.
constexpr int kSummarySlackTokens = 4;

QString cut(const QString& section)
{
    return section.size() <= kCitedSectionChars ? section : section.left(kCitedSectionChars - 1).trimmed() + QChar(0x2026);
}

QString headingMarkup(const DocumentBlock& block)
{
    return QString(std::clamp(block.headingLevel, 1, 6), QLatin1Char('#')) + QLatin1Char(' ') + block.text;
}

QString pageMarker(int page)
{
    return QStringLiteral("[p. %1]").arg(page);
}

int wordCount(const QString& text)
{
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    return static_cast<int>(text.split(spaces, Qt::SkipEmptyParts).size());
}

// A piece of a chunk: a whole block, or part of one too large for a chunk.
struct Piece {
    QString text;  // headings with their markup
    int tokens = 0;
    int page = 0;
    QString section;
    bool heading = false;
};

// A node of the reduce tree: a step whose summary is still to be combined, and the most tokens it can take.
struct Node {
    int step = 0;
    int bound = 0;
};

class Planner {
public:
    Planner(const ExtractedDocument& document, const SummaryPrompts& prompts, const PlanSettings& settings)
        : m_document(document), m_prompts(prompts), m_settings(settings), m_context(settings.contextLength)
    {
    }

    Result<SummaryPlan> run()
    {
        if (Status s = measureDocument(); !s)
            return s;
        if (Status s = planSinglePass(); !s || !m_plan.steps.isEmpty())
            return s ? Result<SummaryPlan>(finish()) : Result<SummaryPlan>(s);
        if (Status s = chooseBudgets(); !s)
            return s;
        if (Status s = makePieces(); !s)
            return s;
        if (Status s = packChunks(); !s)
            return s;
        if (m_plan.chunks.size() == 1) {
            // One chunk after all (its instructions are shorter than the single pass's answer room assumed):
            // summarize it as the whole document.
            m_plan.steps.clear();
            addSingleStep(m_plan.chunks.front().text);
            return finish();
        }
        addMapSteps();
        if (Status s = addReduceSteps(); !s)
            return s;
        return finish();
    }

private:
    int overhead(SummaryPass pass, const QString& where, int words)
    {
        const QString key = QString::number(int(pass)) + QLatin1Char('/') + QString::number(words) + QLatin1Char('/') + where;
        auto it = m_overheads.find(key);
        if (it == m_overheads.end())
            it = m_overheads.insert(key, m_prompts.overheadTokens(pass, where, words));
        return *it;
    }

    Status measureDocument()
    {
        m_plan.title = m_prompts.title();
        m_plan.blockCount = static_cast<int>(m_document.blocks.size());
        m_plan.pageCount = m_document.pageCount;
        m_plan.contextLength = m_context;
        m_separatorTokens = std::max(0, m_prompts.countBodyTokens(QStringLiteral("a\n\na")) - 2);
        qint64 tokens = 0;
        qint64 words = 0;
        m_blockTokens.reserve(m_document.blocks.size());
        for (const DocumentBlock& b : m_document.blocks) {
            m_whole.addBlock(b.page, b.section);
            m_blockTokens.push_back(m_prompts.countBodyTokens(b.isHeading() ? headingMarkup(b) : b.text));
            tokens += m_blockTokens.back() + m_separatorTokens;
            words += wordCount(b.text);
            if (tokens > kMaxSummaryTokens)
                return Status::failure(QStringLiteral("%1 has more than %2 tokens; a summary takes at most %2")
                                           .arg(m_prompts.title(), QLocale().toString(kMaxSummaryTokens))
                                           .toStdString());
        }
        m_plan.documentTokens = static_cast<int>(tokens);
        m_plan.tokensPerWord = std::clamp(double(tokens) / double(std::max<qint64>(words, 1)), 1.0, 4.0);
        return {};
    }

    // One pass when the document leaves room for the nominal answer, or at least for a quarter of the context.
    Status planSinglePass()
    {
        const SummaryOptions& o = m_prompts.options();
        const AnswerBudget nominal = nominalAnswerBudget(o.length, true, m_plan.tokensPerWord);
        const int instructions = overhead(SummaryPass::Single, m_whole.citation(), nominal.words);
        if (instructions + kMinAnswerTokens + kMinChunkTokens > m_context)
            return tooSmall(instructions + kMinAnswerTokens + kMinChunkTokens);
        const int room = m_context - instructions - m_plan.documentTokens;
        if (room < std::min(nominal.maxTokens, std::max(kMinAnswerTokens, (m_context - instructions) / 4)))
            return {};
        QList<Piece> all;
        for (const DocumentBlock& b : m_document.blocks)
            all.append(Piece{b.isHeading() ? headingMarkup(b) : b.text, 0, b.page, b.section, b.isHeading()});
        const QString text = assemble(all);
        SummaryChunk chunk{text, m_prompts.countBodyTokens(text), 0, m_whole};
        m_plan.chunks = {chunk};
        addSingleStep(text);
        if (m_plan.steps.back().answer.maxTokens < kMinAnswerTokens) {  // the estimate was too optimistic
            m_plan.steps.clear();
            m_plan.chunks.clear();
        }
        return {};
    }

    void addSingleStep(const QString& text)
    {
        SummaryChunk& chunk = m_plan.chunks.front();
        chunk.source = m_whole;
        chunk.tokens = m_prompts.countBodyTokens(text);
        const SummaryOptions& o = m_prompts.options();
        const AnswerBudget nominal = nominalAnswerBudget(o.length, true, m_plan.tokensPerWord);
        const QString where = m_whole.citation();
        SummaryStep step;
        step.pass = SummaryPass::Single;
        step.chunk = 0;
        step.source = m_whole;
        step.answer = capAnswerBudget(nominal, m_context - overhead(SummaryPass::Single, where, nominal.words) - chunk.tokens,
                                      m_plan.tokensPerWord);
        step.promptTokens = static_cast<int>(m_prompts.tokenize(SummaryPass::Single, where, text, step.answer.words).size());
        step.answer = capAnswerBudget(step.answer, m_context - step.promptTokens, m_plan.tokensPerWord);
        chunk.promptTokens = step.promptTokens;
        m_plan.steps = {step};
    }

    // The answer budgets of map-reduce: a partial summary small enough that three of them, labelled, fit a
    // reduce prompt with room for a fourth (so every level divides the count by three or more, and a deep
    // tree of many small passes is avoided) and a fifth of a chunk's room, and a final answer that fits
    // beside two of them.
    Status chooseBudgets()
    {
        const SummaryOptions& o = m_prompts.options();
        const AnswerBudget partial = nominalAnswerBudget(o.length, false, m_plan.tokensPerWord);
        const AnswerBudget final = nominalAnswerBudget(o.length, true, m_plan.tokensPerWord);
        m_widestCitation = widestCitation();
        m_labelTokens = m_prompts.countBodyTokens(SummaryPrompts::labelledSummary(m_widestCitation, {})) +
                        m_separatorTokens + kSummarySlackTokens;
        m_reduceOverhead = overhead(SummaryPass::Reduce, m_widestCitation, final.words);
        const int mapOverhead = overhead(SummaryPass::Map, m_widestCitation, partial.words) +
                                m_prompts.countBodyTokens(pageMarker(std::max(m_document.pageCount, 1)));
        const int free = m_context - m_reduceOverhead - 2 * m_labelTokens;
        m_partial = capAnswerBudget(partial, std::min(free / 4, (m_context - mapOverhead) / 6), m_plan.tokensPerWord);
        m_final = capAnswerBudget(final, std::min(free - 2 * m_partial.maxTokens, (m_context - m_reduceOverhead) / 2),
                                  m_plan.tokensPerWord);
        m_pieceLimit = static_cast<int>((m_context - mapOverhead - m_partial.maxTokens) * 0.9);
        const int needed = std::max(m_reduceOverhead + 2 * m_labelTokens + 3 * kMinAnswerTokens,
                                    mapOverhead + kMinAnswerTokens + kMinChunkTokens);
        if (m_partial.maxTokens < kMinAnswerTokens || m_pieceLimit < kMinChunkTokens || m_final.maxTokens < kMinAnswerTokens)
            return tooSmall(needed);
        return {};
    }

    Status tooSmall(int needed) const
    {
        const int rounded = (needed + 255) / 256 * 256;
        return Status::failure(QStringLiteral("a context of %1 tokens is too small to summarize %2 (the instructions "
                                              "alone take a large part of it); choose a context of at least %3 tokens")
                                   .arg(m_context)
                                   .arg(m_prompts.title())
                                   .arg(rounded)
                                   .toStdString());
    }

    // The longest label any chunk or summary can get: the largest page numbers and the two longest sections.
    QString widestCitation() const
    {
        SourceRange widest;
        if (m_document.pageCount > 0 || m_whole.lastPage > 0)
            widest.firstPage = 1, widest.lastPage = std::max(m_document.pageCount, m_whole.lastPage) * 10 + 9;
        QStringList sections = m_whole.sections;
        std::sort(sections.begin(), sections.end(), [](const QString& a, const QString& b) { return a.size() > b.size(); });
        widest.sections = sections.mid(0, 2);
        if (widest.sections.size() == 2)
            widest.sections.insert(1, QStringLiteral("x"));  // forces the "first … last" form
        widest.firstPart = 1;
        widest.lastPart = 99999;
        return widest.citation();
    }

    Status makePieces()
    {
        for (qsizetype i = 0; i < m_document.blocks.size(); ++i) {
            const DocumentBlock& b = m_document.blocks[i];
            const QString text = b.isHeading() ? headingMarkup(b) : b.text;
            const int tokens = m_blockTokens[static_cast<size_t>(i)];
            if (tokens <= m_pieceLimit) {
                m_pieces.append(Piece{text, tokens, b.page, b.section, b.isHeading()});
                continue;
            }
            for (const QString& part : splitToFit(text, m_pieceLimit, m_prompts.tokenizer()))
                m_pieces.append(Piece{part, m_prompts.countBodyTokens(part), b.page, b.section, false});
        }
        return {};
    }

    // The chunk text of `pieces`: blank lines between blocks, a page marker before each page's first block.
    static QString assemble(const QList<Piece>& pieces)
    {
        QString text;
        int page = 0;
        for (const Piece& p : pieces) {
            if (!text.isEmpty())
                text += SummaryPrompts::bodySeparator();
            if (p.page > 0 && p.page != page)
                text += pageMarker(p.page) + SummaryPrompts::bodySeparator();
            page = p.page;
            text += p.text;
        }
        return text;
    }

    int chunkRoom(const SourceRange& range)
    {
        return m_context - m_partial.maxTokens - overhead(SummaryPass::Map, range.citation(), m_partial.words);
    }

    Status packChunks()
    {
        qsizetype next = 0;
        while (next < m_pieces.size()) {
            const int part = static_cast<int>(m_plan.chunks.size()) + 1;
            QList<Piece> taken;
            SourceRange range;
            int estimate = 0;
            for (qsizetype i = next; i < m_pieces.size(); ++i) {
                const Piece& p = m_pieces[i];
                SourceRange wider = range;
                wider.addBlock(p.page, p.section);
                wider.firstPart = wider.lastPart = part;
                const bool newPage = p.page > 0 && (taken.isEmpty() || p.page != taken.back().page);
                const int cost = (taken.isEmpty() ? 0 : m_separatorTokens) + p.tokens +
                                 (newPage ? m_prompts.countBodyTokens(pageMarker(p.page)) + m_separatorTokens : 0);
                if (!taken.isEmpty()) {
                    const int room = chunkRoom(wider);
                    if (estimate + cost > kPackingTarget * room || (p.heading && estimate >= kHeadingBreak * room) ||
                        (newPage && estimate >= kPageBreak * room))
                        break;
                }
                taken.append(p);
                range = wider;
                estimate += cost;
            }
            while (taken.size() > 1 && taken.back().heading)  // a heading goes with the text it heads
                taken.removeLast();
            if (Status s = keepChunk(taken, next); !s)
                return s;
            next += taken.size();
        }
        return {};
    }

    // Counts the chunk exactly; while it does not fit, gives back its last piece (or, for a lone piece, cuts
    // it smaller) and counts again.
    Status keepChunk(QList<Piece>& taken, qsizetype first)
    {
        const int part = static_cast<int>(m_plan.chunks.size()) + 1;
        for (;;) {
            SourceRange range;
            for (const Piece& p : taken)
                range.addBlock(p.page, p.section);
            range.firstPart = range.lastPart = part;
            const QString text = assemble(taken);
            const QString where = range.citation();
            const int prompt = static_cast<int>(m_prompts.tokenize(SummaryPass::Map, where, text, m_partial.words).size());
            if (prompt + m_partial.maxTokens <= m_context) {
                const int tokens = prompt - overhead(SummaryPass::Map, where, m_partial.words);
                m_plan.chunks.append(SummaryChunk{text, tokens, prompt, range});
                return {};
            }
            if (taken.size() > 1) {
                taken.removeLast();
                continue;
            }
            const Piece lone = taken.front();
            const QStringList parts = splitToFit(lone.text, std::max(1, lone.tokens * 3 / 4), m_prompts.tokenizer());
            if (parts.size() < 2)
                return Status::failure("a part of the document does not fit the context even on its own");
            m_pieces.removeAt(first);
            for (qsizetype i = parts.size() - 1; i >= 0; --i)
                m_pieces.insert(first, Piece{parts[i], m_prompts.countBodyTokens(parts[i]), lone.page, lone.section, false});
            taken = {m_pieces[first]};
        }
    }

    void addMapSteps()
    {
        for (int i = 0; i < m_plan.chunks.size(); ++i) {
            const SummaryChunk& c = m_plan.chunks[i];
            SummaryStep step;
            step.pass = SummaryPass::Map;
            step.chunk = i;
            step.source = c.source;
            step.promptTokens = c.promptTokens;
            step.answer = m_partial;
            m_plan.steps.append(step);
        }
    }

    int nodeBound(const SummaryStep& step) const
    {
        return m_prompts.countBodyTokens(SummaryPrompts::labelledSummary(step.source.citation(), {})) +
               m_separatorTokens + kSummarySlackTokens + step.answer.maxTokens;
    }

    int addReduceStep(const QList<Node>& group, bool final)
    {
        SummaryStep step;
        step.pass = SummaryPass::Reduce;
        step.answer = final ? m_final : m_partial;
        int inputs = 0;
        for (const Node& n : group) {
            const SummaryStep& input = m_plan.steps[n.step];
            step.inputs.append(n.step);
            step.level = std::max(step.level, input.level + 1);
            if (step.inputs.size() == 1)
                step.source = input.source;
            else
                step.source.merge(input.source);
            inputs += n.bound;
        }
        step.promptTokens = overhead(SummaryPass::Reduce, step.source.citation(), step.answer.words) + inputs;
        m_plan.steps.append(step);
        m_plan.reduceLevels = std::max(m_plan.reduceLevels, step.level);
        return static_cast<int>(m_plan.steps.size()) - 1;
    }

    // Level by level: everything that is left in one final pass when it fits with the final answer's room,
    // else groups that fit a partial pass — at least two, so the final pass keeps its full answer — and a
    // group of one is carried up unchanged rather than summarized again.
    Status addReduceSteps()
    {
        QList<Node> nodes;
        for (int i = 0; i < m_plan.steps.size(); ++i)
            nodes.append(Node{i, nodeBound(m_plan.steps[i])});
        while (nodes.size() > 1) {
            int total = 0;
            for (const Node& n : nodes)
                total += n.bound;
            if (m_reduceOverhead + total + m_final.maxTokens <= m_context) {
                addReduceStep(nodes, true);
                return {};
            }
            QList<QList<Node>> groups = packGroups(nodes);
            if (groups.size() == 1)  // all of it fits a partial pass, not the final one: two halves
                groups = {nodes.mid(0, nodes.size() / 2), nodes.mid(nodes.size() / 2)};
            QList<Node> next;
            for (const QList<Node>& group : groups) {
                if (group.size() == 1) {
                    next.append(group.front());
                    continue;
                }
                const int step = addReduceStep(group, false);
                next.append(Node{step, nodeBound(m_plan.steps[step])});
            }
            if (next.size() >= nodes.size())
                return Status::failure("the summaries of the parts cannot be combined in this context");
            nodes = next;
        }
        return {};
    }

    // Consecutive nodes, greedily, into groups that fit a partial reduce pass.
    QList<QList<Node>> packGroups(const QList<Node>& nodes) const
    {
        const int capacity = m_context - m_reduceOverhead - m_partial.maxTokens;
        QList<QList<Node>> groups{QList<Node>()};
        int used = 0;
        for (const Node& n : nodes) {
            if (!groups.back().isEmpty() && used + n.bound > capacity) {
                groups.append(QList<Node>());
                used = 0;
            }
            groups.back().append(n);
            used += n.bound;
        }
        return groups;
    }

    SummaryPlan finish()
    {
        m_plan.speed = m_settings.speed;
        if (m_settings.model)
            m_plan.memory = estimateMemory(*m_settings.model, static_cast<uint32_t>(m_context));
        if (m_plan.speed.isKnown()) {
            m_plan.estimatedSeconds = 0;
            for (int i = 0; i < m_plan.steps.size(); ++i)
                m_plan.estimatedSeconds += m_plan.stepCost(i);
        }
        return std::move(m_plan);
    }

    const ExtractedDocument& m_document;
    const SummaryPrompts& m_prompts;
    const PlanSettings& m_settings;
    const int m_context;
    SummaryPlan m_plan;
    SourceRange m_whole;
    QHash<QString, int> m_overheads;  // prompt tokens without the body, by pass, words and citation
    int m_separatorTokens = 0;
    QString m_widestCitation;
    int m_labelTokens = 0;
    int m_reduceOverhead = 0;
    AnswerBudget m_partial;
    AnswerBudget m_final;
    int m_pieceLimit = 0;
    QList<Piece> m_pieces;
    std::vector<int> m_blockTokens;  // per block, as a prompt body
};

}  // namespace

void SourceRange::addBlock(int page, const QString& section)
{
    if (page > 0) {
        firstPage = firstPage > 0 ? std::min(firstPage, page) : page;
        lastPage = std::max(lastPage, page);
    }
    if (!section.isEmpty() && (sections.isEmpty() || sections.back() != section) && !sections.contains(section))
        sections.append(section);
}

void SourceRange::merge(const SourceRange& other)
{
    if (other.firstPage > 0) {
        addBlock(other.firstPage, {});
        addBlock(other.lastPage, {});
    }
    for (const QString& s : other.sections)
        addBlock(0, s);
    if (other.firstPart > 0) {
        firstPart = firstPart > 0 ? std::min(firstPart, other.firstPart) : other.firstPart;
        lastPart = std::max(lastPart, other.lastPart);
    }
}

QString SourceRange::citation() const
{
    QStringList parts;
    if (firstPage > 0)
        parts << (firstPage == lastPage ? QStringLiteral("p. %1").arg(firstPage)
                                        : QStringLiteral("pp. %1–%2").arg(firstPage).arg(lastPage));
    if (!sections.isEmpty() && (firstPage == 0 || sections.size() == 1)) {
        if (sections.size() == 1)
            parts << QStringLiteral("§ ") + cut(sections.front());
        else if (sections.size() == 2)
            parts << QStringLiteral("§ %1, § %2").arg(cut(sections.front()), cut(sections.back()));
        else
            parts << QStringLiteral("§ %1 … § %2").arg(cut(sections.front()), cut(sections.back()));
    }
    if (parts.isEmpty() && firstPart > 0)
        parts << (firstPart == lastPart ? QStringLiteral("part %1").arg(firstPart)
                                        : QStringLiteral("parts %1–%2").arg(firstPart).arg(lastPart));
    return parts.join(QStringLiteral(", "));
}

int SummaryPlan::mapCount() const
{
    return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const SummaryStep& s) { return s.pass == SummaryPass::Map; }));
}

int SummaryPlan::reduceCount() const
{
    return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const SummaryStep& s) { return s.pass == SummaryPass::Reduce; }));
}

double SummaryPlan::stepCost(int step) const
{
    const SummaryStep& s = steps[step];
    if (speed.isKnown())
        return s.promptTokens / speed.promptTokensPerSecond + s.answer.maxTokens / speed.generatedTokensPerSecond;
    return 0.1 * s.promptTokens + s.answer.maxTokens;
}

QString formatDuration(double seconds)
{
    const qint64 s = std::llround(std::max(0.0, seconds));
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 s").arg(s);
}

QString SummaryPlan::describe() const
{
    const QLocale c = QLocale::c();
    const auto n = [&](qint64 v) { return c.toString(v); };
    QStringList lines;
    QString size = QStringLiteral("\"%1\": %2 tokens in %3 blocks").arg(title, n(documentTokens), n(blockCount));
    if (pageCount > 0)
        size += QStringLiteral(", %1 pages").arg(n(pageCount));
    lines << size + QStringLiteral("; context %1 tokens").arg(n(contextLength));
    const SummaryStep& last = finalStep();
    if (isSinglePass()) {
        lines << QStringLiteral("one pass: the whole document fits (%1 prompt tokens)").arg(n(last.promptTokens));
    } else {
        int largest = 0;
        for (const SummaryChunk& chunk : chunks)
            largest = std::max(largest, chunk.tokens);
        lines << QStringLiteral("map-reduce: %1 chunks of at most %2 tokens, then %3 combining passes on %4 level%5 "
                                "(%6 passes)")
                     .arg(n(mapCount()), n(largest), n(reduceCount()), n(reduceLevels))
                     .arg(reduceLevels == 1 ? QString() : QStringLiteral("s"))
                     .arg(n(steps.size()));
        lines << QStringLiteral("answers: each chunk at most %1 words (%2 tokens), the summary at most %3 words (%4 tokens)")
                     .arg(n(steps.front().answer.words), n(steps.front().answer.maxTokens), n(last.answer.words),
                          n(last.answer.maxTokens));
    }
    if (isSinglePass())
        lines << QStringLiteral("answer: at most %1 words (%2 tokens)").arg(n(last.answer.words), n(last.answer.maxTokens));
    if (estimatedSeconds >= 0)
        lines << QStringLiteral("estimated time: about %1 (measured: prompt %2 tokens/s, generation %3 tokens/s)")
                     .arg(formatDuration(estimatedSeconds))
                     .arg(speed.promptTokensPerSecond, 0, 'f', 0)
                     .arg(speed.generatedTokensPerSecond, 0, 'f', 0);
    if (memory.totalBytes() > 0)
        lines << QStringLiteral("device memory: %1 (weights %2, KV cache %3, scratch %4)")
                     .arg(QString::fromStdString(formatBytes(memory.totalBytes())),
                          QString::fromStdString(formatBytes(memory.weightBytes)),
                          QString::fromStdString(formatBytes(memory.kvCacheBytes)),
                          QString::fromStdString(formatBytes(memory.scratchBytes)));
    return lines.join(QLatin1Char('\n'));
}

Result<SummaryPlan> planSummary(const ExtractedDocument& document, const SummaryPrompts& prompts, const PlanSettings& settings)
{
    if (document.blocks.isEmpty())
        return Status::failure(QStringLiteral("%1 has no text to summarize").arg(prompts.title()).toStdString());
    if (settings.contextLength <= 0)
        return Status::failure("no context length given for the summary plan");
    return Planner(document, prompts, settings).run();
}

}  // namespace vela::app
