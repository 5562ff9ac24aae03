#include "documents/summarizer.h"

#include "vela/sampling.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace vela::app {

namespace {

using Clock = std::chrono::steady_clock;

// Prompts are evaluated this many tokens at a time (the session's default batch), with a cancel check between.
constexpr size_t kPromptSlice = 512;
constexpr char kCancelled[] = "cancelled";

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

bool isCancelledStatus(const Status& s)
{
    return !s.isOk() && s.message() == kCancelled;
}

// A cut-off answer ends after its last complete sentence, when that keeps at least half of it.
QString endAtSentence(const QString& text)
{
    static const QString enders = QStringLiteral(".!?…。！？");
    for (qsizetype i = text.size() - 1; i >= text.size() / 2; --i)
        if (enders.contains(text[i]) && (i + 1 == text.size() || text[i + 1].isSpace() || text[i + 1] == '"'))
            return text.left(i + 1 + (i + 1 < text.size() && text[i + 1] == '"' ? 1 : 0));
    return text;
}

}  // namespace

class Summarizer::Run {
public:
    Run(Session& session, const SummaryPrompts& prompts, const SummaryPlan& plan, const SummaryRunOptions& options)
        : m_session(session), m_prompts(prompts), m_plan(plan), m_options(options), m_start(Clock::now()),
          m_greedy(prompts.options().temperature <= 0), m_sampler(samplingParams(prompts.options()))
    {
        int maps = 0, reduces = 0;
        for (const SummaryStep& s : plan.steps)
            m_numbers.push_back(s.pass == SummaryPass::Reduce ? ++reduces : ++maps);
        m_partialOfStep.assign(static_cast<size_t>(plan.steps.size()), -1);
    }

    SummaryOutcome execute()
    {
        if (m_session.contextLength() < static_cast<uint32_t>(m_plan.contextLength)) {
            m_outcome.status = Status::failure("the session's context (" + std::to_string(m_session.contextLength()) +
                                               " tokens) is smaller than the plan's (" +
                                               std::to_string(m_plan.contextLength) + ")");
            return std::move(m_outcome);
        }
        if (Status s = adoptResumed(); !s) {
            m_outcome.status = s;
            return std::move(m_outcome);
        }
        for (int i = static_cast<int>(m_outcome.partials.size()); i < m_plan.steps.size(); ++i)
            m_totalCost += m_plan.stepCost(i);
        for (int i = static_cast<int>(m_outcome.partials.size()); i < m_plan.steps.size(); ++i) {
            const Status s = runStep(i);
            if (isCancelledStatus(s)) {
                m_outcome.cancelled = true;
                break;
            }
            if (!s) {
                m_outcome.status = s;
                break;
            }
        }
        m_outcome.seconds = secondsSince(m_start);
        if (m_outcome.isComplete() && !m_outcome.partials.isEmpty())
            m_outcome.summary = m_outcome.partials.back().text;
        return std::move(m_outcome);
    }

private:
    static SamplingParams samplingParams(const SummaryOptions& o)
    {
        SamplingParams p;
        p.temperature = o.temperature;
        p.seed = o.seed;
        return p;
    }

    // The steps an earlier run of this plan finished: kept as they are, in order from the first step.
    Status adoptResumed()
    {
        for (const PartialSummary& p : m_options.resume) {
            const int index = static_cast<int>(m_outcome.partials.size());
            if (index >= m_plan.steps.size() || p.step != index || p.pass != m_plan.steps[index].pass ||
                p.source != m_plan.steps[index].source)
                return Status::failure("the partial summaries to resume from belong to another plan");
            m_partialOfStep[static_cast<size_t>(index)] = index;
            m_outcome.partials.append(p);
        }
        return {};
    }

    bool cancelRequested() const { return m_options.cancel && m_options.cancel->load(std::memory_order_relaxed); }

    // What a step reads: its chunk, or its inputs' summaries labelled with what they cover.
    QString bodyOf(const SummaryStep& step) const
    {
        if (step.pass != SummaryPass::Reduce)
            return m_plan.chunks[step.chunk].text;
        QStringList parts;
        for (int input : step.inputs) {
            const PartialSummary& p = m_outcome.partials[m_partialOfStep.at(static_cast<size_t>(input))];
            parts << SummaryPrompts::labelledSummary(p.source.citation(), p.text.isEmpty() ? QStringLiteral("(empty)") : p.text);
        }
        return parts.join(SummaryPrompts::bodySeparator());
    }

    Status runStep(int index)
    {
        const SummaryStep& step = m_plan.steps[index];
        const Clock::time_point start = Clock::now();
        m_stepIndex = index;
        const std::vector<TokenId> ids = m_prompts.tokenize(step.pass, step.source.citation(), bodyOf(step), step.answer.words);
        const int room = static_cast<int>(m_session.contextLength()) - static_cast<int>(ids.size());
        if (room < 1)
            return Status::failure("step " + std::to_string(index + 1) + "'s prompt has " + std::to_string(ids.size()) +
                                   " tokens, more than the context of " + std::to_string(m_session.contextLength()));
        PartialSummary partial;
        partial.step = index;
        partial.pass = step.pass;
        partial.level = step.level;
        partial.number = m_numbers[static_cast<size_t>(index)];
        partial.source = step.source;
        partial.promptTokens = static_cast<int>(ids.size());
        TokenId first = kNoToken;
        if (Status s = evaluatePrompt(ids, first, partial.reusedTokens); !s)
            return s;
        if (Status s = generate(first, std::min(step.answer.maxTokens, room), partial); !s)
            return s;
        partial.seconds = secondsSince(start);
        m_outcome.promptTokens += partial.promptTokens;
        m_outcome.reusedTokens += partial.reusedTokens;
        m_outcome.generatedTokens += partial.generatedTokens;
        m_partialOfStep[static_cast<size_t>(index)] = static_cast<int>(m_outcome.partials.size());
        m_outcome.partials.append(partial);
        m_doneCost += m_plan.stepCost(index);
        report(0, &m_outcome.partials.back());
        return {};
    }

    // Keeps the longest prefix the session holds, evaluates the rest in slices (cancel checks and progress in
    // between), and returns the first answer token.
    Status evaluatePrompt(const std::vector<TokenId>& ids, TokenId& first, int& reused)
    {
        const size_t common = m_session.keepCachedPrefix(ids);
        reused = static_cast<int>(common);
        const size_t last = ids.size() - 1;
        for (size_t at = common; at < last; at += kPromptSlice) {
            if (cancelRequested())
                return Status::failure(kCancelled);
            const std::span<const TokenId> slice(ids.data() + at, std::min(kPromptSlice, last - at));
            if (Status s = retryStaleCancel([&] { return m_session.evaluate(slice, Logits::None, m_logits); }); !s)
                return s;
            report(double(at + slice.size() - common) / double(ids.size() - common), nullptr);
        }
        if (cancelRequested())
            return Status::failure(kCancelled);
        return next(ids.back(), first);
    }

    // Session::cancel() sets a flag the next evaluate consumes: one that came just after the last evaluate of an
    // earlier run (a stop that landed late) must not cancel this one, so a "cancelled" nobody asked for is retried.
    template <typename Step>
    Status retryStaleCancel(const Step& step)
    {
        Status s = step();
        if (isCancelledStatus(s) && !cancelRequested())
            s = step();
        return s;
    }

    // Evaluates `token` and chooses the one after it: the argmax on the device when greedy.
    Status next(TokenId token, TokenId& chosen)
    {
        if (m_greedy) {
            Result<TokenId> id = kNoToken;
            if (Status s = retryStaleCancel([&] {
                    id = m_session.evaluateGreedy(token);
                    return id ? Status{} : id.status();
                });
                !s)
                return s;
            chosen = *id;
            return {};
        }
        const TokenId one[] = {token};
        if (Status s = retryStaleCancel([&] { return m_session.evaluate(one, Logits::Last, m_logits); }); !s)
            return s;
        chosen = m_sampler.sample(m_logits);
        return {};
    }

    Status generate(TokenId first, int maxTokens, PartialSummary& out)
    {
        const Tokenizer& tokenizer = m_prompts.tokenizer();
        StreamingDecoder decoder(tokenizer, false);
        m_sampler.reset();
        std::string text;
        TokenId token = first;
        for (;;) {
            if (token == kNoToken)
                return Status::failure("the model's logits held no usable value (NaN or -inf everywhere)");
            if (tokenizer.isEndOfGeneration(token))
                break;
            text += decoder.push(token);
            m_sampler.accept(token);
            if (++out.generatedTokens >= maxTokens || m_session.position() >= m_session.contextLength()) {
                out.truncated = true;
                break;
            }
            if (cancelRequested())
                return Status::failure(kCancelled);
            if (Status s = next(token, token); !s)
                return s;
        }
        text += decoder.flush();
        const QString answer = QString::fromStdString(text).trimmed();
        out.text = out.truncated ? endAtSentence(answer) : answer;
        return {};
    }

    void report(double stepFraction, const PartialSummary* finished)
    {
        if (!m_options.progress)
            return;
        SummaryProgress p;
        p.stepsDone = static_cast<int>(m_outcome.partials.size());
        p.stepsTotal = static_cast<int>(m_plan.steps.size());
        p.stepFraction = finished ? 1.0 : stepFraction;
        p.elapsedSeconds = secondsSince(m_start);
        const double running = finished ? 0.0 : stepFraction * m_plan.stepCost(m_stepIndex);
        const double done = m_doneCost + running;
        if (done > 0)
            p.remainingSeconds = std::max(0.0, p.elapsedSeconds * (m_totalCost - done) / done);
        p.finished = finished;
        m_options.progress(p);
    }

    Session& m_session;
    const SummaryPrompts& m_prompts;
    const SummaryPlan& m_plan;
    const SummaryRunOptions& m_options;
    const Clock::time_point m_start;
    const bool m_greedy;
    Sampler m_sampler;
    SummaryOutcome m_outcome;
    std::vector<int> m_numbers;        // per step: its number among the steps of its pass
    std::vector<int> m_partialOfStep;  // per step: its index in m_outcome.partials, -1 before it ran
    std::vector<float> m_logits;
    double m_totalCost = 0;
    double m_doneCost = 0;
    int m_stepIndex = 0;
};

Summarizer::Summarizer(Session& session, const SummaryPrompts& prompts) : m_session(session), m_prompts(prompts) {}

SummaryOutcome Summarizer::run(const SummaryPlan& plan, const SummaryRunOptions& options)
{
    return Run(m_session, m_prompts, plan, options).execute();
}

QString Summarizer::speedSample(const ExtractedDocument& document)
{
    constexpr qsizetype kSampleChars = 4000;
    QString sample;
    for (const DocumentBlock& b : document.blocks) {
        if (sample.size() >= kSampleChars)
            break;
        sample += b.text + QStringLiteral("\n\n");
    }
    return sample;
}

Result<SummarySpeed> Summarizer::measureSpeed(const QString& sample)
{
    constexpr int kGenerated = 16;
    const size_t want = std::min<size_t>(512, m_session.contextLength() / 2);
    std::vector<TokenId> ids = m_prompts.tokenizer().tokenize(sample.toStdString(), true, false);
    if (ids.empty())
        ids.push_back(0);
    const std::vector<TokenId> once = ids;
    while (ids.size() < want)  // a short sample is repeated to a full batch
        ids.insert(ids.end(), once.begin(), once.end());
    ids.resize(std::min(ids.size(), want));
    m_session.truncate(0);
    std::vector<float> logits;
    Clock::time_point start = Clock::now();
    if (Status s = m_session.evaluate(ids, Logits::None, logits); !s)
        return s;
    SummarySpeed speed;
    speed.promptTokensPerSecond = double(ids.size()) / std::max(secondsSince(start), 1e-6);
    start = Clock::now();
    TokenId token = ids.back();
    for (int i = 0; i < kGenerated && m_session.position() < m_session.contextLength(); ++i) {
        Result<TokenId> id = m_session.evaluateGreedy(token);
        if (!id)
            return id.status();
        token = *id;
    }
    speed.generatedTokensPerSecond = kGenerated / std::max(secondsSince(start), 1e-6);
    m_session.truncate(0);
    return speed;
}

}  // namespace vela::app
