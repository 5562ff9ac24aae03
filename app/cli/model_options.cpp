#include "cli/model_options.h"

#include "cli/cli_support.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

namespace vela::cli {

void ModelOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOption(modelOption());
    parser.addOption(ctx);
    parser.addOption(device);
    parser.addOption(profile);
    parser.addOption(lora);
}

LoraAdapter parseLoraOption(const QString& value)
{
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    bool isNumber = false;
    const float scale = colon > 0 ? value.mid(colon + 1).toFloat(&isNumber) : 0.0f;
    if (!isNumber)
        return {value.toStdString(), 1.0f};
    return {value.left(colon).toStdString(), scale};
}

std::optional<uint32_t> ModelOptions::contextLength(const QCommandLineParser& parser) const
{
    if (!parser.isSet(ctx))
        return 0u;
    bool ok = false;
    const uint32_t n = parser.value(ctx).toUInt(&ok);
    if (!ok || n == 0) {
        reportError("--ctx needs a positive number, got '" + parser.value(ctx).toStdString() + "'");
        return std::nullopt;
    }
    return n;
}

std::unique_ptr<LanguageModel> ModelOptions::load(const QCommandLineParser& parser) const
{
    const std::optional<uint32_t> context = contextLength(parser);
    if (!context)
        return nullptr;
    return load(parser, *context);
}

std::unique_ptr<LanguageModel> ModelOptions::load(const QCommandLineParser& parser, uint32_t contextLength) const
{
    const std::string path = parser.value("model").toStdString();
    if (path.empty()) {
        reportError("no model given (use -m MODEL)");
        return nullptr;
    }
    LoadOptions options;
    options.device = parser.value(device).toStdString();
    options.contextLength = contextLength;
    options.profile = parser.isSet(profile);
    for (const QString& value : parser.values(lora))
        options.loraAdapters.push_back(parseLoraOption(value));
    int lastPercent = -1;
    options.progress = [&](double fraction) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent / 10 != lastPercent / 10) {
            std::fprintf(stderr, "\rloading %3d%%", percent);
            lastPercent = percent;
        }
        return true;
    };
    Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load(path, options);
    std::fprintf(stderr, "\r");
    if (!model) {
        reportError(model.message());
        return nullptr;
    }
    std::fprintf(stderr, "loaded %s on %s\n", path.c_str(), (*model)->device().name.c_str());
    for (const LoraAdapter& adapter : options.loraAdapters)
        std::fprintf(stderr, "LoRA adapter %s at scale %g\n", adapter.path.c_str(), static_cast<double>(adapter.scale));
    return std::move(model).value();
}

void addPromptOptions(QCommandLineParser& parser)
{
    parser.addOption(QCommandLineOption(QStringList{"p", "prompt"}, "The prompt text.", "PROMPT"));
    parser.addOption(QCommandLineOption("prompt-file", "Read the prompt from a file (raw UTF-8).", "F"));
}

std::optional<std::string> promptText(const QCommandLineParser& parser, bool required)
{
    const bool inline_ = parser.isSet("prompt");
    const bool file = parser.isSet("prompt-file");
    if (inline_ && file) {
        reportError("give either -p or --prompt-file, not both");
        return std::nullopt;
    }
    if (file) {
        std::ifstream in(parser.value("prompt-file").toStdString(), std::ios::binary);
        if (!in) {
            reportError("cannot read '" + parser.value("prompt-file").toStdString() + "'");
            return std::nullopt;
        }
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    if (inline_)
        return parser.value("prompt").toStdString();
    if (required)
        reportError("no prompt given (-p PROMPT or --prompt-file F)");
    return required ? std::nullopt : std::optional<std::string>("");
}

void printKernelTimings(const Session& session)
{
    const auto timings = session.kernelTimings();
    if (timings.empty())
        return;
    std::vector<std::pair<std::string, KernelTime>> rows(timings.begin(), timings.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.milliseconds > b.second.milliseconds; });
    double total = 0;
    for (const auto& [name, t] : rows)
        total += t.milliseconds;
    std::fprintf(stderr, "\n%-24s %12s %7s %10s %10s %8s\n", "kernel", "ms", "share", "dispatches", "MB read", "GB/s");
    for (const auto& [name, t] : rows) {
        std::fprintf(stderr, "%-24s %12.3f %6.1f%% %10llu", name.c_str(), t.milliseconds,
                     total > 0 ? 100.0 * t.milliseconds / total : 0.0, static_cast<unsigned long long>(t.dispatches));
        if (t.bytes && t.milliseconds > 0)
            std::fprintf(stderr, " %10.3f %8.2f", static_cast<double>(t.bytes) / 1e6,
                         static_cast<double>(t.bytes) / (t.milliseconds * 1e6));
        std::fprintf(stderr, "\n");
    }
    std::fprintf(stderr, "%-24s %12.3f\n", "total", total);
}

}  // namespace vela::cli
