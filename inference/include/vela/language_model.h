// A language model loaded onto a Vulkan device, and the sessions that run it.
//
//   Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load("model.gguf", options);
//   Result<std::unique_ptr<Session>> session = (*model)->createSession({.contextLength = 4096});
//   (*session)->evaluate(promptIds, Logits::Last, logits);   // prompt, in batches
//   (*session)->evaluate({nextId}, Logits::Last, logits);    // then one token at a time
//
// Threading: a LanguageModel and its sessions belong to one thread at a time (the inference worker);
// cancel() may be called from any thread.
#pragma once

#include "vela/device.h"
#include "vela/model_info.h"
#include "vela/status.h"
#include "vela/tokenizer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vela {

// A LoRA adapter in llama.cpp's adapter GGUF (convert_lora_to_gguf.py, Unsloth's GGUF export), applied on the
// device on top of the unchanged weights: every matrix W it adapts computes W·x + s·B·(A·x) with
// s = scale · alpha / rank (s = scale when the file's adapter.lora.alpha is 0 or absent).
struct LoraAdapter {
    std::string path;
    float scale = 1.0f;  // 0: checked but not applied, the base model's logits exactly
};

struct LoadOptions {
    std::string device;           // as chooseDevice(): "" = VELA_DEVICE or the best device
    uint32_t contextLength = 0;   // for the memory check; 0 = min(trained context, 4096)
    bool validation = false;      // Vulkan validation layer (also VELA_VALIDATION=1)
    bool profile = false;         // per-kernel GPU timestamps, see Session::kernelTimings()
    std::vector<LoraAdapter> loraAdapters;  // each one adds its own term; a mismatched one fails the load
    // Called with the fraction loaded (0…1) as weights stream to the device; return false to cancel.
    std::function<bool(double fraction)> progress;
};

struct SessionOptions {
    uint32_t contextLength = 0;  // 0 = min(trained context, 4096)
    uint32_t batchSize = 512;    // prompt tokens per forward pass (n_batch)
};

enum class Logits { Last, All, None };

struct KernelTime {
    uint64_t dispatches = 0;
    double milliseconds = 0;
    uint64_t bytes = 0;  // weights and activations the kernel was declared to move (0: not declared)
};

class Session;

class LanguageModel {
public:
    // Reads the file, checks the architecture and the memory it needs against the device, then uploads the
    // weights. Fails with a message a user can act on (unsupported architecture, too big for the device,
    // cancelled, …) and frees everything it allocated.
    static Result<std::unique_ptr<LanguageModel>> load(const std::string& path, const LoadOptions& options = {});
    virtual ~LanguageModel();

    virtual const ModelInfo& info() const = 0;
    virtual const Tokenizer& tokenizer() const = 0;
    virtual const DeviceDescription& device() const = 0;
    virtual uint64_t deviceBytes() const = 0;  // weights on the device

    virtual Result<std::unique_ptr<Session>> createSession(const SessionOptions& options = {}) = 0;

    // Errors the Vulkan validation layer reported so far (LoadOptions::validation); empty when clean or off.
    virtual std::vector<std::string> validationErrors() const = 0;

    // The architectures load() accepts.
    static std::vector<std::string> supportedArchitectures();
    // The checks load() makes of a LoRA adapter against the model file (format, architecture, every tensor's
    // name, shape and type), without a device: fails with "<adapter path>: <reason>".
    static Status checkLoraAdapter(const std::string& modelPath, const std::string& adapterPath);
};

class Session {
public:
    virtual ~Session();

    // Runs `tokens` at the next positions (prompt: in batches of SessionOptions::batchSize). With
    // Logits::Last `logits` receives n_vocab values for the last token, with Logits::All one row per token.
    virtual Status evaluate(std::span<const TokenId> tokens, Logits which, std::vector<float>& logits) = 0;
    // A block of prompt rows some of which the caller computed itself (image embeddings), run as one batch
    // (at most SessionOptions::batchSize rows). ids[i] ≥ 0 is a token; ids[i] < 0 takes the next row of
    // `embeddings` (n_embd floats per row, entered as they are: no embedding scale). The negative ids are what
    // cachedTokens() records, so they should identify the content (e.g. derived from an image's hash): prefix
    // reuse then never mistakes one image for another. `bidirectional`: the block's rows see each other both
    // ways (Gemma 3's image tokens, PaliGemma's whole prefix) and the earlier cache causally.
    virtual Status evaluateBlock(std::span<const TokenId> ids, std::span<const float> embeddings, bool bidirectional,
                                 Logits which, std::vector<float>& logits) = 0;
    // Greedy decoding without downloading logits: evaluates `token` and returns the argmax of the next logits.
    virtual Result<TokenId> evaluateGreedy(TokenId token) = 0;
    // Top-k candidates (sorted by logit, descending) of the last evaluated position; k ≤ 64.
    virtual Status topCandidates(uint32_t k, std::vector<std::pair<TokenId, float>>& out) = 0;

    virtual uint32_t position() const = 0;       // tokens in the KV cache
    virtual uint32_t contextLength() const = 0;
    // Forgets every position ≥ `length`.
    virtual void truncate(uint32_t length) = 0;
    // The tokens whose keys and values the cache holds, position by position.
    virtual const std::vector<TokenId>& cachedTokens() const = 0;

    // Forgets what follows the longest prefix of `sequence` the cache holds, keeping at least its last token out
    // (so it can run again for its logits), and returns how many tokens were kept: what a caller that evaluates
    // the rest its own way (in slices, greedy on the device) reuses.
    uint32_t keepCachedPrefix(std::span<const TokenId> sequence);
    // Brings the cache to `sequence` and returns the logits of its last token, evaluating only what follows
    // the longest prefix already cached (a chat's next turn re-runs just the new messages). `reused` receives
    // how many tokens were kept.
    Status evaluateReusingPrefix(std::span<const TokenId> sequence, std::vector<float>& logits, uint32_t* reused = nullptr);
    // Device memory held by this session (KV cache and scratch): fixed at creation, never grows.
    virtual uint64_t deviceBytes() const = 0;

    // Asks a running evaluate() to stop between layers/batches; it then fails with "cancelled".
    void cancel() { m_cancel.store(true); }
    // Called on the evaluating thread each time a batch of evaluate()'s tokens is in the cache, with how many
    // of `total` are done: progress for long prompts, and a place to cancel() from.
    void setBatchObserver(std::function<void(size_t done, size_t total)> observer) { m_batchObserver = std::move(observer); }
    virtual std::map<std::string, KernelTime> kernelTimings() const = 0;
    virtual void resetKernelTimings() = 0;

protected:
    void noteBatchDone(size_t done, size_t total) const
    {
        if (m_batchObserver)
            m_batchObserver(done, total);
    }

    std::atomic<bool> m_cancel{false};
    std::function<void(size_t, size_t)> m_batchObserver;
};

}  // namespace vela
