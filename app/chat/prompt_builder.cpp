#include "chat/prompt_builder.h"

#include "vela/gguf.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

namespace vela::app {

namespace {

// The text of token `id` in the model's vocabulary, e.g. "</s>" for EOS; "" when absent.
std::string tokenText(const GgufFile& file, std::string_view idKey)
{
    const std::optional<int64_t> id = file.getInt(idKey);
    const GgufValue* tokens = file.find("tokenizer.ggml.tokens");
    if (!id || !tokens || *id < 0 || static_cast<size_t>(*id) >= tokens->items().size())
        return {};
    return std::string(tokens->items()[static_cast<size_t>(*id)].asString().value_or(""));
}

// "template syntax error at line 3, column 5: …" → "line 3, column 5"; the whole message otherwise.
QString where(const std::string& message)
{
    static const QRegularExpression at(QStringLiteral("line (\\d+), column (\\d+)"));
    const QString text = QString::fromStdString(message);
    const QRegularExpressionMatch m = at.match(text);
    return m.hasMatch() ? m.captured(0) : text;
}

}  // namespace

PromptBuilder PromptBuilder::forModel(const QString& path, const QString& overrideSource)
{
    PromptBuilder builder;
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    if (!file.isOk())
        return builder;
    builder.m_eosToken = tokenText(*file, "tokenizer.ggml.eos_token_id");
    if (!overrideSource.trimmed().isEmpty()) {
        Result<ChatTemplate> parsed = ChatTemplate::parse(overrideSource.toStdString());
        if (parsed.isOk()) {
            builder.m_template = std::move(parsed).value();
            builder.m_source = Source::Override;
            return builder;
        }
        builder.m_problem = where(parsed.message());
        builder.m_problemSubject = tr("your template override");
    }
    const std::string_view source = file->getString("tokenizer.chat_template").value_or(std::string_view());
    if (source.empty())
        return builder;
    Result<ChatTemplate> parsed = ChatTemplate::parse(source);
    if (parsed.isOk()) {
        builder.m_template = std::move(parsed).value();
        builder.m_source = Source::ModelTemplate;
        return builder;
    }
    if (builder.m_problem.isEmpty()) {
        builder.m_problem = where(parsed.message());
        builder.m_problemSubject = tr("the model's template");
    }
    // The template's own markers first, then the model's name, then its architecture.
    const std::string name(file->getString("general.name").value_or(std::string_view()));
    std::optional<BuiltinChatFormat> format = detectBuiltinFormat(source, name);
    if (!format)
        format = detectBuiltinFormat({}, file->architecture());
    if (!format)
        return builder;
    Result<ChatTemplate> builtin = ChatTemplate::parse(builtinTemplateSource(*format));
    if (builtin.isOk()) {
        builder.m_template = std::move(builtin).value();
        builder.m_source = Source::Builtin;
        builder.m_builtin = format;
    }
    return builder;
}

QString PromptBuilder::description() const
{
    const QString failed = m_problem.isEmpty()
                               ? QString()
                               : tr(" — %1 could not be parsed (%2)").arg(m_problemSubject, m_problem);
    switch (m_source) {
    case Source::Override: return tr("your template override");
    case Source::ModelTemplate: return tr("the model's chat template") + failed;
    case Source::Builtin:
        return tr("built-in %1 format").arg(formatName(*m_builtin)) + failed;
    case Source::PlainText: break;
    }
    return m_problem.isEmpty() ? tr("plain text (the model has no chat template)")
                               : tr("plain text") + failed + tr(", and no built-in format matches the model");
}

QString PromptBuilder::formatName(BuiltinChatFormat format)
{
    switch (format) {
    case BuiltinChatFormat::ChatML: return QStringLiteral("ChatML");
    case BuiltinChatFormat::Llama2: return QStringLiteral("Llama 2");
    case BuiltinChatFormat::Llama3: return QStringLiteral("Llama 3");
    case BuiltinChatFormat::Gemma: return QStringLiteral("Gemma");
    case BuiltinChatFormat::Phi3: return QStringLiteral("Phi-3");
    case BuiltinChatFormat::Mistral: return QStringLiteral("Mistral");
    }
    return QString::fromLatin1(builtinFormatName(format));
}

QString PromptBuilder::buildPlain(const QString& systemPrompt, const QList<Message>& messages)
{
    QStringList parts;
    if (!systemPrompt.trimmed().isEmpty())
        parts << systemPrompt.trimmed();
    for (const Message& m : messages)
        parts << m.content;
    return parts.join(QLatin1Char('\n'));
}

QString PromptBuilder::build(const QString& systemPrompt, const QList<Message>& messages, QString* error) const
{
    if (!m_template)
        return buildPlain(systemPrompt, messages);
    QJsonArray list;
    if (!systemPrompt.trimmed().isEmpty())
        list.append(QJsonObject{{"role", "system"}, {"content", systemPrompt.trimmed()}});
    for (const Message& m : messages)
        list.append(QJsonObject{{"role", roleName(m.role)}, {"content", m.content}});
    const QJsonObject request{{"messages", list}, {"add_generation_prompt", true}};
    ChatContextOptions options;
    options.bosToken = std::string();
    options.eosToken = m_eosToken;
    const QByteArray json = QJsonDocument(request).toJson(QJsonDocument::Compact);
    Result<std::string> rendered = renderChatRequest(*m_template, std::string_view(json.constData(), json.size()), options);
    if (!rendered.isOk()) {
        if (error)
            *error = QString::fromStdString(rendered.message());
        return buildPlain(systemPrompt, messages);
    }
    return QString::fromStdString(rendered.value());
}

}  // namespace vela::app
