// Walks the AST and renders text: variable scopes (loops and macros open their own, `if` does not, as in
// Jinja), the loop object, macros and call blocks, namespace(), raise_exception and strftime_now.
#pragma once

#include "chat/ast.h"
#include "chat/value.h"

#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace vela::chat {

class Interpreter {
public:
    // `now` is what strftime_now formats (the goldens pin it; the app passes the current time).
    explicit Interpreter(std::time_t now);

    // Renders `nodes` with the variables of `context` (a dict). Throws TemplateError.
    std::string render(const NodeList& nodes, const Value& context);
    ~Interpreter();

private:
    enum class Flow { Normal, Break, Continue };
    using Scope = std::shared_ptr<ValueDict>;

    Flow execute(const NodeList& nodes, std::string& out);
    Flow executeNode(const Node& node, std::string& out);
    Flow executeFor(const Node& node, std::string& out);
    void executeSet(const Node& node);
    void assign(const std::vector<std::string>& targets, const Value& value);
    Value defineMacro(const Node& node);
    Value callMacro(const Node& node, const CallArgs& args);

    Value evaluate(const Expr& e);
    Value evaluateCall(const Expr& e, const Value* caller);
    CallArgs evaluateArgs(const Expr& e, size_t firstChild);
    Value lookup(const std::string& name) const;
    void installGlobals(ValueDict& globals);

    std::vector<Scope> m_scopes;  // [0] globals + context, then template level, loops, macros…
    // Namespaces that had an attribute set: `{% set ns.x = ns %}` makes a reference cycle, which the
    // destructor breaks by emptying them (the rendered text no longer needs them).
    std::vector<Value> m_assignedNamespaces;
    std::time_t m_now;
    int m_depth = 0;              // macro recursion guard
};

}  // namespace vela::chat
