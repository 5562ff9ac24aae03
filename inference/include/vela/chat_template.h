// Chat templates: a model's `tokenizer.chat_template` (Jinja2) rendered byte for byte as Hugging Face
// transformers renders it (apply_chat_template), by our own Jinja-subset interpreter (inference/chat/).
// Built-in fallback formats cover models that ship no template.
#pragma once

#include "vela/status.h"

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vela {

namespace chat {
class Value;
struct Node;
}  // namespace chat

class ChatTemplate {
public:
    // Fails with "template syntax error at line L, column C: …" for a malformed template.
    static Result<ChatTemplate> parse(std::string_view source);

    // Renders with the variables of `context` (a dict: messages, add_generation_prompt, bos_token, …; see
    // buildChatContext). A template error, including raise_exception(msg), fails with its message.
    Result<std::string> render(const chat::Value& context) const;
    // As above, with strftime_now() formatting `now` instead of the current time.
    Result<std::string> render(const chat::Value& context, std::time_t now) const;

    const std::string& source() const { return m_source; }

private:
    std::string m_source;
    std::shared_ptr<const std::vector<std::unique_ptr<chat::Node>>> m_nodes;
};

// Formats we can fall back to when a model has no (or an unusable) chat template.
enum class BuiltinChatFormat { ChatML, Llama2, Llama3, Gemma, Phi3, Mistral };

// Picks the format a template's text looks like (its special markers), else one from the model's name or
// architecture (e.g. "llama3", "gemma2", "Phi-3-mini"). nullopt when nothing matches.
std::optional<BuiltinChatFormat> detectBuiltinFormat(std::string_view templateText, std::string_view modelName = {});
// The Jinja source of a built-in format (renders with the same context as a model template).
std::string_view builtinTemplateSource(BuiltinChatFormat format);
const char* builtinFormatName(BuiltinChatFormat format);

// What the caller overrides in a request (command-line flags).
struct ChatContextOptions {
    std::optional<bool> addGenerationPrompt;
    std::optional<std::string> bosToken;
    std::optional<std::string> eosToken;
    // Used when neither the options above nor the request give a token (e.g. the model's own BOS/EOS).
    std::optional<std::string> fallbackBosToken;
    std::optional<std::string> fallbackEosToken;
};

// The standard render context, as HF's apply_chat_template builds it: messages, tools=None, documents=None,
// add_generation_prompt, bos_token/eos_token when given (else undefined), then every other key of
// `request` (and of its nested "extra" dict, the goldens' layout) as extra template variables.
// `request` is a dict such as a parsed reference/templates case.
chat::Value buildChatContext(const chat::Value& request, const ChatContextOptions& options = {});

// Parses `requestJson` (an object with messages, …; key order kept), builds the context and renders it.
Result<std::string> renderChatRequest(const ChatTemplate& tmpl, std::string_view requestJson,
                                      const ChatContextOptions& options = {});

}  // namespace vela
