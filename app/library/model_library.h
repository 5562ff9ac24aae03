// The models a user has: the GGUF files of a folder (and recently opened ones), each described from its
// header alone — name, architecture, parameters, quantization, size and the memory it would need — so the
// model panel can show what loading costs before anything is loaded.
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <cstdint>

namespace vela::app {

struct ModelEntry {
    QString path;
    QString name;          // general.name, else the file name without .gguf
    QString architecture;  // "" when the file could not be read
    uint64_t parameters = 0;
    QString quantization;  // the weight type holding most of the bytes, e.g. "Q4_K"
    uint64_t fileBytes = 0;
    uint64_t estimatedBytes = 0;  // weights + KV cache + scratch at `contextLength`
    uint32_t contextLength = 0;
    uint64_t weightBytes = 0;   // of the estimate: the weights,
    uint64_t kvCacheBytes = 0;  // the KV cache at `contextLength`
    bool supported = false;  // an architecture the engine runs
    QString mmprojPath;      // a vision projector beside it (…mmproj….gguf), if any
    QString problem;         // why the file cannot be used ("" when fine)
};

class ModelLibrary {
public:
    // Describes one file; never fails: a broken file gives an entry with `problem` set.
    static ModelEntry describe(const QString& path, uint32_t contextLength = 4096);
    // Every *.gguf in `folder` (not recursing), projector files paired with their model rather than listed.
    static QList<ModelEntry> scanFolder(const QString& folder, uint32_t contextLength = 4096);
    // The vision projector beside the model file: a .gguf in its folder whose name contains "mmproj" and
    // starts with the model's name ("gemma3-4b.gguf" + "gemma3-4b-mmproj-f16.gguf"), or with its name up to
    // the last '-' followed by "-mmproj" ("gemma3-4b-Q4_K_M.gguf" + "gemma3-4b-mmproj.gguf"); "" when none.
    static QString pairedProjector(const QString& modelPath);
    // Whether the LoRA adapter at `adapterPath` fits the model at `modelPath` (headers only, no device):
    // "" when it does, else "<adapter path>: <reason>".
    static QString checkAdapter(const QString& modelPath, const QString& adapterPath);
};

}  // namespace vela::app
