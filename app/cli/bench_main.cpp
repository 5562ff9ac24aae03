// vela-bench: prompt-processing and generation speed of a model on a device (DESIGN.md §3, §9).
// Generation reads every weight once per token, so tokens/s × bytes per token is the bandwidth achieved;
// it is printed beside the device's measured copy bandwidth.
#include "cli/bench_image.h"
#include "cli/cli_support.h"
#include "cli/model_options.h"

#include "vela/device.h"

#include <QCoreApplication>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>

using namespace vela;
using namespace vela::cli;

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
    double mean = 0;
    double sd = 0;
};

Stats statsOf(const std::vector<double>& values)
{
    Stats s;
    for (double v : values)
        s.mean += v;
    s.mean /= static_cast<double>(values.size());
    for (double v : values)
        s.sd += (v - s.mean) * (v - s.mean);
    s.sd = values.size() > 1 ? std::sqrt(s.sd / static_cast<double>(values.size() - 1)) : 0;
    return s;
}

// Bytes one generated token reads: the weights (ModelInfo::decodeWeightBytes) plus the f16 KV cache of the
// positions it attends to, on average half of a run that starts from an empty context.
double bytesPerToken(const ModelInfo& info, uint32_t generated)
{
    return static_cast<double>(info.decodeWeightBytes) + static_cast<double>(info.kvValuesPerToken) * 2.0 * (generated / 2.0);
}

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments();
    args[0] = "vela-bench";
    QCommandLineParser parser;
    const ModelOptions model;
    model.addTo(parser);
    const QCommandLineOption prompt(QStringList{"p", "n-prompt"}, "Prompt tokens (default 512).", "N", "512");
    const QCommandLineOption gen(QStringList{"n", "n-gen"}, "Generated tokens (default 128).", "N", "128");
    const QCommandLineOption reps(QStringList{"r", "repetitions"}, "Runs of each test (default 5).", "R", "5");
    const QCommandLineOption json("json", "Print one JSON object.");
    const QCommandLineOption mmproj("mmproj", "With --image: the model's vision projector (mmproj GGUF).", "FILE");
    const QCommandLineOption image("image", "Also time the vision encoder on this image (needs --mmproj).", "FILE");
    for (const QCommandLineOption& option : {prompt, gen, reps, json, mmproj, image})
        parser.addOption(option);
    if (std::optional<int> exit = parseArguments(parser, args, "Measure prompt and generation speed."))
        return *exit;
    const uint32_t nPrompt = parser.value(prompt).toUInt();
    const uint32_t nGen = parser.value(gen).toUInt();
    const uint32_t runs = std::max(1u, parser.value(reps).toUInt());
    if (parser.isSet(image) != parser.isSet(mmproj))
        return reportError("--image and --mmproj go together");

    std::unique_ptr<LanguageModel> lm = model.load(parser);
    if (!lm)
        return kExitFailure;
    SessionOptions options;
    options.contextLength = std::max<uint32_t>(*model.contextLength(parser), nPrompt + nGen + 1);
    Result<std::unique_ptr<Session>> created = lm->createSession(options);
    if (!created)
        return reportError(created.message());
    Session& session = **created;
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> token(0, static_cast<int>(lm->info().vocabSize) - 1);
    std::vector<TokenId> ids(std::max(nPrompt, 1u));
    for (TokenId& id : ids)
        id = token(rng);

    std::vector<double> pp, tg;
    std::vector<float> logits;
    for (uint32_t r = 0; r <= runs; ++r) {  // run 0 warms up (pipeline creation, caches)
        session.truncate(0);
        session.resetKernelTimings();
        if (nPrompt) {
            const Clock::time_point start = Clock::now();
            if (Status s = session.evaluate(ids, Logits::Last, logits); !s)
                return reportError(s.message());
            const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
            if (r)
                pp.push_back(nPrompt / seconds);
        }
        if (nGen) {
            session.truncate(0);
            TokenId next = ids[0];
            const Clock::time_point start = Clock::now();
            for (uint32_t i = 0; i < nGen; ++i) {
                Result<TokenId> id = session.evaluateGreedy(next);
                if (!id)
                    return reportError(id.message());
                next = *id;
            }
            const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
            if (r)
                tg.push_back(nGen / seconds);
        }
    }
    const Stats ppStats = pp.empty() ? Stats{} : statsOf(pp);
    const Stats tgStats = tg.empty() ? Stats{} : statsOf(tg);
    const double gbps = tgStats.mean * bytesPerToken(lm->info(), nGen) / 1e9;
    const Result<double> copy = measureCopyBandwidth(parser.value(model.device).toStdString(), 128);
    ImageBench imageBench;
    if (parser.isSet(image) && !benchImage(parser.value(mmproj).toStdString(), parser.value(image).toStdString(),
                                           parser.value(model.device).toStdString(), runs,
                                           parser.isSet(model.profile), imageBench))
        return kExitFailure;
    const Stats encodeStats = imageBench.encodeMs.empty() ? Stats{} : statsOf(imageBench.encodeMs);
    const std::string file = parser.value("model").toStdString();
    if (parser.isSet(json)) {
        std::string imageJson;
        if (parser.isSet(image)) {
            char buffer[256];
            std::snprintf(buffer, sizeof buffer,
                          ", \"image\": {\"rows\": %u, \"preprocess_ms\": %.3f, \"encode_ms\": %.3f, \"sd\": %.3f}",
                          imageBench.rows, imageBench.preprocessMs, encodeStats.mean, encodeStats.sd);
            imageJson = buffer;
        }
        std::printf("{\"model\": %s, \"device\": %s, \"pp\": {\"n\": %u, \"mean\": %.3f, \"sd\": %.3f}, "
                    "\"tg\": {\"n\": %u, \"mean\": %.3f, \"sd\": %.3f, \"gbps\": %.3f}, \"copy_gbps\": %.3f%s}\n",
                    jsonString(file).c_str(), jsonString(lm->device().name).c_str(), nPrompt, ppStats.mean,
                    ppStats.sd, nGen, tgStats.mean, tgStats.sd, gbps, copy ? *copy : 0.0, imageJson.c_str());
    } else {
        std::printf("model:   %s (%s weights)\ndevice:  %s\n", file.c_str(),
                    formatBytes(lm->info().weightBytes).c_str(), lm->device().name.c_str());
        std::printf("pp%-5u %10.2f ± %.2f tokens/s\n", nPrompt, ppStats.mean, ppStats.sd);
        std::printf("tg%-5u %10.2f ± %.2f tokens/s   %.2f GB/s read", nGen, tgStats.mean, tgStats.sd, gbps);
        if (copy && *copy > 0)
            std::printf(" (%.0f%% of the %.2f GB/s copy bandwidth)", 100.0 * gbps / *copy, *copy);
        std::printf("\n");
        if (parser.isSet(image))
            std::printf("image   %u×%u → %u rows: encoder %.2f ± %.2f ms (decode + preprocess %.2f ms on the CPU)\n",
                        imageBench.width, imageBench.height, imageBench.rows, encodeStats.mean, encodeStats.sd,
                        imageBench.preprocessMs);
    }
    if (parser.isSet(model.profile))
        printKernelTimings(session);
    return kExitOk;
}
