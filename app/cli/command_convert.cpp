// vela-cli convert --paligemma: a Hugging Face PaliGemma folder → NAME.gguf (text) and NAME-mmproj.gguf
// (vision) in Vela's layout (DESIGN.md §3, §4; shared/models/vision/PALIGEMMA_GGUF.md).
#include "cli/cli_support.h"

#include "convert/paligemma_converter.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <iostream>

namespace vela::cli {

int runConvert(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption paligemma("paligemma", "The Hugging Face PaliGemma folder to convert (config.json, "
                                                    "*.safetensors, tokenizer.model, tokenizer_config.json).",
                                       "HF_FOLDER");
    const QCommandLineOption outDir("out-dir", "The folder to write NAME.gguf and NAME-mmproj.gguf into.", "DIR");
    const QCommandLineOption name(
        "name", "NAME of the output files and general.name (default: the input folder's name).", "NAME");
    const QCommandLineOption type("type", "f32 (default) or f16: the type of the weight matrices; norms, biases "
                                          "and the vision embeddings stay F32.",
                                  "T", "f32");
    for (const QCommandLineOption& o : {paligemma, outDir, name, type})
        parser.addOption(o);
    if (std::optional<int> exit = parseArguments(parser, args, "Convert a Hugging Face PaliGemma checkpoint to GGUF."))
        return *exit;
    if (!parser.positionalArguments().isEmpty())
        return reportError("unexpected argument '" + parser.positionalArguments().first().toStdString() + "'");
    for (const QCommandLineOption* required : {&paligemma, &outDir}) {
        if (!parser.isSet(*required)) {
            std::cerr << "vela-cli convert: missing --" << required->names().first().toStdString()
                      << " (vela-cli convert --paligemma HF_FOLDER --out-dir DIR; see --help)\n";
            return kExitUsage;
        }
    }
    PaliGemmaConvertOptions options;
    options.inputFolder = parser.value(paligemma).toStdString();
    options.outputFolder = parser.value(outDir).toStdString();
    options.name = parser.value(name).toStdString();
    const QString typeName = parser.value(type).toLower();
    if (typeName != "f32" && typeName != "f16")
        return reportError("--type must be f32 or f16, got '" + parser.value(type).toStdString() + "'");
    options.matrixType = typeName == "f16" ? GgmlType::F16 : GgmlType::F32;

    QElapsedTimer timer;
    timer.start();
    Result<PaliGemmaConversion> done = convertPaliGemma(options);
    if (!done)
        return reportError(done.message());
    // The two paths on stdout (for scripts); sizes and time on stderr, like the other commands' reports.
    std::cout << done->textPath << '\n' << done->mmprojPath << '\n';
    const auto bytes = [](const std::string& path) { return QFileInfo(QString::fromStdString(path)).size(); };
    std::cerr << "vela-cli convert: wrote " << done->textPath << " (" << done->textTensors << " tensors, "
              << bytes(done->textPath) << " bytes) and " << done->mmprojPath << " (" << done->mmprojTensors
              << " tensors, " << bytes(done->mmprojPath) << " bytes) in " << timer.elapsed() / 1000.0 << " s\n";
    return kExitOk;
}

}  // namespace vela::cli
