// LanguageModel::load: open the file, check what it is and whether it fits, then hand it to its
// architecture's loader.
#include "vela/language_model.h"

#include "models/llama_model.h"
#include "models/lora_adapter.h"

#include "vela/gguf.h"
#include "vela/llama_params.h"

namespace vela {

LanguageModel::~LanguageModel() = default;
Session::~Session() = default;

Status Session::evaluateReusingPrefix(std::span<const TokenId> sequence, std::vector<float>& logits, uint32_t* reused)
{
    if (sequence.empty())
        return Status::failure("nothing to evaluate");
    const uint32_t common = keepCachedPrefix(sequence);
    if (reused)
        *reused = common;
    return evaluate(sequence.subspan(common), Logits::Last, logits);
}

uint32_t Session::keepCachedPrefix(std::span<const TokenId> sequence)
{
    const std::vector<TokenId>& cached = cachedTokens();
    size_t common = 0;
    while (common + 1 < sequence.size() && common < cached.size() && cached[common] == sequence[common])
        ++common;
    truncate(static_cast<uint32_t>(common));
    return static_cast<uint32_t>(common);
}

std::vector<std::string> LanguageModel::supportedArchitectures()
{
    return llamaFamilyArchitectures();
}

Status LanguageModel::checkLoraAdapter(const std::string& modelPath, const std::string& adapterPath)
{
    Result<GgufFile> model = GgufFile::open(modelPath);
    if (!model)
        return model.status();
    Result<models::LoraAdapterFile> adapter = models::openLoraAdapter(adapterPath, *model);
    return adapter ? Status() : adapter.status();
}

Result<std::unique_ptr<LanguageModel>> LanguageModel::load(const std::string& path, const LoadOptions& options)
{
    Result<GgufFile> file = GgufFile::open(path);
    if (!file)
        return file.status();
    const std::string arch = file->architecture();
    if (isLlamaFamily(arch))
        return models::loadLlama(std::move(file).value(), options);
    std::string supported;
    for (const std::string& a : supportedArchitectures())
        supported += (supported.empty() ? "" : ", ") + a;
    return Status::failure(path + ": unsupported architecture '" + (arch.empty() ? "(none)" : arch) +
                           "' (supported: " + supported + ")");
}

}  // namespace vela
