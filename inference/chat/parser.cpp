// Recursive-descent parser following jinja2/parser.py's grammar and precedence:
// ternary < or < and < not < compare < + - < ~ < * / // % < ** < unary < postfix/filter/test.
#include "chat/parser.h"

#include <charconv>

namespace vela::chat {
namespace {

struct ParseError {
    std::string message;
};

using TK = Token::Kind;

constexpr int kMaxNesting = 200;
// Expression nodes per tag: long filter/operator chains nest the AST (and the interpreter's recursion) too.
constexpr int kMaxNodesPerTag = 5000;

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}

    NodeList parseAll()
    {
        NodeList nodes = parseBody({});
        if (peek().kind != TK::End)
            fail("unexpected '" + peek().text + "'");
        return nodes;
    }

private:
    const Token& peek(size_t ahead = 0) const
    {
        size_t i = std::min(m_pos + ahead, m_tokens.size() - 1);
        return m_tokens[i];
    }
    const Token& next() { return m_tokens[std::min(m_pos++, m_tokens.size() - 1)]; }
    [[noreturn]] void fail(const std::string& what, const Token* at = nullptr) const
    {
        const Token& t = at ? *at : peek();
        throw ParseError{"template syntax error at line " + std::to_string(t.line) + ", column " +
                         std::to_string(t.column) + ": " + what};
    }
    bool isOp(std::string_view op, size_t ahead = 0) const
    {
        return peek(ahead).kind == TK::Op && peek(ahead).text == op;
    }
    bool isName(std::string_view name, size_t ahead = 0) const
    {
        return peek(ahead).kind == TK::Name && peek(ahead).text == name;
    }
    void expectOp(std::string_view op)
    {
        if (!isOp(op))
            fail("expected '" + std::string(op) + "'");
        ++m_pos;
    }
    std::string expectName()
    {
        if (peek().kind != TK::Name)
            fail("expected a name");
        return next().text;
    }
    void expectBlockEnd()
    {
        if (peek().kind != TK::BlockEnd)
            fail("expected end of block tag, got '" + peek().text + "'");
        ++m_pos;
    }

    // Statements until one of `enders` (a block tag whose keyword is in the list); the ender stays unread.
    NodeList parseBody(const std::vector<std::string_view>& enders)
    {
        DepthGuard guard(*this);
        NodeList nodes;
        while (true) {
            m_nodesInTag = 0;
            const Token& t = peek();
            if (t.kind == TK::End) {
                if (!enders.empty())
                    fail("missing '" + std::string(enders.back()) + "'");
                return nodes;
            }
            if (t.kind == TK::Text) {
                auto n = makeNode(Node::Kind::Text);
                n->text = next().text;
                nodes.push_back(std::move(n));
            } else if (t.kind == TK::VarBegin) {
                ++m_pos;
                auto n = makeNode(Node::Kind::Output);
                n->expr = parseExpression();
                if (peek().kind != TK::VarEnd)
                    fail("expected '}}', got '" + peek().text + "'");
                ++m_pos;
                nodes.push_back(std::move(n));
            } else if (t.kind == TK::BlockBegin) {
                const Token& kw = peek(1);
                if (kw.kind != TK::Name)
                    fail("expected a statement keyword", &kw);
                for (std::string_view e : enders)
                    if (kw.text == e)
                        return nodes;
                m_pos += 2;
                if (NodePtr n = parseStatement(kw))
                    nodes.push_back(std::move(n));
            } else {
                fail("unexpected token");
            }
        }
    }

    NodePtr makeNode(Node::Kind kind)
    {
        auto n = std::make_unique<Node>();
        n->kind = kind;
        n->line = peek().line;
        return n;
    }

    void expectEndTag(std::string_view name)
    {
        if (peek().kind != TK::BlockBegin || !isName(name, 1))
            fail("expected '" + std::string(name) + "'");
        m_pos += 2;
        expectBlockEnd();
    }

    NodePtr parseStatement(const Token& kw)
    {
        const std::string& k = kw.text;
        if (k == "if")
            return parseIf();
        if (k == "for")
            return parseFor();
        if (k == "set")
            return parseSet();
        if (k == "macro")
            return parseMacro();
        if (k == "call")
            return parseCallBlock();
        if (k == "filter")
            return parseFilterBlock();
        if (k == "break" || k == "continue") {
            auto n = makeNode(k == "break" ? Node::Kind::Break : Node::Kind::Continue);
            expectBlockEnd();
            return n;
        }
        if (k == "generation") {  // HF's AssistantTracker tag: the body renders unchanged
            expectBlockEnd();
            auto n = makeNode(Node::Kind::If);
            auto t = std::make_unique<Expr>();
            t->kind = Expr::Kind::Literal;
            t->literal = Value(true);
            NodeList body = parseBody({"endgeneration"});
            expectEndTag("endgeneration");
            n->branches.emplace_back(std::move(t), std::move(body));
            return n;
        }
        fail("unknown tag '" + k + "'", &kw);
    }

    NodePtr parseIf()
    {
        auto n = makeNode(Node::Kind::If);
        ExprPtr cond = parseExpression();
        expectBlockEnd();
        NodeList body = parseBody({"elif", "else", "endif"});
        n->branches.emplace_back(std::move(cond), std::move(body));
        while (true) {
            const std::string kw = peek(1).text;
            m_pos += 2;
            if (kw == "elif") {
                ExprPtr c = parseExpression();
                expectBlockEnd();
                NodeList b = parseBody({"elif", "else", "endif"});
                n->branches.emplace_back(std::move(c), std::move(b));
            } else if (kw == "else") {
                expectBlockEnd();
                n->elseBody = parseBody({"endif"});
            } else {
                expectBlockEnd();
                return n;
            }
        }
    }

    NodePtr parseFor()
    {
        auto n = makeNode(Node::Kind::For);
        n->targets.push_back(expectName());
        while (isOp(",")) {
            ++m_pos;
            n->targets.push_back(expectName());
        }
        if (!isName("in"))
            fail("expected 'in'");
        ++m_pos;
        n->expr = parseTernary(false);
        if (isName("if")) {
            ++m_pos;
            n->condition = parseTernary(true);
        }
        if (isName("recursive"))
            fail("recursive loops are not supported");
        expectBlockEnd();
        n->body = parseBody({"else", "endfor"});
        if (isName("else", 1)) {
            m_pos += 2;
            expectBlockEnd();
            n->elseBody = parseBody({"endfor"});
        }
        expectEndTag("endfor");
        return n;
    }

    NodePtr parseSet()
    {
        auto n = makeNode(Node::Kind::Set);
        n->targets.push_back(expectName());
        if (isOp(".")) {
            ++m_pos;
            n->attr = expectName();
        }
        while (isOp(",")) {
            ++m_pos;
            n->targets.push_back(expectName());
        }
        if (isOp("=")) {
            ++m_pos;
            n->expr = parseTuple();
            expectBlockEnd();
            return n;
        }
        // Block set: {% set x %}…{% endset %}, optionally through filters.
        n->kind = Node::Kind::SetBlock;
        n->filter = parseFilterChainOnPlaceholder();
        expectBlockEnd();
        n->body = parseBody({"endset"});
        expectEndTag("endset");
        return n;
    }

    ExprPtr parseFilterChainOnPlaceholder()
    {
        auto body = std::make_unique<Expr>();
        body->kind = Expr::Kind::Name;
        body->name = "__block_body__";
        if (!isOp("|") && peek().kind == TK::BlockEnd)
            return nullptr;
        if (!isOp("|"))
            return parseFilters(std::move(body), true);
        return parseFilters(std::move(body), false);
    }

    NodePtr parseFilterBlock()
    {
        auto n = makeNode(Node::Kind::FilterBlock);
        n->filter = parseFilterChainOnPlaceholder();
        expectBlockEnd();
        n->body = parseBody({"endfilter"});
        expectEndTag("endfilter");
        return n;
    }

    void parseParams(Node& n)
    {
        expectOp("(");
        while (!isOp(")")) {
            std::string name = expectName();
            ExprPtr def;
            if (isOp("=")) {
                ++m_pos;
                def = parseExpression();
            }
            n.params.emplace_back(std::move(name), std::move(def));
            if (!isOp(")"))
                expectOp(",");
        }
        ++m_pos;
    }

    NodePtr parseMacro()
    {
        auto n = makeNode(Node::Kind::Macro);
        n->name = expectName();
        parseParams(*n);
        expectBlockEnd();
        n->body = parseBody({"endmacro"});
        expectEndTag("endmacro");
        return n;
    }

    NodePtr parseCallBlock()
    {
        auto n = makeNode(Node::Kind::CallBlock);
        if (isOp("("))
            parseParams(*n);
        n->expr = parseExpression();
        if (n->expr->kind != Expr::Kind::Call)
            fail("expected a call");
        expectBlockEnd();
        n->body = parseBody({"endcall"});
        expectEndTag("endcall");
        return n;
    }

    // ---- expressions ----
    ExprPtr make(Expr::Kind kind, std::string name = {})
    {
        if (++m_nodesInTag > kMaxNodesPerTag)
            fail("expression too long");
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->name = std::move(name);
        e->line = peek().line;
        return e;
    }

    // `a, b` without brackets (set / for) becomes a list.
    ExprPtr parseTuple()
    {
        ExprPtr first = parseExpression();
        if (!isOp(","))
            return first;
        auto list = make(Expr::Kind::List);
        list->children.push_back(std::move(first));
        while (isOp(",")) {
            ++m_pos;
            if (peek().kind == TK::BlockEnd || peek().kind == TK::VarEnd)
                break;
            list->children.push_back(parseExpression());
        }
        return list;
    }

    // Bounds recursion on hostile input (deeply nested brackets or blocks).
    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& parser) : p(parser)
        {
            if (++p.m_depth > kMaxNesting)
                p.fail("nesting too deep");
        }
        ~DepthGuard() { --p.m_depth; }
    };

    ExprPtr parseExpression()
    {
        DepthGuard guard(*this);
        return parseTernary(true);
    }

    ExprPtr parseTernary(bool withCondExpr)
    {
        ExprPtr value = parseOr();
        while (withCondExpr && isName("if")) {
            ++m_pos;
            auto t = make(Expr::Kind::Ternary);
            ExprPtr cond = parseOr();
            t->children.push_back(std::move(value));
            t->children.push_back(std::move(cond));
            if (isName("else")) {
                ++m_pos;
                t->children.push_back(parseTernary(true));
            }
            value = std::move(t);
        }
        return value;
    }

    ExprPtr binary(std::string op, ExprPtr l, ExprPtr r)
    {
        auto b = make(Expr::Kind::Binary, std::move(op));
        b->children.push_back(std::move(l));
        b->children.push_back(std::move(r));
        return b;
    }

    ExprPtr parseOr()
    {
        ExprPtr l = parseAnd();
        while (isName("or")) {
            ++m_pos;
            l = binary("or", std::move(l), parseAnd());
        }
        return l;
    }
    ExprPtr parseAnd()
    {
        ExprPtr l = parseNot();
        while (isName("and")) {
            ++m_pos;
            l = binary("and", std::move(l), parseNot());
        }
        return l;
    }
    ExprPtr parseNot()
    {
        if (isName("not")) {
            ++m_pos;
            auto u = make(Expr::Kind::Unary, "not");
            u->children.push_back(parseNot());
            return u;
        }
        return parseCompare();
    }
    ExprPtr parseCompare()
    {
        ExprPtr l = parseMath1();
        while (true) {
            std::string op;
            if (peek().kind == TK::Op &&
                (isOp("==") || isOp("!=") || isOp("<") || isOp(">") || isOp("<=") || isOp(">="))) {
                op = next().text;
            } else if (isName("in")) {
                ++m_pos;
                op = "in";
            } else if (isName("not") && isName("in", 1)) {
                m_pos += 2;
                op = "notin";
            } else {
                return l;
            }
            // Chained comparisons (a < b < c) are rare in templates; evaluate them pairwise left to right.
            l = binary(op, std::move(l), parseMath1());
        }
    }
    ExprPtr parseMath1()
    {
        ExprPtr l = parseConcat();
        while (isOp("+") || isOp("-")) {
            std::string op = next().text;
            l = binary(op, std::move(l), parseConcat());
        }
        return l;
    }
    ExprPtr parseConcat()
    {
        ExprPtr l = parseMath2();
        while (isOp("~")) {
            ++m_pos;
            l = binary("~", std::move(l), parseMath2());
        }
        return l;
    }
    ExprPtr parseMath2()
    {
        ExprPtr l = parsePow();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            std::string op = next().text;
            l = binary(op, std::move(l), parsePow());
        }
        return l;
    }
    ExprPtr parsePow()
    {
        ExprPtr l = parseUnary(true);
        while (isOp("**")) {
            ++m_pos;
            l = binary("**", std::move(l), parseUnary(true));
        }
        return l;
    }
    ExprPtr parseUnary(bool withFilter)
    {
        DepthGuard guard(*this);
        ExprPtr node;
        if (isOp("-") || isOp("+")) {
            auto u = make(Expr::Kind::Unary, next().text);
            u->children.push_back(parseUnary(false));
            node = std::move(u);
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(std::move(node));
        if (withFilter)
            node = parseFilterAndTests(std::move(node));
        return node;
    }

    ExprPtr parsePrimary()
    {
        const Token& t = peek();
        if (t.kind == TK::Name) {
            ++m_pos;
            auto lit = make(Expr::Kind::Literal);
            if (t.text == "true" || t.text == "True")
                lit->literal = Value(true);
            else if (t.text == "false" || t.text == "False")
                lit->literal = Value(false);
            else if (t.text == "none" || t.text == "None")
                lit->literal = Value(nullptr);
            else
                return make(Expr::Kind::Name, t.text);
            return lit;
        }
        if (t.kind == TK::String) {
            std::string s;
            while (peek().kind == TK::String)
                s += next().text;
            auto lit = make(Expr::Kind::Literal);
            lit->literal = Value(std::move(s));
            return lit;
        }
        if (t.kind == TK::Int || t.kind == TK::Float) {
            ++m_pos;
            auto lit = make(Expr::Kind::Literal);
            if (t.kind == TK::Int) {
                int64_t i = 0;
                auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), i);
                if (ec != std::errc())
                    fail("integer out of range", &t);
                lit->literal = Value(i);
            } else {
                lit->literal = Value(std::stod(t.text));
            }
            return lit;
        }
        if (isOp("(")) {
            ++m_pos;
            if (isOp(")")) {
                ++m_pos;
                return make(Expr::Kind::List);
            }
            ExprPtr e = parseExpression();
            if (isOp(",")) {
                auto list = make(Expr::Kind::List);
                list->children.push_back(std::move(e));
                while (isOp(",")) {
                    ++m_pos;
                    if (isOp(")"))
                        break;
                    list->children.push_back(parseExpression());
                }
                e = std::move(list);
            }
            expectOp(")");
            return e;
        }
        if (isOp("[")) {
            ++m_pos;
            auto list = make(Expr::Kind::List);
            while (!isOp("]")) {
                list->children.push_back(parseExpression());
                if (!isOp("]"))
                    expectOp(",");
            }
            ++m_pos;
            return list;
        }
        if (isOp("{")) {
            ++m_pos;
            auto dict = make(Expr::Kind::Dict);
            while (!isOp("}")) {
                dict->children.push_back(parseExpression());
                expectOp(":");
                dict->children.push_back(parseExpression());
                if (!isOp("}"))
                    expectOp(",");
            }
            ++m_pos;
            return dict;
        }
        if (t.kind == TK::End || t.kind == TK::VarEnd || t.kind == TK::BlockEnd)
            fail("unexpected end of expression");
        fail("unexpected '" + t.text + "'");
    }

    void parseCallArgs(Expr& call)
    {
        expectOp("(");
        while (!isOp(")")) {
            if (peek().kind == TK::Name && isOp("=", 1)) {
                std::string name = next().text;
                ++m_pos;
                call.kwargs.emplace_back(std::move(name), parseExpression());
            } else {
                call.children.push_back(parseExpression());
            }
            if (!isOp(")"))
                expectOp(",");
        }
        ++m_pos;
    }

    ExprPtr parsePostfix(ExprPtr node)
    {
        while (true) {
            if (isOp(".")) {
                ++m_pos;
                auto a = make(Expr::Kind::Attr);
                if (peek().kind == TK::Int)
                    a->kind = Expr::Kind::Item, a->children.push_back(nullptr);
                a->name = peek().kind == TK::Int ? peek().text : expectName();
                if (a->kind == Expr::Kind::Item) {
                    auto idx = make(Expr::Kind::Literal);
                    idx->literal = Value(int64_t(std::stoll(next().text)));
                    a->children[0] = std::move(node);
                    a->children.push_back(std::move(idx));
                } else {
                    a->children.push_back(std::move(node));
                }
                node = std::move(a);
            } else if (isOp("[")) {
                ++m_pos;
                ExprPtr parts[3];
                bool slice = false;
                for (int i = 0; i < 3; ++i) {
                    if (!isOp(":") && !isOp("]"))
                        parts[i] = parseExpression();
                    if (isOp(":") && i < 2) {
                        ++m_pos;
                        slice = true;
                    } else {
                        break;
                    }
                }
                expectOp("]");
                auto s = make(slice ? Expr::Kind::Slice : Expr::Kind::Item);
                s->children.push_back(std::move(node));
                s->children.push_back(std::move(parts[0]));
                if (slice) {
                    s->children.push_back(std::move(parts[1]));
                    s->children.push_back(std::move(parts[2]));
                } else if (!s->children[1]) {
                    fail("empty subscript");
                }
                node = std::move(s);
            } else if (isOp("(")) {
                auto c = make(Expr::Kind::Call);
                c->children.push_back(std::move(node));
                parseCallArgs(*c);
                node = std::move(c);
            } else {
                return node;
            }
        }
    }

    ExprPtr parseFilters(ExprPtr node, bool startsWithName)
    {
        bool first = startsWithName;
        while (first || isOp("|")) {
            if (!first)
                ++m_pos;
            first = false;
            auto f = make(Expr::Kind::Filter, expectName());
            f->children.push_back(std::move(node));
            if (isOp("("))
                parseCallArgs(*f);
            node = std::move(f);
        }
        return node;
    }

    ExprPtr parseFilterAndTests(ExprPtr node)
    {
        while (true) {
            if (isOp("|")) {
                node = parseFilters(std::move(node), false);
            } else if (isName("is")) {
                ++m_pos;
                auto t = make(Expr::Kind::Test);
                if (isName("not")) {
                    ++m_pos;
                    t->negated = true;
                }
                t->name = expectName();
                t->children.push_back(std::move(node));
                if (isOp("(")) {
                    parseCallArgs(*t);
                } else if ((peek().kind == TK::String || peek().kind == TK::Int || peek().kind == TK::Float ||
                            (peek().kind == TK::Name && !isName("else") && !isName("or") && !isName("and") &&
                             !isName("if") && !isName("in") && !isName("not") && !isName("is")) ||
                            isOp("[") || isOp("{")) ) {
                    t->children.push_back(parsePostfix(parsePrimary()));
                }
                node = std::move(t);
            } else {
                return node;
            }
        }
    }

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    int m_depth = 0;
    int m_nodesInTag = 0;
};

}  // namespace

Result<NodeList> parseTemplate(std::string_view source)
{
    Result<std::vector<Token>> tokens = tokenize(source);
    if (!tokens)
        return tokens.status();
    try {
        return Parser(std::move(tokens).value()).parseAll();
    } catch (const ParseError& e) {
        return Status::failure(e.message);
    } catch (const std::exception& e) {
        return Status::failure(std::string("template syntax error: ") + e.what());
    }
}

}  // namespace vela::chat
