#include "cli/cli_support.h"

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

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
size_t validUtf8Length(std::string_view s, size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    size_t length = 0;
    uint32_t minimum = 0;
    uint32_t cp = 0;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        length = 2, minimum = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        length = 3, minimum = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        length = 4, minimum = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + length > s.size())
        return 0;
    for (size_t k = 1; k < length; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return length;
}

}  // namespace

std::string jsonString(std::string_view utf8)
{
    std::string out = "\"";
    for (size_t i = 0; i < utf8.size();) {
        const size_t length = validUtf8Length(utf8, i);
        if (length == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        const char c = utf8[i];
        if (length > 1) {
            out.append(utf8.substr(i, length));
        } else if (c == '"' || c == '\\') {
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
        i += length;
    }
    out += '"';
    return out;
}

}  // namespace vela::cli
