// --mmproj F --image F … (generate, logits): the vision projector, the images, and the prompt laid out around
// them as the model expects (vela/multimodal_prompt.h).
#pragma once

#include "vela/language_model.h"
#include "vela/multimodal_prompt.h"

#include <QCommandLineParser>

#include <optional>
#include <string>
#include <vector>

namespace vela::cli {

struct ImageOptions {
    QCommandLineOption mmproj{"mmproj", "The model's vision projector (mmproj GGUF).", "FILE"};
    QCommandLineOption image{"image",
                             "An image to ask about (repeatable); each <__media__> in the prompt marks where the next "
                             "goes, else they go first.",
                             "FILE"};

    void addTo(QCommandLineParser& parser) const;
    bool used(const QCommandLineParser& parser) const { return parser.isSet(image) || parser.isSet(mmproj); }
    // Loads the projector, decodes, preprocesses and encodes every image, then lays the prompt out for `model`.
    // Prints the error and returns nullopt on failure (a bad image names its file and the reason).
    // The projector runs on the model's device (--device).
    std::optional<std::vector<PromptChunk>> buildPrompt(const QCommandLineParser& parser, const LanguageModel& model,
                                                        const std::string& text) const;
};

}  // namespace vela::cli
