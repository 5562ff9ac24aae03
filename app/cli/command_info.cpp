// vela-cli info: what the model is and the memory it will need, from the header alone.
#include "cli/cli_support.h"

#include "vela/model_info.h"

#include <cstdio>
#include <iostream>
#include <sstream>

namespace vela::cli {
namespace {

std::string formatCount(uint64_t n)
{
    char text[32];
    if (n >= 1'000'000'000)
        std::snprintf(text, sizeof text, "%.2f B", n / 1e9);
    else if (n >= 1'000'000)
        std::snprintf(text, sizeof text, "%.2f M", n / 1e6);
    else if (n >= 1'000)
        std::snprintf(text, sizeof text, "%.2f K", n / 1e3);
    else
        std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(n));
    return text;
}

void printText(const GgufFile& file, const ModelInfo& info, const MemoryEstimate& memory)
{
    std::ostream& out = std::cout;
    out << "file:            " << file.paths().front();
    if (file.paths().size() > 1)
        out << " (+" << file.paths().size() - 1 << " more parts)";
    out << "\nformat:          GGUF v" << file.version() << ", " << file.tensors().size() << " tensors, "
        << formatBytes(file.fileBytes()) << '\n'
        << "architecture:    " << (info.architecture.empty() ? "(none)" : info.architecture) << '\n'
        << "name:            " << (info.name.empty() ? "(none)" : info.name) << '\n'
        << "parameters:      " << formatCount(info.parameterCount) << " (" << info.parameterCount << ")\n"
        << "tensor types:" << (info.tensorTypes.empty() ? "    (none: a vocabulary-only file)" : "") << '\n';
    for (const TensorTypeSummary& s : info.tensorTypes) {
        out << "  " << ggmlTypeName(s.type) << std::string(9 - ggmlTypeName(s.type).size(), ' ') << s.tensorCount
            << " tensors, " << s.elements << " weights, " << s.bytes << " bytes (" << formatBytes(s.bytes) << ")\n";
    }
    out << "context length:  " << info.contextLength << '\n'
        << "shape:           " << info.blockCount << " layers, n_embd " << info.embeddingLength << ", n_ff "
        << info.feedForwardLength << ", " << info.headCount << " heads (" << info.headCountKv << " KV), head dim "
        << info.headDimK << ", vocab " << info.vocabSize << '\n'
        << "tokenizer:       " << (info.tokenizerModel.empty() ? "(none)" : info.tokenizerModel)
        << (info.tokenizerModel == "llama" ? " (SentencePiece)" : info.tokenizerModel == "gpt2" ? " (byte-level BPE)" : "");
    if (!info.tokenizerPre.empty())
        out << ", pre-tokenizer " << info.tokenizerPre;
    out << "\nchat template:   " << (info.hasChatTemplate ? "yes" : "no") << '\n'
        << "rope:            base " << info.ropeFreqBase << ", scaling " << info.ropeScalingType;
    if (info.ropeScalingFactor > 0)
        out << " x" << info.ropeScalingFactor;
    if (info.ropeOriginalContext > 0)
        out << " (original context " << info.ropeOriginalContext << ")";
    out << "\nmemory estimate at context " << memory.contextLength << ":\n"
        << "  weights        " << memory.weightBytes << " bytes (" << formatBytes(memory.weightBytes) << ")\n"
        << "  KV cache (f16) " << memory.kvCacheBytes << " bytes (" << formatBytes(memory.kvCacheBytes) << ")\n"
        << "  scratch        " << memory.scratchBytes << " bytes (" << formatBytes(memory.scratchBytes) << ")\n"
        << "  total          " << memory.totalBytes() << " bytes (" << formatBytes(memory.totalBytes()) << ")\n";
}

void printJson(const GgufFile& file, const ModelInfo& info, const MemoryEstimate& memory)
{
    std::ostringstream out;
    out << "{\n  \"file\": " << jsonString(file.paths().front()) << ",\n  \"gguf_version\": " << file.version()
        << ",\n  \"architecture\": " << jsonString(info.architecture) << ",\n  \"name\": " << jsonString(info.name)
        << ",\n  \"parameters\": " << info.parameterCount << ",\n  \"tensor_count\": " << file.tensors().size()
        << ",\n  \"tensor_types\": {";
    for (size_t i = 0; i < info.tensorTypes.size(); ++i) {
        const TensorTypeSummary& s = info.tensorTypes[i];
        out << (i ? ", " : "") << jsonString(ggmlTypeName(s.type)) << ": {\"count\": " << s.tensorCount
            << ", \"elements\": " << s.elements << ", \"bytes\": " << s.bytes << "}";
    }
    out << "},\n  \"context_length\": " << info.contextLength << ",\n  \"n_embd\": " << info.embeddingLength
        << ",\n  \"n_layer\": " << info.blockCount << ",\n  \"n_ff\": " << info.feedForwardLength
        << ",\n  \"n_head\": " << info.headCount << ",\n  \"n_head_kv\": " << info.headCountKv
        << ",\n  \"n_vocab\": " << info.vocabSize << ",\n  \"tokenizer\": {\"model\": " << jsonString(info.tokenizerModel)
        << ", \"pre\": " << jsonString(info.tokenizerPre) << "},\n  \"chat_template\": "
        << (info.hasChatTemplate ? "true" : "false") << ",\n  \"rope\": {\"freq_base\": " << info.ropeFreqBase
        << ", \"scaling\": " << jsonString(info.ropeScalingType) << ", \"factor\": " << info.ropeScalingFactor
        << ", \"original_context\": " << info.ropeOriginalContext << "},\n  \"memory\": {\"context\": "
        << memory.contextLength << ", \"weights\": " << memory.weightBytes << ", \"kv_cache\": "
        << memory.kvCacheBytes << ", \"scratch\": " << memory.scratchBytes << ", \"total\": " << memory.totalBytes()
        << "}\n}\n";
    std::cout << out.str();
}

}  // namespace

int runInfo(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption(modelOption());
    const QCommandLineOption ctx("ctx", "Context length for the memory estimate (default: the trained one).", "N");
    const QCommandLineOption json("json", "Print JSON.");
    parser.addOption(ctx);
    parser.addOption(json);
    if (std::optional<int> exit = parseArguments(parser, args, "Describe a model and estimate its memory."))
        return *exit;

    uint32_t contextLength = 0;
    if (parser.isSet(ctx)) {
        bool ok = false;
        contextLength = parser.value(ctx).toUInt(&ok);
        if (!ok || contextLength == 0)
            return reportError("--ctx needs a positive number, got '" + parser.value(ctx).toStdString() + "'");
    }
    std::optional<GgufFile> file = openModel(parser);
    if (!file)
        return kExitFailure;
    const ModelInfo info = describeModel(*file);
    const MemoryEstimate memory = estimateMemory(info, contextLength);
    if (parser.isSet(json))
        printJson(*file, info, memory);
    else
        printText(*file, info, memory);
    return kExitOk;
}

}  // namespace vela::cli
