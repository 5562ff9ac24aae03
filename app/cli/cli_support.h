// Helpers shared by the vela-cli subcommands: option parsing, model opening, JSON text.
#pragma once

#include "vela/gguf.h"

#include <QCommandLineParser>
#include <QStringList>

#include <optional>
#include <string>
#include <string_view>

namespace vela::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Prints "vela-cli: message" to stderr and returns kExitFailure.
int reportError(const std::string& message);

// Parses `args` (the subcommand's name first) with --help support. Returns an exit code when the command
// should stop here (help shown or a usage error printed), nullopt to go on.
std::optional<int> parseArguments(QCommandLineParser& parser, const QStringList& args, const QString& summary);

// The -m/--model option every model command takes.
QCommandLineOption modelOption();
std::optional<GgufFile> openModel(const QCommandLineParser& parser);

// A JSON string literal for UTF-8 text; invalid sequences become U+FFFD (vela::sanitizeUtf8) so the output is
// always valid JSON.
std::string jsonString(std::string_view utf8);

}  // namespace vela::cli
