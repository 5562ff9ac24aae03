// Fallback chat formats for models without a usable template, and their detection. The layouts are the
// models' published prompt formats (same ones llama.cpp's llm_chat_apply_template knows by name).
#include "vela/chat_template.h"

#include <algorithm>
#include <cctype>

namespace vela {
namespace {

constexpr std::string_view kChatML =
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

constexpr std::string_view kLlama2 =
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = '<<SYS>>\\n' + messages[0]['content'] + '\\n<</SYS>>\\n\\n' %}"
    "{% else %}{% set loop_messages = messages %}{% set system_message = '' %}{% endif %}"
    "{% for message in loop_messages %}{% if loop.index0 == 0 %}{% set content = system_message + "
    "message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + content + ' ' + eos_token }}{% endif %}{% endfor %}";

constexpr std::string_view kLlama3 =
    "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
    "'<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

constexpr std::string_view kGemma =
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set first_user_prefix = messages[0]['content'] + "
    "'\\n\\n' %}{% set loop_messages = messages[1:] %}{% else %}{% set first_user_prefix = '' %}"
    "{% set loop_messages = messages %}{% endif %}{% for message in loop_messages %}"
    "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') + message['content'] | trim + "
    "'<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}";

constexpr std::string_view kPhi3 =
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";

constexpr std::string_view kMistral =
    "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + "
    "message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + "
    "eos_token }}{% elif message['role'] == 'system' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% endif %}{% endfor %}";

bool has(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }

}  // namespace

std::string_view builtinTemplateSource(BuiltinChatFormat format)
{
    switch (format) {
    case BuiltinChatFormat::ChatML: return kChatML;
    case BuiltinChatFormat::Llama2: return kLlama2;
    case BuiltinChatFormat::Llama3: return kLlama3;
    case BuiltinChatFormat::Gemma: return kGemma;
    case BuiltinChatFormat::Phi3: return kPhi3;
    case BuiltinChatFormat::Mistral: return kMistral;
    }
    return kChatML;
}

const char* builtinFormatName(BuiltinChatFormat format)
{
    switch (format) {
    case BuiltinChatFormat::ChatML: return "chatml";
    case BuiltinChatFormat::Llama2: return "llama2";
    case BuiltinChatFormat::Llama3: return "llama3";
    case BuiltinChatFormat::Gemma: return "gemma";
    case BuiltinChatFormat::Phi3: return "phi3";
    case BuiltinChatFormat::Mistral: return "mistral";
    }
    return "chatml";
}

std::optional<BuiltinChatFormat> detectBuiltinFormat(std::string_view text, std::string_view modelName)
{
    // The template's own markers are the most reliable sign.
    if (has(text, "<|im_start|>"))
        return BuiltinChatFormat::ChatML;
    if (has(text, "<|start_header_id|>"))
        return BuiltinChatFormat::Llama3;
    if (has(text, "<start_of_turn>"))
        return BuiltinChatFormat::Gemma;
    if (has(text, "<|user|>") && has(text, "<|end|>"))
        return BuiltinChatFormat::Phi3;
    if (has(text, "[INST]"))
        return has(text, "<<SYS>>") ? BuiltinChatFormat::Llama2 : BuiltinChatFormat::Mistral;

    std::string name(modelName);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == '-' || c == '_' || c == ' '; }),
               name.end());
    if (name.empty())
        return std::nullopt;
    if (has(name, "llama3"))
        return BuiltinChatFormat::Llama3;
    if (has(name, "llama2") || (has(name, "llama") && !has(name, "llama3")))
        return BuiltinChatFormat::Llama2;
    if (has(name, "gemma"))
        return BuiltinChatFormat::Gemma;
    if (has(name, "phi3"))
        return BuiltinChatFormat::Phi3;
    if (has(name, "mistral") || has(name, "mixtral"))
        return BuiltinChatFormat::Mistral;
    if (has(name, "qwen") || has(name, "chatml") || has(name, "smollm") || has(name, "hermes"))
        return BuiltinChatFormat::ChatML;
    return std::nullopt;
}

}  // namespace vela
