// vela-cli tokenize: the token ids of a text, as the model's own tokenizer produces them.
#include "cli/cli_support.h"

#include "vela/tokenizer.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace vela::cli {
namespace {

std::optional<std::string> readFileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int runTokenize(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption(modelOption());
    const QCommandLineOption noBos("no-bos", "Do not add BOS/EOS (llama_tokenize's add_special = false).");
    const QCommandLineOption special("special", "Turn control-token text such as <|im_start|> into that token.");
    const QCommandLineOption pieces("pieces", "Print [[id, \"piece\"], …] instead of ids.");
    const QCommandLineOption file("file", "Read the text from a file, as raw UTF-8 bytes.", "F");
    parser.addOption(noBos);
    parser.addOption(special);
    parser.addOption(pieces);
    parser.addOption(file);
    parser.addPositionalArgument("TEXT", "The text to tokenize (or --file).");
    if (std::optional<int> exit = parseArguments(parser, args, "Print the token ids of a text."))
        return *exit;

    const QStringList positional = parser.positionalArguments();
    std::string text;
    if (parser.isSet(file)) {
        if (!positional.isEmpty())
            return reportError("give either TEXT or --file, not both");
        std::optional<std::string> bytes = readFileBytes(parser.value(file).toStdString());
        if (!bytes)
            return reportError("cannot read '" + parser.value(file).toStdString() + "'");
        text = std::move(*bytes);
    } else if (positional.size() == 1) {
        text = positional.first().toStdString();
    } else {
        return reportError(positional.isEmpty() ? "no text given (TEXT or --file F)"
                                                : "give the text as one argument (quote it)");
    }

    std::optional<GgufFile> model = openModel(parser);
    if (!model)
        return kExitFailure;
    Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*model);
    if (!tokenizer)
        return reportError(model->paths().front() + ": " + tokenizer.message());

    const std::vector<TokenId> ids = tokenizer->tokenize(text, !parser.isSet(noBos), parser.isSet(special));
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < ids.size(); ++i) {
        out << (i ? ", " : "");
        if (parser.isSet(pieces))
            out << '[' << ids[i] << ", " << jsonString(tokenizer->tokenToPiece(ids[i])) << ']';
        else
            out << ids[i];
    }
    out << "]\n";
    std::cout << out.str();
    return kExitOk;
}

}  // namespace vela::cli
