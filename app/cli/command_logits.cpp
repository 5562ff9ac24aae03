// vela-cli logits: the raw next-token logits (little-endian float32) of the last or of every position.
#include "cli/cli_support.h"
#include "cli/image_options.h"
#include "cli/model_options.h"

#include <fstream>

namespace vela::cli {

int runLogits(const QStringList& args)
{
    QCommandLineParser parser;
    const ModelOptions model;
    const ImageOptions images;
    model.addTo(parser);
    images.addTo(parser);
    addPromptOptions(parser);
    const QCommandLineOption tokens("tokens", "Comma-separated token ids instead of a prompt.", "1,2,3");
    const QCommandLineOption out("out", "The file to write.", "FILE");
    const QCommandLineOption all("all", "Write every position's logits (positions × n_vocab).");
    for (const QCommandLineOption& option : {tokens, out, all})
        parser.addOption(option);
    if (std::optional<int> exit = parseArguments(parser, args, "Write next-token logits as raw float32."))
        return *exit;
    if (!parser.isSet(out))
        return reportError("no output file given (--out FILE)");
    std::vector<TokenId> ids;
    if (parser.isSet(tokens)) {
        if (parser.isSet("prompt") || parser.isSet("prompt-file"))
            return reportError("give either --tokens or a prompt, not both");
        for (const QString& part : parser.value(tokens).split(',', Qt::SkipEmptyParts)) {
            bool ok = false;
            ids.push_back(part.trimmed().toInt(&ok));
            if (!ok)
                return reportError("--tokens: '" + part.toStdString() + "' is not a token id");
        }
    }
    std::optional<std::string> prompt;
    if (ids.empty()) {
        prompt = promptText(parser);
        if (!prompt)
            return kExitFailure;
    }
    if (images.used(parser) && (!prompt || parser.isSet(all)))
        return reportError("--image needs a prompt (-p) and writes the last position's logits only");
    std::unique_ptr<LanguageModel> lm = model.load(parser);
    if (!lm)
        return kExitFailure;
    std::optional<std::vector<PromptChunk>> chunks;
    if (images.used(parser)) {
        chunks = images.buildPrompt(parser, *lm, *prompt);
        if (!chunks)
            return kExitFailure;
        ids.clear();
        for (const PromptChunk& chunk : *chunks)
            ids.insert(ids.end(), chunk.ids.begin(), chunk.ids.end());
    } else if (prompt)
        ids = lm->tokenizer().tokenize(*prompt, true, true);
    if (ids.empty())
        return reportError("no tokens to evaluate");
    SessionOptions sessionOptions;
    sessionOptions.contextLength = std::max<uint32_t>(*model.contextLength(parser), 0);
    if (sessionOptions.contextLength == 0)
        sessionOptions.contextLength = std::max<uint32_t>(static_cast<uint32_t>(ids.size()), 256);
    Result<std::unique_ptr<Session>> session = lm->createSession(sessionOptions);
    if (!session)
        return reportError(session.message());
    std::vector<float> logits;
    const Status evaluated = chunks ? evaluatePromptChunks(**session, *chunks, logits)
                                    : (*session)->evaluate(ids, parser.isSet(all) ? Logits::All : Logits::Last, logits);
    if (!evaluated)
        return reportError(evaluated.message());
    std::ofstream file(parser.value(out).toStdString(), std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(logits.data()), static_cast<std::streamsize>(logits.size() * sizeof(float)));
    if (!file.flush())
        return reportError("cannot write '" + parser.value(out).toStdString() + "'");
    if (parser.isSet(model.profile))
        printKernelTimings(**session);
    return kExitOk;
}

}  // namespace vela::cli
