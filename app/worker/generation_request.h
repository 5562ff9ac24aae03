// What the UI asks the inference worker for, and what it gets back (DESIGN.md §6). Plain values, copied
// across threads through queued connections, so every type here is registered with Qt's meta-type system
// (registerWorkerTypes()).
#pragma once

#include "vela/sampling.h"
#include "vela/tokenizer.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace vela::app {

// A LoRA adapter file to apply on top of a model, and at which scale (vela::LoraAdapter).
struct LoraChoice {
    QString path;
    double scale = 1.0;
    bool operator==(const LoraChoice&) const = default;
};

struct LoadRequest {
    uint32_t contextLength = 0;  // the session's context; 0 = min(trained context, 4096)
    QString device;              // as vela::chooseDevice(): "" = VELA_DEVICE or the best device
    QList<LoraChoice> adapters;  // one that does not fit the model is left out, and the model loads without it
    // The vision projector (mmproj GGUF) loaded with the model, on its device; "" = text only. One that cannot
    // be used leaves the model text only, with the reason in ModelSummary::visionProblem.
    QString projector;
};

// Which images a loaded model takes, through its projector (vela::VisionProjector).
enum class VisionKind { None, Gemma3, PaliGemma };
QString visionKindName(VisionKind kind);  // "Gemma 3 vision", "PaliGemma", "" for None

// An image sent with a generation: its encoded file, as bytes or where the worker reads them, and the name
// messages about it use ("cat.png", "pasted image").
struct ImageInput {
    QString name;
    QByteArray bytes;  // when empty, the worker reads `path`
    QString path;
};

struct GenerationRequest {
    quint64 requestId = 0;         // echoed in GenerationStats, so the UI can match the answer
    std::vector<TokenId> tokens;   // the whole sequence (a chat's every turn); when empty, `prompt` is used
    QString prompt;                // tokenized with BOS as the model asks and control tokens parsed
    SamplingParams sampling;       // temperature <= 0: greedy, argmax on the device (penalties unused)
    int maxTokens = 256;           // tokens generated at most (an end-of-generation token counts)
    QStringList stopStrings;       // in addition to sampling.stopStrings
    bool ignoreEndOfGeneration = false;
    // Images for a model that sees them: `prompt` then holds one vela::kMediaMarker per image where it goes
    // (Gemma 3) or is PaliGemma's task prefix with its one image, and `tokens` is not used.
    QList<ImageInput> images;
};

struct ModelSummary {
    QString name;          // general.name, or the file name when the model has none
    QString architecture;  // "llama"
    quint64 parameters = 0;
    QString quant;         // the tensor type holding most of the weight bytes: "Q4_K", "F16", …
    QString device;        // the Vulkan device it runs on
    quint32 context = 0;   // the session's context length, in tokens
    quint64 memory = 0;    // device bytes: weights plus the session's KV cache and scratch
    QString path;
    // The model's tokenizer, a copy the UI thread may use (const methods only); null when it could not be read.
    std::shared_ptr<const Tokenizer> tokenizer;
    QList<LoraChoice> adapters;   // the LoRA adapters applied
    QStringList adapterProblems;  // the requested ones left out: "<adapter path>: <reason>"
    // Images: the projector loaded with the model (VisionKind::None: text only), the rows each image takes in
    // the context, and why a requested projector was left out ("" when none was or it loaded).
    VisionKind vision = VisionKind::None;
    QString projectorPath;
    quint32 imageTokens = 0;
    QString visionProblem;
    bool seesImages() const { return vision != VisionKind::None; }
};

enum class StopReason {
    EndOfGeneration,  // the model produced an end-of-generation token
    Limit,            // maxTokens were generated
    StopString,       // one of the stop strings appeared in the text
    Cancelled,        // requestStop()
    ContextFull,      // the session's context has no room for another token
};

QString stopReasonName(StopReason reason);  // "eos", "limit", "stop-string", "cancelled", "context-full"

struct GenerationStats {
    quint64 requestId = 0;
    int promptTokens = 0;     // tokens of the request's sequence
    int reusedTokens = 0;     // of those, already in the KV cache from the previous turn
    int generatedTokens = 0;
    double promptMilliseconds = 0;
    double generationMilliseconds = 0;
    double tokensPerSecond = 0;  // generation speed, from the first generated token to the last
    StopReason stopReason = StopReason::Limit;
    QString stopString;          // the one hit, with StopReason::StopString
};

// Registers the types above for queued connections; idempotent, called by the worker's constructor.
void registerWorkerTypes();

}  // namespace vela::app

Q_DECLARE_METATYPE(vela::app::LoadRequest)
Q_DECLARE_METATYPE(vela::app::GenerationRequest)
Q_DECLARE_METATYPE(vela::app::ModelSummary)
Q_DECLARE_METATYPE(vela::app::GenerationStats)
