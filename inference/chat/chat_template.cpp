// ChatTemplate: parse once, render many times; the context builder matching HF apply_chat_template.
#include "vela/chat_template.h"

#include "chat/interpreter.h"
#include "chat/json.h"
#include "chat/parser.h"

namespace vela {

Result<ChatTemplate> ChatTemplate::parse(std::string_view source)
{
    Result<chat::NodeList> nodes = chat::parseTemplate(source);
    if (!nodes)
        return nodes.status();
    ChatTemplate t;
    t.m_source = std::string(source);
    t.m_nodes = std::make_shared<const chat::NodeList>(std::move(nodes).value());
    return t;
}

Result<std::string> ChatTemplate::render(const chat::Value& context) const
{
    return render(context, std::time(nullptr));
}

Result<std::string> ChatTemplate::render(const chat::Value& context, std::time_t now) const
{
    if (!m_nodes)
        return Status::failure("chat template not parsed");
    try {
        chat::Interpreter interpreter(now);
        return interpreter.render(*m_nodes, context);
    } catch (const chat::TemplateError& e) {
        return Status::failure(e.what());
    } catch (const std::exception& e) {
        return Status::failure(std::string("template error: ") + e.what());
    }
}

chat::Value buildChatContext(const chat::Value& request, const ChatContextOptions& options)
{
    using chat::Value;
    chat::ValueDict ctx;
    const chat::ValueDict empty;
    const chat::ValueDict& req = request.isDict() ? request.dict() : empty;
    auto field = [&](std::string_view key) -> const Value* { return req.find(key); };

    ctx.set("messages", field("messages") ? *field("messages") : Value(chat::ValueList{}));
    ctx.set("tools", Value(nullptr));
    ctx.set("documents", Value(nullptr));
    bool addGen = options.addGenerationPrompt.value_or(field("add_generation_prompt") &&
                                                       field("add_generation_prompt")->truthy());
    ctx.set("add_generation_prompt", Value(addGen));
    // A null token means "not passed": the template sees it undefined.
    auto token = [&](const char* key, const std::optional<std::string>& flag,
                     const std::optional<std::string>& fallback) {
        if (flag)
            ctx.set(key, Value(*flag));
        else if (const Value* v = field(key); v && !v->isNone())
            ctx.set(key, *v);
        else if (fallback)
            ctx.set(key, Value(*fallback));
    };
    token("bos_token", options.bosToken, options.fallbackBosToken);
    token("eos_token", options.eosToken, options.fallbackEosToken);
    static const char* kHandled[] = {"messages", "add_generation_prompt", "bos_token", "eos_token",
                                     "extra", "name", "expected", "error", "error_type"};
    for (const auto& [k, v] : req.items) {
        bool handled = false;
        for (const char* h : kHandled)
            handled = handled || k == h;
        if (!handled)
            ctx.set(k, v);
    }
    if (const Value* extra = field("extra"); extra && extra->isDict())
        for (const auto& [k, v] : extra->dict().items)
            ctx.set(k, v);
    return Value(std::move(ctx));
}

Result<std::string> renderChatRequest(const ChatTemplate& tmpl, std::string_view requestJson,
                                      const ChatContextOptions& options)
{
    Result<chat::Value> request = chat::parseJson(requestJson);
    if (!request)
        return request.status();
    if (!request->isDict())
        return Status::failure("the messages file must hold a JSON object with \"messages\"");
    return tmpl.render(buildChatContext(*request, options));
}

}  // namespace vela
