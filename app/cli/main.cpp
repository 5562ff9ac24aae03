// vela-cli: one executable, one subcommand per file (DESIGN.md §3).
#include "cli/cli_support.h"

#include <QCoreApplication>

#include <iostream>

namespace vela::cli {
int runInfo(const QStringList& args);
int runTokenize(const QStringList& args);
int runDevices(const QStringList& args);
int runGenerate(const QStringList& args);
int runLogits(const QStringList& args);
int runSynth(const QStringList& args);
int runTemplate(const QStringList& args);
int runConvert(const QStringList& args);
int runSummarize(const QStringList& args);
}

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& args);
};

constexpr Command kCommands[] = {
    {"devices", "list the Vulkan devices", vela::cli::runDevices},
    {"info", "describe a model and estimate the memory it needs", vela::cli::runInfo},
    {"tokenize", "print the token ids of a text", vela::cli::runTokenize},
    {"generate", "continue a prompt (streamed to stdout)", vela::cli::runGenerate},
    {"logits", "write next-token logits as raw float32", vela::cli::runLogits},
    {"synth", "write a random-weight model of any shape and weight type", vela::cli::runSynth},
    {"template", "render a chat template", vela::cli::runTemplate},
    {"convert", "convert a Hugging Face checkpoint (PaliGemma) to GGUF", vela::cli::runConvert},
    {"summarize", "summarize a whole document (map-reduce when it does not fit the context)", vela::cli::runSummarize},
};

void printUsage(std::ostream& out)
{
    out << "usage: vela-cli COMMAND [options]   (vela-cli COMMAND --help for its options)\n\ncommands:\n";
    for (const Command& c : kCommands)
        out << "  " << c.name << std::string(12 - std::string(c.name).size(), ' ') << c.summary << '\n';
}

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("vela-cli");
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();  // the program path
    if (args.isEmpty() || args.first() == "-h" || args.first() == "--help") {
        printUsage(args.isEmpty() ? std::cerr : std::cout);
        return args.isEmpty() ? vela::cli::kExitUsage : vela::cli::kExitOk;
    }
    for (const Command& c : kCommands) {
        if (args.first() == QLatin1String(c.name))
            return c.run(args);
    }
    std::cerr << "vela-cli: unknown command '" << args.first().toStdString() << "'\n";
    printUsage(std::cerr);
    return vela::cli::kExitUsage;
}
