// Turns a conversation into the text the model continues. With the model's `tokenizer.chat_template` it
// renders the messages as Hugging Face's apply_chat_template does (vela::ChatTemplate), with the
// generation prompt added. A template that cannot be parsed is replaced by the built-in format it (or the
// model's name or architecture) matches — ChatML, Llama 2, Llama 3, Gemma, Phi-3, Mistral — and a user's
// override (a template typed in the model panel) comes before both. A model without any (a base model such
// as TinyStories) gets plain text: the system prompt and every turn joined with "\n".
//
// BOS is left to the worker, which adds it as the model asks, so the template gets an empty bos_token.
#pragma once

#include "storage/chat_store.h"

#include "vela/chat_template.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>
#include <string>

namespace vela::app {

class PromptBuilder {
    Q_DECLARE_TR_FUNCTIONS(PromptBuilder)

public:
    enum class Source {
        PlainText,      // no template at all
        ModelTemplate,  // the model's tokenizer.chat_template
        Builtin,        // a built-in format standing in for an unparsable template
        Override,       // the user's template for this model
    };

    PromptBuilder() = default;  // plain text
    // Reads the template from the model's header. `overrideSource` (non-empty) is used instead when it
    // parses; otherwise see the class comment for the fallbacks. Never fails: description() says what is used.
    static PromptBuilder forModel(const QString& path, const QString& overrideSource = {});

    bool usesTemplate() const { return m_template.has_value(); }
    Source source() const { return m_source; }
    // Why the preferred template was not used ("" when it was): the parse error, with line and column.
    QString problem() const { return m_problem; }
    // One line for the model panel: "the model's chat template", "built-in ChatML format — the model's
    // template could not be parsed (line 1, column 40)", "plain text (the model has no chat template)", …
    QString description() const;

    // A template that fails to render falls back to plain text and sets `error`.
    QString build(const QString& systemPrompt, const QList<Message>& messages, QString* error = nullptr) const;
    static QString buildPlain(const QString& systemPrompt, const QList<Message>& messages);
    static QString formatName(BuiltinChatFormat format);  // "ChatML", "Llama 3", "Phi-3", …

private:
    std::optional<ChatTemplate> m_template;
    Source m_source = Source::PlainText;
    std::optional<BuiltinChatFormat> m_builtin;
    std::string m_eosToken;
    QString m_problem;
    QString m_problemSubject;  // whose template failed: "the model's template" or "your template override"
};

}  // namespace vela::app
