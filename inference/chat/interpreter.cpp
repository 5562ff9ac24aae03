// The tree-walking renderer (see interpreter.h). Error messages follow Jinja/Python wording where a template
// author could meet them.
#include "chat/interpreter.h"

#include "chat/filters.h"
#include "chat/operations.h"

namespace vela::chat {
namespace {

constexpr int kMaxCallDepth = 64;

// Restores the scope stack when a loop iteration or macro call ends, also by exception.
struct ScopeGuard {
    std::vector<std::shared_ptr<ValueDict>>& scopes;
    std::vector<std::shared_ptr<ValueDict>> saved;
    ~ScopeGuard() { scopes = std::move(saved); }
};

}  // namespace

Interpreter::Interpreter(std::time_t now) : m_now(now) {}

void Interpreter::installGlobals(ValueDict& globals)
{
    globals.set("raise_exception", Value(Function([](const CallArgs& a) -> Value {
                    const Value* msg = a.get(0, "message");
                    throw TemplateError(msg ? msg->str() : std::string());
                })));
    const std::time_t now = m_now;
    globals.set("strftime_now", Value(Function([now](const CallArgs& a) {
                    const Value* fmt = a.get(0, "format");
                    std::tm tm{};
                    gmtime_r(&now, &tm);
                    char buf[256];
                    size_t n = std::strftime(buf, sizeof buf, fmt ? fmt->str().c_str() : "", &tm);
                    return Value(std::string(buf, n));
                })));
    globals.set("namespace", Value(Function([](const CallArgs& a) {
                    ValueDict ns;
                    ns.isNamespace = true;
                    for (const Value& p : a.positional)
                        if (p.isDict())
                            for (const auto& [k, v] : p.dict().items)
                                ns.set(k, v);
                    for (const auto& [k, v] : a.named)
                        ns.set(k, v);
                    return Value(std::move(ns));
                })));
    globals.set("dict", Value(Function([](const CallArgs& a) {
                    ValueDict d;
                    for (const auto& [k, v] : a.named)
                        d.set(k, v);
                    return Value(std::move(d));
                })));
    globals.set("range", Value(Function([](const CallArgs& a) {
                    int64_t start = 0, stop = 0, step = 1;
                    if (a.positional.size() == 1) {
                        stop = a.positional[0].asInt();
                    } else if (a.positional.size() >= 2) {
                        start = a.positional[0].asInt();
                        stop = a.positional[1].asInt();
                        if (a.positional.size() >= 3)
                            step = a.positional[2].asInt();
                    }
                    if (step == 0)
                        throw TemplateError("range() arg 3 must not be zero");
                    ValueList out;
                    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
                        if (out.size() > 100000)
                            throw TemplateError("range too big");
                        out.emplace_back(i);
                    }
                    return Value(std::move(out));
                })));
}

std::string Interpreter::render(const NodeList& nodes, const Value& context)
{
    auto globals = std::make_shared<ValueDict>();
    installGlobals(*globals);
    if (context.isDict())
        for (const auto& [k, v] : context.dict().items)
            globals->set(k, v);
    m_scopes = {globals, std::make_shared<ValueDict>()};
    std::string out;
    execute(nodes, out);
    return out;
}

Value Interpreter::lookup(const std::string& name) const
{
    for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it)
        if (const Value* v = (*it)->find(name))
            return *v;
    return Value::undefined(name);
}

Interpreter::Flow Interpreter::execute(const NodeList& nodes, std::string& out)
{
    for (const NodePtr& n : nodes) {
        Flow f = executeNode(*n, out);
        if (f != Flow::Normal)
            return f;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::executeNode(const Node& node, std::string& out)
{
    switch (node.kind) {
    case Node::Kind::Text: out += node.text; return Flow::Normal;
    case Node::Kind::Output: out += evaluate(*node.expr).str(); return Flow::Normal;
    case Node::Kind::If:
        for (const auto& [cond, body] : node.branches)
            if (evaluate(*cond).truthy())
                return execute(body, out);
        return execute(node.elseBody, out);
    case Node::Kind::For: return executeFor(node, out);
    case Node::Kind::Set: executeSet(node); return Flow::Normal;
    case Node::Kind::SetBlock:
    case Node::Kind::FilterBlock: {
        std::string body;
        execute(node.body, body);
        Value v(body);
        if (node.filter) {
            auto scope = std::make_shared<ValueDict>();
            scope->set("__block_body__", v);
            m_scopes.push_back(scope);
            try {
                v = evaluate(*node.filter);
            } catch (...) {
                m_scopes.pop_back();
                throw;
            }
            m_scopes.pop_back();
        }
        if (node.kind == Node::Kind::FilterBlock)
            out += v.str();
        else
            assign(node.targets, v);
        return Flow::Normal;
    }
    case Node::Kind::Macro: m_scopes.back()->set(node.name, defineMacro(node)); return Flow::Normal;
    case Node::Kind::CallBlock: {
        const Node* callNode = &node;
        Value caller(Function([this, callNode](const CallArgs& a) { return callMacro(*callNode, a); }));
        out += evaluateCall(*node.expr, &caller).str();
        return Flow::Normal;
    }
    case Node::Kind::Break: return Flow::Break;
    case Node::Kind::Continue: return Flow::Continue;
    }
    return Flow::Normal;
}

void Interpreter::assign(const std::vector<std::string>& targets, const Value& value)
{
    if (targets.size() == 1) {
        m_scopes.back()->set(targets[0], value);
        return;
    }
    std::vector<Value> items = iterate(value);
    if (items.size() != targets.size())
        throw TemplateError("cannot unpack " + std::to_string(items.size()) + " values into " +
                            std::to_string(targets.size()));
    for (size_t i = 0; i < targets.size(); ++i)
        m_scopes.back()->set(targets[i], items[i]);
}

void Interpreter::executeSet(const Node& node)
{
    Value v = evaluate(*node.expr);
    if (node.attr.empty()) {
        assign(node.targets, v);
        return;
    }
    Value target = lookup(node.targets[0]);
    if (!target.isDict() || !target.dict().isNamespace)
        throw TemplateError("cannot assign attribute on non-namespace object");
    target.dict().set(node.attr, v);
    if (m_assignedNamespaces.empty() || &m_assignedNamespaces.back().dict() != &target.dict())
        m_assignedNamespaces.push_back(target);
}

Interpreter::~Interpreter()
{
    for (Value& ns : m_assignedNamespaces)
        ns.dict().items.clear();
}

Interpreter::Flow Interpreter::executeFor(const Node& node, std::string& out)
{
    Value iterable = evaluate(*node.expr);
    std::vector<Value> items = iterate(iterable);
    ScopeGuard guard{m_scopes, m_scopes};
    auto bindTargets = [&](ValueDict& scope, const Value& item) {
        if (node.targets.size() == 1) {
            scope.set(node.targets[0], item);
            return;
        }
        std::vector<Value> parts = iterate(item);
        if (parts.size() != node.targets.size())
            throw TemplateError("cannot unpack loop item into " + std::to_string(node.targets.size()) + " names");
        for (size_t i = 0; i < parts.size(); ++i)
            scope.set(node.targets[i], parts[i]);
    };
    // `for x in xs if cond`: filtered first, so loop.index/length count the kept items only.
    if (node.condition) {
        std::vector<Value> kept;
        for (const Value& item : items) {
            auto scope = std::make_shared<ValueDict>();
            bindTargets(*scope, item);
            m_scopes.push_back(scope);
            bool keep = evaluate(*node.condition).truthy();
            m_scopes.pop_back();
            if (keep)
                kept.push_back(item);
        }
        items = std::move(kept);
    }
    if (items.empty())
        return execute(node.elseBody, out);
    const int64_t n = int64_t(items.size());
    for (int64_t i = 0; i < n; ++i) {
        auto scope = std::make_shared<ValueDict>();
        bindTargets(*scope, items[size_t(i)]);
        ValueDict loop;
        loop.set("index", Value(i + 1));
        loop.set("index0", Value(i));
        loop.set("revindex", Value(n - i));
        loop.set("revindex0", Value(n - i - 1));
        loop.set("first", Value(i == 0));
        loop.set("last", Value(i == n - 1));
        loop.set("length", Value(n));
        loop.set("depth", Value(int64_t(1)));
        loop.set("depth0", Value(int64_t(0)));
        if (i > 0)
            loop.set("previtem", items[size_t(i - 1)]);
        if (i + 1 < n)
            loop.set("nextitem", items[size_t(i + 1)]);
        loop.set("cycle", Value(Function([i](const CallArgs& a) {
                     if (a.positional.empty())
                         throw TemplateError("no items for cycling given");
                     return a.positional[size_t(i) % a.positional.size()];
                 })));
        scope->set("loop", Value(std::move(loop)));
        m_scopes.resize(guard.saved.size());
        m_scopes.push_back(scope);
        if (execute(node.body, out) == Flow::Break)
            break;
    }
    return Flow::Normal;
}

Value Interpreter::defineMacro(const Node& node)
{
    const Node* macro = &node;
    return Value(Function([this, macro](const CallArgs& a) { return callMacro(*macro, a); }));
}

Value Interpreter::callMacro(const Node& node, const CallArgs& args)
{
    if (++m_depth > kMaxCallDepth) {
        m_depth = 0;
        throw TemplateError("maximum recursion depth exceeded");
    }
    ScopeGuard guard{m_scopes, m_scopes};
    auto scope = std::make_shared<ValueDict>();
    // A macro sees the globals and template-level variables, not the caller's loop variables.
    m_scopes.resize(std::min<size_t>(m_scopes.size(), 2));
    m_scopes.push_back(scope);
    ValueList varargs;
    for (size_t i = 0; i < args.positional.size(); ++i) {
        if (i < node.params.size())
            scope->set(node.params[i].first, args.positional[i]);
        else
            varargs.push_back(args.positional[i]);
    }
    ValueDict kwargs;
    for (const auto& [k, v] : args.named) {
        bool isParam = false;
        for (const auto& p : node.params)
            isParam = isParam || p.first == k;
        if (isParam || k == "caller")
            scope->set(k, v);
        else
            kwargs.set(k, v);
    }
    for (const auto& [name, dflt] : node.params)
        if (!scope->find(name))
            scope->set(name, dflt ? evaluate(*dflt) : Value::undefined(name));
    scope->set("varargs", Value(std::move(varargs)));
    scope->set("kwargs", Value(std::move(kwargs)));
    std::string out;
    execute(node.body, out);
    --m_depth;
    return Value(out);
}

CallArgs Interpreter::evaluateArgs(const Expr& e, size_t firstChild)
{
    CallArgs args;
    for (size_t i = firstChild; i < e.children.size(); ++i)
        args.positional.push_back(evaluate(*e.children[i]));
    for (const auto& [k, v] : e.kwargs)
        args.named.emplace_back(k, evaluate(*v));
    return args;
}

Value Interpreter::evaluateCall(const Expr& e, const Value* caller)
{
    Value fn = evaluate(*e.children[0]);
    CallArgs args = evaluateArgs(e, 1);
    if (caller)
        args.named.emplace_back("caller", *caller);
    if (fn.isUndefined())
        throwUndefined(fn);
    if (!fn.isFunction())
        throw TemplateError("'" + fn.typeName() + "' object is not callable");
    return fn.function()(args);
}

Value Interpreter::evaluate(const Expr& e)
{
    switch (e.kind) {
    case Expr::Kind::Literal: return e.literal;
    case Expr::Kind::Name: return lookup(e.name);
    case Expr::Kind::List: {
        ValueList l;
        for (const ExprPtr& c : e.children)
            l.push_back(evaluate(*c));
        return Value(std::move(l));
    }
    case Expr::Kind::Dict: {
        ValueDict d;
        for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
            Value k = evaluate(*e.children[i]);
            if (!k.isString())
                throw TemplateError("dict keys must be strings here");
            d.set(k.asString(), evaluate(*e.children[i + 1]));
        }
        return Value(std::move(d));
    }
    case Expr::Kind::Unary: {
        Value v = evaluate(*e.children[0]);
        if (e.name == "not")
            return Value(!v.truthy());
        if (e.name == "-")
            return negate(v);
        if (!v.isNumber())
            throw TemplateError("bad operand type for unary +: '" + v.typeName() + "'");
        return v;
    }
    case Expr::Kind::Binary: {
        if (e.name == "and" || e.name == "or") {
            Value l = evaluate(*e.children[0]);
            if ((e.name == "and") != l.truthy())
                return l;
            return evaluate(*e.children[1]);
        }
        Value l = evaluate(*e.children[0]);
        Value r = evaluate(*e.children[1]);
        if (e.name == "==")
            return Value(l.equals(r));
        if (e.name == "!=")
            return Value(!l.equals(r));
        if (e.name == "in")
            return Value(contains(r, l));
        if (e.name == "notin")
            return Value(!contains(r, l));
        return binaryOp(e.name, l, r);
    }
    case Expr::Kind::Ternary: {
        if (evaluate(*e.children[1]).truthy())
            return evaluate(*e.children[0]);
        return e.children.size() > 2 ? evaluate(*e.children[2]) : Value::undefined();
    }
    case Expr::Kind::Attr: return getAttribute(evaluate(*e.children[0]), e.name);
    case Expr::Kind::Item: return getItem(evaluate(*e.children[0]), evaluate(*e.children[1]));
    case Expr::Kind::Slice: {
        auto part = [&](size_t i) { return e.children[i] ? evaluate(*e.children[i]) : Value(nullptr); };
        return getSlice(evaluate(*e.children[0]), part(1), part(2), part(3));
    }
    case Expr::Kind::Call: return evaluateCall(e, nullptr);
    case Expr::Kind::Filter: {
        Value input = evaluate(*e.children[0]);
        return applyFilter(e.name, input, evaluateArgs(e, 1));
    }
    case Expr::Kind::Test: {
        Value v = evaluate(*e.children[0]);
        bool r = applyTest(e.name, v, evaluateArgs(e, 1));
        return Value(r != e.negated);
    }
    }
    return Value::undefined();
}

}  // namespace vela::chat
