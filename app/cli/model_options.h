// Options shared by the commands that run a model (generate, logits, vela-bench).
#pragma once

#include "vela/language_model.h"

#include <QCommandLineParser>

#include <memory>
#include <optional>
#include <string>

namespace vela::cli {

struct ModelOptions {
    QCommandLineOption ctx{"ctx", "Context length (default: min(trained, 4096)).", "N"};
    QCommandLineOption device{"device", "Vulkan device index or name (default: VELA_DEVICE or the best one).", "N|NAME"};
    QCommandLineOption profile{"profile", "Time every kernel with GPU timestamps and print a table on stderr."};
    QCommandLineOption lora{"lora",
                            "Apply a LoRA adapter (llama.cpp adapter GGUF) at SCALE (default 1); repeat for several.",
                            "FILE[:SCALE]"};

    void addTo(QCommandLineParser& parser) const;
    // Loads the model named by -m with a progress line on stderr; prints the error and returns null on failure.
    std::unique_ptr<LanguageModel> load(const QCommandLineParser& parser) const;
    // The same with the context checked against device memory chosen by the caller (0: the default).
    std::unique_ptr<LanguageModel> load(const QCommandLineParser& parser, uint32_t contextLength) const;
    std::optional<uint32_t> contextLength(const QCommandLineParser& parser) const;
};

// One --lora value: "FILE:SCALE" when the text after the last ':' is a number, else all of it is the file
// (scale 1).
LoraAdapter parseLoraOption(const QString& value);

// "-p TEXT" or "--prompt-file F"; prints an error and returns nullopt when neither or both are given.
std::optional<std::string> promptText(const QCommandLineParser& parser, bool required = true);
void addPromptOptions(QCommandLineParser& parser);

// The per-kernel table of --profile: time, share, dispatches.
void printKernelTimings(const Session& session);

}  // namespace vela::cli
