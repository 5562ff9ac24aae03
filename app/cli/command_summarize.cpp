// vela-cli summarize: the summary of a whole document (DESIGN.md §3). On stderr: the plan (chunks, tokens,
// estimated time, memory), one line per finished pass ("chunk i/n", "combine j/m") and, at the end, the time,
// peak RSS and device memory; on stdout: the summary. Ctrl-C stops it cleanly between tokens: the partial
// summaries finished so far go to stdout and the exit code is 130; a second Ctrl-C kills it at once.
#include "cli/cli_support.h"
#include "cli/model_options.h"

#include "chat/prompt_builder.h"
#include "documents/document_extractor.h"
#include "documents/summarizer.h"

#include <QLocale>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <sys/resource.h>

namespace vela::cli {
namespace {

using namespace vela::app;

// 128 + SIGINT: what a shell reports for a command stopped by Ctrl-C.
constexpr int kExitCancelled = 130;

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void onInterrupt(int)
{
    g_interrupted.store(true);
}

// The first SIGINT asks for a clean stop; SA_RESETHAND gives the second one its default action.
void installInterruptHandler()
{
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &action, nullptr);
}

struct SummarizeOptions {
    QCommandLineOption file{"file", "The document: .txt .md .pdf .html .docx .epub.", "DOC"};
    QCommandLineOption length{"length", "short, medium (default) or detailed.", "L", "medium"};
    QCommandLineOption focus{"focus", "What the summary should concentrate on.", "TEXT"};
    QCommandLineOption language{"language", "The language to write in (default: the document's).", "L"};
    QCommandLineOption temp{"temp", "Temperature; 0 = greedy (default).", "T", "0"};
    QCommandLineOption seed{"seed", "With --temp: the random seed (default 0).", "S", "0"};
};

std::string number(qint64 value)
{
    return QLocale::c().toString(value).toStdString();
}

std::string text(const QString& s)
{
    return s.toStdString();
}

// --ctx up to the model's trained context (its RoPE scaling included), else the engine's default.
std::optional<uint32_t> chooseContext(const QCommandLineParser& parser, const ModelOptions& model)
{
    const std::optional<uint32_t> requested = model.contextLength(parser);
    const std::optional<GgufFile> file = openModel(parser);
    if (!requested || !file)
        return std::nullopt;
    const uint32_t trained = describeModel(*file).contextLength;
    if (*requested > 0 && trained > 0 && *requested > trained) {
        std::cerr << "the model was trained for " << number(trained) << " tokens of context; using " << number(trained)
                  << " instead of " << number(*requested) << "\n";
        return trained;
    }
    return *requested;
}

void printProgress(const SummaryProgress& p, const SummaryPlan& plan)
{
    if (!p.finished)
        return;
    const PartialSummary& s = *p.finished;
    const std::string which = s.pass == SummaryPass::Reduce
                                  ? "combine " + std::to_string(s.number) + "/" + std::to_string(plan.reduceCount()) +
                                        " (level " + std::to_string(s.level) + ")"
                                  : "chunk " + std::to_string(s.number) + "/" + std::to_string(std::max(plan.mapCount(), 1));
    std::fprintf(stderr, "%s  %s  %s tokens (%s cached) -> %s tokens%s  %.1f s  [%d/%d, elapsed %s", which.c_str(),
                 text(s.source.citation()).c_str(), number(s.promptTokens).c_str(), number(s.reusedTokens).c_str(),
                 number(s.generatedTokens).c_str(), s.truncated ? " (cut)" : "", s.seconds, p.stepsDone, p.stepsTotal,
                 text(formatDuration(p.elapsedSeconds)).c_str());
    if (p.remainingSeconds >= 0 && p.stepsDone < p.stepsTotal)
        std::fprintf(stderr, ", about %s left", text(formatDuration(p.remainingSeconds)).c_str());
    std::fprintf(stderr, "]\n");
}

// Peak resident memory of this process, and what the model and the session hold on the device.
void printMemory(const LanguageModel& model, const Session& session)
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const uint64_t peakRss = static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
    std::fprintf(stderr, "peak RSS %s (%llu bytes); device memory %s (%llu bytes: model %s + session %s)\n",
                 formatBytes(peakRss).c_str(), static_cast<unsigned long long>(peakRss),
                 formatBytes(model.deviceBytes() + session.deviceBytes()).c_str(),
                 static_cast<unsigned long long>(model.deviceBytes() + session.deviceBytes()),
                 formatBytes(model.deviceBytes()).c_str(), formatBytes(session.deviceBytes()).c_str());
}

void printPartials(const SummaryOutcome& outcome)
{
    for (const PartialSummary& p : outcome.partials)
        std::cout << text(SummaryPrompts::labelledSummary(p.source.citation(), p.text)) << "\n\n";
    std::cout << std::flush;
}

std::optional<SummaryOptions> summaryOptions(const QCommandLineParser& parser, const SummarizeOptions& o)
{
    SummaryOptions options;
    const std::optional<SummaryLength> length = summaryLengthFromName(parser.value(o.length));
    if (!length) {
        reportError("--length takes short, medium or detailed, not '" + text(parser.value(o.length)) + "'");
        return std::nullopt;
    }
    options.length = *length;
    options.focus = parser.value(o.focus);
    options.language = parser.value(o.language);
    options.temperature = parser.value(o.temp).toFloat();
    options.seed = parser.value(o.seed).toULongLong();
    return options;
}

int finish(const SummaryOutcome& outcome, int stepsTotal, const LanguageModel& model, const Session& session)
{
    std::fprintf(stderr, "%d of %d passes in %s; prompt %s tokens (%s cached), generated %s tokens\n",
                 int(outcome.partials.size()), stepsTotal, text(formatDuration(outcome.seconds)).c_str(),
                 number(outcome.promptTokens).c_str(), number(outcome.reusedTokens).c_str(),
                 number(outcome.generatedTokens).c_str());
    printMemory(model, session);
    if (outcome.isComplete()) {
        std::cout << text(outcome.summary) << std::endl;
        return kExitOk;
    }
    if (outcome.cancelled)
        std::cerr << "vela-cli: cancelled; the " << outcome.partials.size() << " partial summaries finished so far follow\n";
    else
        reportError(outcome.status.message() + "; the partial summaries finished so far follow");
    printPartials(outcome);
    return outcome.cancelled ? kExitCancelled : kExitFailure;
}

}  // namespace

int runSummarize(const QStringList& args)
{
    QCommandLineParser parser;
    const ModelOptions model;
    const SummarizeOptions o;
    model.addTo(parser);
    for (const QCommandLineOption& option : {o.file, o.length, o.focus, o.language, o.temp, o.seed})
        parser.addOption(option);
    if (std::optional<int> exit = parseArguments(parser, args,
                                                 "Summarize a whole document, in one pass when it fits the context, else "
                                                 "map-reduce over chunks. Ctrl-C stops it and prints the partial "
                                                 "summaries (exit code 130)."))
        return *exit;
    if (!parser.isSet(o.file))
        return reportError("no document given (use --file DOC)");
    const std::optional<SummaryOptions> options = summaryOptions(parser, o);
    if (!options)
        return kExitFailure;
    installInterruptHandler();

    ExtractOptions extract;
    extract.cancel = &g_interrupted;
    Result<ExtractedDocument> document = extractDocument(parser.value(o.file), extract);
    if (!document)
        return g_interrupted ? kExitCancelled : reportError(document.message());
    const std::optional<uint32_t> context = chooseContext(parser, model);
    if (!context)
        return kExitFailure;
    std::unique_ptr<LanguageModel> lm = model.load(parser, *context);
    if (!lm)
        return kExitFailure;
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = *context});
    if (!session)
        return reportError(session.message());
    Session& s = **session;
    const PromptBuilder format = PromptBuilder::forModel(parser.value("model"));
    const SummaryPrompts prompts(format, lm->tokenizer(), *options, document->title);
    std::cerr << "prompt format: " << text(format.description()) << "\n";

    Summarizer summarizer(s, prompts);
    const Result<SummarySpeed> speed = summarizer.measureSpeed(Summarizer::speedSample(*document));
    if (!speed)
        return reportError(speed.message());
    const Result<SummaryPlan> plan =
        planSummary(*document, prompts, {static_cast<int>(s.contextLength()), &lm->info(), *speed});
    if (!plan)
        return reportError(plan.message());
    std::cerr << "plan:\n  " << text(plan->describe().replace(QLatin1Char('\n'), QStringLiteral("\n  "))) << "\n" << std::flush;

    SummaryRunOptions run;
    run.cancel = &g_interrupted;
    run.progress = [&](const SummaryProgress& p) { printProgress(p, *plan); };
    return finish(summarizer.run(*plan, run), static_cast<int>(plan->steps.size()), *lm, s);
}

}  // namespace vela::cli
