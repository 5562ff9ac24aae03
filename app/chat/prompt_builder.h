// Turns a conversation into the text the model continues. With the model's `tokenizer.chat_template` it
// renders the messages as Hugging Face's apply_chat_template does (vela::ChatTemplate), with the
// generation prompt added; a model without one (a base model such as TinyStories) gets plain text: the
// system prompt and every turn joined with "\n".
//
// BOS is left to the worker, which adds it as the model asks, so the template gets an empty bos_token.
#pragma once

#include "storage/chat_store.h"

#include "vela/chat_template.h"

#include <QList>
#include <QString>

#include <optional>
#include <string>

namespace vela::app {

class PromptBuilder {
public:
    PromptBuilder() = default;  // plain text
    // Reads the template from the model's header; a missing or unparsable one gives plain text (problem()
    // says why for the latter).
    static PromptBuilder forModel(const QString& path);

    bool usesTemplate() const { return m_template.has_value(); }
    QString problem() const { return m_problem; }

    // A template that fails to render falls back to plain text and sets `error`.
    QString build(const QString& systemPrompt, const QList<Message>& messages, QString* error = nullptr) const;
    static QString buildPlain(const QString& systemPrompt, const QList<Message>& messages);

private:
    std::optional<ChatTemplate> m_template;
    std::string m_eosToken;
    QString m_problem;
};

}  // namespace vela::app
