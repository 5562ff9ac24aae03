#include "cli/cli_support.h"

#include "vela/tokenizer.h"

#include <cstdio>
#include <iostream>

namespace vela::cli {

int reportError(const std::string& message)
{
    std::cerr << "vela-cli: " << message << '\n';
    return kExitFailure;
}

std::optional<int> parseArguments(QCommandLineParser& parser, const QStringList& args, const QString& summary)
{
    parser.setApplicationDescription(summary);
    const QCommandLineOption help(QStringList{"h", "help"}, "Show this help.");
    parser.addOption(help);
    if (!parser.parse(args)) {
        std::cerr << "vela-cli " << args.value(0).toStdString() << ": " << parser.errorText().toStdString()
                  << "\n(see --help)\n";
        return kExitUsage;
    }
    if (parser.isSet(help)) {
        std::cout << parser.helpText().toStdString();
        return kExitOk;
    }
    return std::nullopt;
}

QCommandLineOption modelOption()
{
    return QCommandLineOption(QStringList{"m", "model"}, "The GGUF model file.", "MODEL");
}

std::optional<GgufFile> openModel(const QCommandLineParser& parser)
{
    const QString path = parser.value("model");
    if (path.isEmpty()) {
        reportError("no model given (use -m MODEL)");
        return std::nullopt;
    }
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    if (!file) {
        reportError(file.message());
        return std::nullopt;
    }
    return std::move(file).value();
}

std::string jsonString(std::string_view utf8)
{
    // Sanitized first, so every byte from 0x80 up belongs to a valid character and is copied as it is.
    const std::string text = sanitizeUtf8(utf8);
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

}  // namespace vela::cli
