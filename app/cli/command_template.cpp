// vela-cli template: render a chat template (the model's tokenizer.chat_template or a .jinja file) over a
// messages file, byte for byte as Hugging Face transformers' apply_chat_template renders it.
#include "cli/cli_support.h"

#include "vela/chat_template.h"
#include "vela/tokenizer.h"

#include <fstream>
#include <iostream>
#include <iterator>

namespace vela::cli {
namespace {

std::optional<std::string> readFileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The model's own template, else the built-in format its name or architecture suggests. Also takes the
// model's BOS/EOS text as the default bos_token/eos_token, as transformers passes the tokenizer's.
std::optional<std::string> templateFromModel(const QCommandLineParser& parser, ChatContextOptions& options)
{
    std::optional<GgufFile> model = openModel(parser);
    if (!model)
        return std::nullopt;
    if (Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*model)) {
        const SpecialTokens& special = tokenizer->specialTokens();
        if (special.bos != kNoToken)
            options.fallbackBosToken = std::string(tokenizer->tokenText(special.bos));
        if (special.eos != kNoToken)
            options.fallbackEosToken = std::string(tokenizer->tokenText(special.eos));
    }
    if (std::optional<std::string_view> text = model->getString("tokenizer.chat_template"))
        return std::string(*text);
    std::string hint = std::string(model->getString("general.name").value_or("")) + " " +
                       std::string(model->getString("general.architecture").value_or(""));
    if (std::optional<BuiltinChatFormat> format = detectBuiltinFormat({}, hint)) {
        std::cerr << "vela-cli: the model has no chat template; using the built-in '" << builtinFormatName(*format)
                  << "' format\n";
        return std::string(builtinTemplateSource(*format));
    }
    reportError("the model has no chat template and no built-in format matches it");
    return std::nullopt;
}

}  // namespace

int runTemplate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption(modelOption());
    const QCommandLineOption templateFile("template", "Render this Jinja template file instead of a model's.", "F");
    const QCommandLineOption messages("messages", "JSON object with messages (and add_generation_prompt, "
                                                  "bos_token, eos_token, tools, documents, other variables).", "F");
    const QCommandLineOption addGen("add-generation-prompt", "Set add_generation_prompt to true.");
    const QCommandLineOption bos("bos", "The bos_token string.", "S");
    const QCommandLineOption eos("eos", "The eos_token string.", "S");
    for (const QCommandLineOption& o : {templateFile, messages, addGen, bos, eos})
        parser.addOption(o);
    if (std::optional<int> exit = parseArguments(parser, args, "Render a chat template over a conversation."))
        return *exit;

    if (parser.isSet(templateFile) == parser.isSet("model")) {
        std::cerr << "vela-cli: give either -m MODEL or --template F.jinja\n";
        return kExitUsage;
    }
    if (!parser.isSet(messages)) {
        std::cerr << "vela-cli: --messages F.json is required\n";
        return kExitUsage;
    }

    ChatContextOptions options;
    std::optional<std::string> source;
    if (parser.isSet(templateFile)) {
        source = readFileBytes(parser.value(templateFile).toStdString());
        if (!source)
            return reportError("cannot read '" + parser.value(templateFile).toStdString() + "'");
    } else {
        source = templateFromModel(parser, options);
        if (!source)
            return kExitFailure;
    }
    const std::string messagesPath = parser.value(messages).toStdString();
    std::optional<std::string> request = readFileBytes(messagesPath);
    if (!request)
        return reportError("cannot read '" + messagesPath + "'");

    Result<ChatTemplate> tmpl = ChatTemplate::parse(*source);
    if (!tmpl)
        return reportError(tmpl.message());
    if (parser.isSet(addGen))
        options.addGenerationPrompt = true;
    if (parser.isSet(bos))
        options.bosToken = parser.value(bos).toStdString();
    if (parser.isSet(eos))
        options.eosToken = parser.value(eos).toStdString();
    Result<std::string> rendered = renderChatRequest(*tmpl, *request, options);
    if (!rendered)
        return reportError(rendered.message());
    std::cout << *rendered << std::flush;
    return kExitOk;
}

}  // namespace vela::cli
