// Writes the fuzzer's starting corpus: small but complete GGUF files that reach every part of the reader and
// both tokenizer kinds. Usage: make_fuzz_seeds OUT_DIR [SHARED_DIR]
#include "vela/gguf.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace vela;

namespace {

// GPT-2's byte-level alphabet: printable bytes stand for themselves, the rest map to U+0100 onwards.
std::vector<std::string> byteLevelAlphabet()
{
    std::vector<std::string> tokens;
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
        const int cp = printable ? b : next++;
        std::string s;
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
        tokens.push_back(s);
    }
    return tokens;
}

GgufWriter bpeSeed()
{
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("tokenizer.ggml.model", "gpt2");
    w.setString("tokenizer.ggml.pre", "gpt-2");
    std::vector<std::string> tokens = byteLevelAlphabet();
    tokens.insert(tokens.end(), {"He", "ll", "llo", "Hello", "\xC4\xA0w", "\xC4\xA0wor", "<|endoftext|>"});
    w.set("tokenizer.ggml.tokens", GgufValue::fromStrings(tokens));
    w.set("tokenizer.ggml.merges", GgufValue::fromStrings({"H e", "l l", "ll o", "He llo", "\xC4\xA0 w", "\xC4\xA0w or"}));
    std::vector<GgufValue> types(tokens.size(), GgufValue::fromInt(GgufValueType::Int32, 1));
    types.back() = GgufValue::fromInt(GgufValueType::Int32, 3);
    w.set("tokenizer.ggml.token_type", GgufValue::fromArray(GgufValueType::Int32, types));
    w.setUInt32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(tokens.size() - 1));
    w.setUInt32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(tokens.size() - 1));
    w.setUInt32("llama.context_length", 128);
    w.setUInt32("llama.block_count", 1);
    (void)w.addTensor("token_embd.weight", GgmlType::F16, {8, 4}, std::vector<uint8_t>(64, 0));
    return w;
}

// The metadata of a real model (its tokenizer included) without the tensors.
bool writeMetadataOnly(const std::string& model, const std::string& out)
{
    Result<GgufFile> file = GgufFile::open(model);
    if (!file)
        return false;
    GgufWriter w;
    for (const GgufKeyValue& kv : file->metadata())
        w.set(kv.key, kv.value);
    return w.writeFile(out).isOk();
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: make_fuzz_seeds OUT_DIR [SHARED_DIR]\n");
        return 2;
    }
    const std::string dir = argv[1];
    bool ok = bpeSeed().writeFile(dir + "/bpe.gguf").isOk();
    if (argc > 2) {
        const std::string shared = argv[2];
        ok = writeMetadataOnly(shared + "/models/stories260K.gguf", dir + "/spm.gguf") && ok;
        ok = writeMetadataOnly(shared + "/models/synthetic/qwen3-Q4_K_M.gguf", dir + "/qwen3.gguf") && ok;
    }
    return ok ? 0 : 1;
}
