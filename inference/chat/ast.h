// The parsed template: expression and statement nodes the interpreter walks.
#pragma once

#include "chat/value.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vela::chat {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind {
        Literal,   // literal
        Name,      // name
        List,      // children
        Dict,      // children: key, value, key, value…
        Unary,     // name = "-", "+", "not"; children[0]
        Binary,    // name = operator (+ - * / // % ** ~ and or == != < > <= >= in notin); children[0..1]
        Ternary,   // children: value, condition, [else value]
        Attr,      // children[0].name
        Item,      // children[0][children[1]]
        Slice,     // children[0][children[1]:children[2]:children[3]] (null = omitted)
        Call,      // children[0](children[1..], kwargs)
        Filter,    // children[0] | name(children[1..], kwargs)
        Test,      // children[0] is [not] name(children[1..])
    };
    Kind kind;
    std::string name;
    Value literal;
    std::vector<ExprPtr> children;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    bool negated = false;
    int line = 0;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct Node {
    enum class Kind { Text, Output, If, For, Set, SetBlock, Macro, CallBlock, FilterBlock, Break, Continue };
    Kind kind;
    int line = 0;
    std::string text;                   // Text
    ExprPtr expr;                       // Output value, For iterable, Set value, CallBlock call
    std::vector<std::pair<ExprPtr, NodeList>> branches;  // If: (condition, body)…
    NodeList body;                      // For/SetBlock/Macro/CallBlock/FilterBlock body
    NodeList elseBody;                  // If else, For else
    std::vector<std::string> targets;   // For loop variables, Set names
    std::string attr;                   // Set ns.attr
    ExprPtr condition;                  // For `if` filter
    std::string name;                   // Macro name, FilterBlock filter
    std::vector<std::pair<std::string, ExprPtr>> params;  // Macro parameters with defaults (null = none)
    ExprPtr filter;                     // SetBlock/FilterBlock filter chain applied to a placeholder
};

}  // namespace vela::chat
