#include "chat/prompt_builder.h"

#include "vela/gguf.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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

}  // namespace

PromptBuilder PromptBuilder::forModel(const QString& path)
{
    PromptBuilder builder;
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    if (!file.isOk())
        return builder;
    const std::optional<std::string_view> source = file->getString("tokenizer.chat_template");
    if (!source || source->empty())
        return builder;
    Result<ChatTemplate> parsed = ChatTemplate::parse(*source);
    if (!parsed.isOk()) {
        builder.m_problem = QString::fromStdString(parsed.message());
        return builder;
    }
    builder.m_template = std::move(parsed).value();
    builder.m_eosToken = tokenText(*file, "tokenizer.ggml.eos_token_id");
    return builder;
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
