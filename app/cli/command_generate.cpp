// vela-cli generate: the model's continuation of a prompt, streamed to stdout; timing on stderr.
#include "cli/cli_support.h"
#include "cli/image_options.h"
#include "cli/model_options.h"

#include "chat/prompt_builder.h"

#include "vela/sampling.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

namespace vela::cli {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct GenerateOptions {
    QCommandLineOption count{QStringList{"n", "n-predict"}, "Tokens to generate (default 128).", "N", "128"};
    QCommandLineOption temp{"temp", "Temperature; 0 = greedy (default 0.8).", "T", "0.8"};
    QCommandLineOption topK{"top-k", "Top-k (default 40; 0 = off).", "K", "40"};
    QCommandLineOption topP{"top-p", "Top-p (default 0.95; 1 = off).", "P", "0.95"};
    QCommandLineOption minP{"min-p", "Min-p (default 0.05; 0 = off).", "P", "0.05"};
    QCommandLineOption repeat{"repeat-penalty", "Repetition penalty (default 1 = off).", "R", "1"};
    QCommandLineOption seed{"seed", "Random seed (default: random).", "S"};
    QCommandLineOption ignoreEos{"ignore-eos", "Keep generating past end-of-generation tokens."};
    QCommandLineOption chat{"chat", "Send the prompt as a user message through the model's chat template (a built-in "
                                    "format when it cannot be parsed), as the app does."};
    QCommandLineOption system{"system", "With --chat: the system message.", "S"};
    QCommandLineOption stop{"stop", "Stop when the output contains S (repeatable).", "S"};
};

// The prompt as the app renders a one-message chat (app::PromptBuilder); which format was used goes to stderr.
std::string chatPrompt(const QString& modelPath, const QString& system, const std::string& user)
{
    const app::PromptBuilder builder = app::PromptBuilder::forModel(modelPath);
    std::cerr << "prompt format: " << builder.description().toStdString() << "\n";
    app::Message message;
    message.role = app::MessageRole::User;
    message.content = QString::fromStdString(user);
    QString error;
    const QString rendered = builder.build(system, {message}, &error);
    if (!error.isEmpty())
        std::cerr << "vela-cli: the chat template failed (" << error.toStdString() << "); plain text is used\n";
    return rendered.toStdString();
}

}  // namespace

int runGenerate(const QStringList& args)
{
    QCommandLineParser parser;
    const ModelOptions model;
    const GenerateOptions o;
    const ImageOptions images;
    model.addTo(parser);
    images.addTo(parser);
    addPromptOptions(parser);
    for (const QCommandLineOption& option : {o.count, o.temp, o.topK, o.topP, o.minP, o.repeat, o.seed, o.ignoreEos, o.chat, o.system, o.stop})
        parser.addOption(option);
    if (std::optional<int> exit = parseArguments(parser, args, "Generate a continuation of a prompt."))
        return *exit;
    if (parser.isSet(o.system) && !parser.isSet(o.chat))
        return reportError("--system needs --chat");
    std::optional<std::string> prompt = promptText(parser);
    if (!prompt)
        return kExitFailure;
    if (parser.isSet(o.chat))
        prompt = chatPrompt(parser.value("model"), parser.value(o.system), *prompt);
    SamplingParams sampling;
    sampling.temperature = parser.value(o.temp).toFloat();
    sampling.topK = parser.value(o.topK).toInt();
    sampling.topP = parser.value(o.topP).toFloat();
    sampling.minP = parser.value(o.minP).toFloat();
    sampling.repeatPenalty = parser.value(o.repeat).toFloat();
    if (parser.isSet(o.seed))
        sampling.seed = parser.value(o.seed).toULongLong();
    for (const QString& stop : parser.values(o.stop))
        sampling.stopStrings.push_back(stop.toStdString());
    const int count = parser.value(o.count).toInt();

    std::unique_ptr<LanguageModel> lm = model.load(parser);
    if (!lm)
        return kExitFailure;
    SessionOptions sessionOptions;
    sessionOptions.contextLength = *model.contextLength(parser);
    Result<std::unique_ptr<Session>> session = lm->createSession(sessionOptions);
    if (!session)
        return reportError(session.message());
    const Tokenizer& tokenizer = lm->tokenizer();
    // With images the prompt is laid out around them (blocks of image rows); ids keeps its tokens.
    std::optional<std::vector<PromptChunk>> chunks;
    std::vector<TokenId> ids;
    if (images.used(parser)) {
        chunks = images.buildPrompt(parser, *lm, *prompt);
        if (!chunks)
            return kExitFailure;
        for (const PromptChunk& chunk : *chunks)
            for (TokenId id : chunk.ids)
                if (id >= 0)
                    ids.push_back(id);
    } else {
        ids = tokenizer.tokenize(*prompt, true, true);
        if (ids.empty())
            return reportError("the prompt is empty");
    }

    const bool greedy = sampling.temperature <= 0;
    Sampler sampler(sampling);
    std::vector<float> logits;
    const Clock::time_point promptStart = Clock::now();
    std::vector<std::pair<TokenId, float>> best;
    if (chunks) {
        if (Status s = evaluatePromptChunks(**session, *chunks, logits); !s)
            return reportError(s.message());
        if (greedy)  // ties to the lowest id, as llama.cpp's greedy sampler
            best = {{TokenId(std::max_element(logits.begin(), logits.end()) - logits.begin()), 0.0f}};
    } else if (Status s = (*session)->evaluate(ids, greedy ? Logits::None : Logits::Last, logits); !s) {
        return reportError(s.message());
    } else if (greedy) {
        // The prompt left its last logits on the device: take the argmax there too.
        const TokenId last[] = {ids.back()};
        (*session)->truncate((*session)->position() - 1);
        Result<TokenId> first = (*session)->evaluateGreedy(last[0]);
        if (!first)
            return reportError(first.message());
        best = {{*first, 0.0f}};
    }
    const double promptMs = millisecondsSince(promptStart);
    const size_t promptRows = chunks ? (*session)->position() : ids.size();  // image rows count as positions
    for (TokenId id : ids)
        sampler.accept(id);

    StreamingDecoder decoder(tokenizer, false);
    StopStringMatcher stops(sampling.stopStrings);  // holds back text that may be the start of a stop string
    const Clock::time_point genStart = Clock::now();
    int generated = 0;
    TokenId next = greedy ? best.front().first : sampler.sample(logits);
    while (generated < count) {
        if (next == kNoToken)
            return reportError("the model's logits held no usable value (NaN or -inf everywhere)");
        ++generated;
        sampler.accept(next);
        if (!parser.isSet(o.ignoreEos) && tokenizer.isEndOfGeneration(next))
            break;
        const StopStringMatcher::Output shown = stops.feed(decoder.push(next));
        std::cout << shown.text << std::flush;
        if (shown.stopped)
            break;
        if (generated == count)
            break;
        if ((*session)->position() >= (*session)->contextLength()) {
            std::cerr << "\nvela-cli: the context of " << (*session)->contextLength() << " tokens is full\n";
            break;
        }
        if (greedy) {
            Result<TokenId> id = (*session)->evaluateGreedy(next);
            if (!id)
                return reportError(id.message());
            next = *id;
        } else {
            const TokenId one[] = {next};
            if (Status s = (*session)->evaluate(one, Logits::Last, logits); !s)
                return reportError(s.message());
            next = sampler.sample(logits);
        }
    }
    if (!stops.stopped())
        std::cout << stops.feed(decoder.flush()).text << stops.flush() << std::flush;
    const double genMs = millisecondsSince(genStart);
    std::fprintf(stderr, "\nprompt: %zu tokens in %.1f ms (%.2f tokens/s); generated: %d tokens in %.1f ms (%.2f tokens/s)\n",
                 promptRows, promptMs, promptRows * 1000.0 / promptMs, generated, genMs,
                 generated > 1 ? (generated - 1) * 1000.0 / genMs : 0.0);
    if (parser.isSet(model.profile))
        printKernelTimings(**session);
    return kExitOk;
}

}  // namespace vela::cli
