// libFuzzer target: any byte string given to the GGUF reader, the model description and the tokenizer
// loader must end in a value or a clean error — never a crash, a sanitizer report, a hang or a huge allocation.
#include "vela/gguf.h"
#include "vela/model_info.h"
#include "vela/tokenizer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    vela::Result<vela::GgufFile> file = vela::GgufFile::parse({data, size}, "fuzz.gguf");
    if (!file)
        return 0;
    const vela::ModelInfo info = vela::describeModel(*file);
    (void)vela::estimateMemory(info, 4096);
    for (const vela::GgufTensorInfo& t : file->tensors())
        (void)file->tensorData(t);
    vela::Result<vela::Tokenizer> tokenizer = vela::Tokenizer::fromGguf(*file);
    if (!tokenizer)
        return 0;
    const std::vector<vela::TokenId> ids = tokenizer->tokenize("Hello <s> world! 123 \xF0\x9F\xA6\x99", true, true);
    (void)tokenizer->detokenize(ids);
    return 0;
}
