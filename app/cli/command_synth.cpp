// vela-cli synth: writes a random-weight model of any shape and weight type (DESIGN.md §3), for tests and
// benchmarks without downloads.
#include "cli/cli_support.h"

#include "vela/synthetic_model.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <charconv>
#include <iostream>

namespace vela::cli {
namespace {

// A whole number of at least `minimum` that fits T; nullopt (and `error` set) otherwise.
template <class T>
std::optional<T> parseNumber(const QString& text, T minimum, std::string& error, const QString& option)
{
    const std::string s = text.toStdString();
    T value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < minimum) {
        error = "--" + option.toStdString() + " must be a whole number of at least " + std::to_string(minimum) +
                ", got '" + s + "'";
        return std::nullopt;
    }
    return value;
}

std::string supportedTypes()
{
    std::string out;
    for (GgmlType t : syntheticWeightTypes())
        out += (out.empty() ? "" : ", ") + std::string(ggmlTypeName(t));
    return out;
}

}  // namespace

int runSynth(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption arch("arch", "Architecture (supported: llama).", "A");
    const QCommandLineOption nEmbd("n-embd", "Embedding length.", "E");
    const QCommandLineOption nLayer("n-layer", "Number of layers.", "L");
    const QCommandLineOption nHead("n-head", "Attention heads.", "H");
    const QCommandLineOption nHeadKv("n-head-kv", "Key/value heads (GQA); default: n-head.", "K");
    const QCommandLineOption nFf("n-ff", "Feed-forward length.", "F");
    const QCommandLineOption nVocab("n-vocab", "Vocabulary size.", "V");
    const QCommandLineOption type("type", QString::fromStdString("Weight type: " + supportedTypes() + "."), "T");
    const QCommandLineOption vocab("vocab", "Copy the tokenizer from this GGUF (its size must be n-vocab).", "F");
    const QCommandLineOption seed("seed", "Random seed (default 42).", "S", "42");
    const QCommandLineOption ctx("ctx", "Context length written to the model (default 4096).", "N", "4096");
    const QCommandLineOption name("name", "general.name (default synthetic-llama).", "NAME", "synthetic-llama");
    const QCommandLineOption out("out", "The GGUF file to write.", "FILE");
    for (const QCommandLineOption& o : {arch, nEmbd, nLayer, nHead, nHeadKv, nFf, nVocab, type, vocab, seed, ctx, name, out})
        parser.addOption(o);
    if (std::optional<int> exit = parseArguments(parser, args, "Write a random-weight GGUF model of any shape."))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return reportError("unexpected argument '" + parser.positionalArguments().first().toStdString() + "'");
    for (const QCommandLineOption* required : {&arch, &nEmbd, &nLayer, &nHead, &nFf, &nVocab, &type, &out}) {
        if (!parser.isSet(*required)) {
            std::cerr << "vela-cli synth: missing --" << required->names().first().toStdString() << " (see --help)\n";
            return kExitUsage;
        }
    }

    SyntheticLlamaSpec spec;
    spec.architecture = parser.value(arch).toStdString();
    spec.vocabPath = parser.value(vocab).toStdString();
    spec.name = parser.value(name).toStdString();
    std::string error;
    const std::pair<const QCommandLineOption*, uint32_t*> sizes[] = {
        {&nEmbd, &spec.nEmbd}, {&nLayer, &spec.nLayer}, {&nHead, &spec.nHead}, {&nFf, &spec.nFf},
        {&nVocab, &spec.nVocab}, {&ctx, &spec.contextLength}};
    for (const auto& [option, field] : sizes) {
        const std::optional<uint32_t> value = parseNumber<uint32_t>(parser.value(*option), 1, error, option->names().first());
        if (!value)
            return reportError(error);
        *field = *value;
    }
    spec.nHeadKv = spec.nHead;
    if (parser.isSet(nHeadKv)) {
        const std::optional<uint32_t> value = parseNumber<uint32_t>(parser.value(nHeadKv), 1, error, "n-head-kv");
        if (!value)
            return reportError(error);
        spec.nHeadKv = *value;
    }
    const std::optional<uint64_t> seedValue = parseNumber<uint64_t>(parser.value(seed), 0, error, "seed");
    if (!seedValue)
        return reportError(error);
    spec.seed = *seedValue;
    const std::optional<GgmlType> weightType = ggmlTypeFromName(parser.value(type).toStdString());
    if (!weightType)
        return reportError("unknown type '" + parser.value(type).toStdString() + "' (supported: " +
                           supportedTypes() + ")");
    spec.type = *weightType;

    const std::string path = parser.value(out).toStdString();
    QElapsedTimer timer;
    timer.start();
    if (Status status = writeSyntheticLlama(spec, path); !status)
        return reportError(status.message());
    std::cerr << "vela-cli synth: wrote " << path << " (" << QFileInfo(QString::fromStdString(path)).size()
              << " bytes) in " << timer.elapsed() / 1000.0 << " s\n";
    return kExitOk;
}

}  // namespace vela::cli
