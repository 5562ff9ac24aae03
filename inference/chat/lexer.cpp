// Jinja's lexer rules (jinja2/lexer.py, Jinja 3.1) re-expressed as a hand-written scanner.
#include "chat/lexer.h"

#include <algorithm>
#include <cctype>

namespace vela::chat {
namespace {

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class Lexer {
public:
    Lexer(std::string_view src, const LexOptions& opt) : m_src(src), m_opt(opt) {}

    Status run()
    {
        while (m_pos < m_src.size()) {
            size_t start = m_src.find('{', m_pos);
            while (start != std::string_view::npos && start + 1 < m_src.size() && m_src[start + 1] != '{' &&
                   m_src[start + 1] != '%' && m_src[start + 1] != '#')
                start = m_src.find('{', start + 1);
            if (start == std::string_view::npos || start + 1 >= m_src.size()) {
                emitText(std::string(m_src.substr(m_pos)), m_pos);
                m_pos = m_src.size();
                break;
            }
            const char kind = m_src[start + 1];
            const char sign = start + 2 < m_src.size() ? m_src[start + 2] : 0;
            std::string text(m_src.substr(m_pos, start - m_pos));
            if (sign == '-') {
                size_t end = text.size();
                while (end > 0 && isSpace(text[end - 1]))
                    --end;
                text.resize(end);
            } else if (sign != '+' && m_opt.lstripBlocks && kind != '{') {
                size_t lineStart = text.rfind('\n');
                lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
                if (lineStart > 0 || m_lineStarting) {
                    bool blank = lineStart < text.size();
                    for (size_t i = lineStart; i < text.size(); ++i)
                        blank = blank && isSpace(text[i]);
                    if (blank)
                        text.resize(lineStart);
                }
            }
            emitText(std::move(text), m_pos);
            m_pos = start + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
            Status s = kind == '#' ? skipComment(start) : kind == '{' ? lexTag(start, false) : lexBlock(start);
            if (!s)
                return s;
        }
        if (!m_opt.keepTrailingNewline && !m_tokens.empty() && m_tokens.back().kind == Token::Kind::Text) {
            std::string& t = m_tokens.back().text;
            if (t.size() >= 2 && t.compare(t.size() - 2, 2, "\r\n") == 0)
                t.resize(t.size() - 2);
            else if (!t.empty() && (t.back() == '\n' || t.back() == '\r'))
                t.pop_back();
            if (t.empty())
                m_tokens.pop_back();
        }
        push(Token::Kind::End, "", m_src.size());
        return {};
    }

    std::vector<Token> take() { return std::move(m_tokens); }

private:
    // Tokens come in source order, so counting resumes from the last position asked for (linear overall).
    void position(size_t offset, int& line, int& column) const
    {
        if (offset < m_posOffset) {
            m_posOffset = 0;
            m_posLine = 1;
            m_posColumn = 1;
        }
        line = m_posLine;
        column = m_posColumn;
        for (size_t i = m_posOffset; i < offset && i < m_src.size(); ++i) {
            if (m_src[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        m_posOffset = std::min(offset, m_src.size());
        m_posLine = line;
        m_posColumn = column;
    }
    Status error(const std::string& what, size_t offset) const
    {
        int line, column;
        position(offset, line, column);
        return Status::failure("template syntax error at line " + std::to_string(line) + ", column " +
                               std::to_string(column) + ": " + what);
    }
    void push(Token::Kind kind, std::string text, size_t offset)
    {
        Token t{kind, std::move(text), 1, 1};
        position(offset, t.line, t.column);
        m_tokens.push_back(std::move(t));
    }
    void emitText(std::string text, size_t offset)
    {
        if (!text.empty())
            push(Token::Kind::Text, std::move(text), offset);
    }

    // After a tag: `-` strips all following whitespace, otherwise trim_blocks eats one newline.
    void afterTagEnd(bool strip, bool isBlock)
    {
        size_t before = m_pos;
        if (strip) {
            while (m_pos < m_src.size() && isSpace(m_src[m_pos]))
                ++m_pos;
        } else if (isBlock && m_opt.trimBlocks) {
            if (m_src.substr(m_pos, 2) == "\r\n")
                m_pos += 2;
            else if (m_pos < m_src.size() && m_src[m_pos] == '\n')
                ++m_pos;
        }
        m_lineStarting = m_pos > before && m_src[m_pos - 1] == '\n';
    }

    Status skipComment(size_t start)
    {
        size_t end = m_src.find("#}", m_pos);
        if (end == std::string_view::npos)
            return error("unterminated comment", start);
        bool strip = end > m_pos && m_src[end - 1] == '-';
        m_pos = end + 2;
        afterTagEnd(strip, true);
        return {};
    }

    Status lexBlock(size_t start)
    {
        // {% raw %} … {% endraw %}: the body is text, untouched.
        size_t p = m_pos;
        while (p < m_src.size() && isSpace(m_src[p]))
            ++p;
        if (m_src.substr(p, 3) == "raw") {
            size_t q = p + 3;
            while (q < m_src.size() && isSpace(m_src[q]))
                ++q;
            bool strip = q < m_src.size() && m_src[q] == '-';
            if (strip || (q < m_src.size() && m_src[q] == '+'))
                ++q;
            if (m_src.substr(q, 2) == "%}") {
                m_pos = q + 2;
                afterTagEnd(strip, true);
                return lexRawBody(start);
            }
        }
        return lexTag(start, true);
    }

    Status lexRawBody(size_t start)
    {
        size_t search = m_pos;
        while (true) {
            size_t open = m_src.find("{%", search);
            if (open == std::string_view::npos)
                return error("missing endraw", start);
            size_t q = open + 2;
            bool stripBefore = q < m_src.size() && m_src[q] == '-';
            if (stripBefore || (q < m_src.size() && m_src[q] == '+'))
                ++q;
            while (q < m_src.size() && isSpace(m_src[q]))
                ++q;
            if (m_src.substr(q, 6) != "endraw") {
                search = open + 2;
                continue;
            }
            q += 6;
            while (q < m_src.size() && isSpace(m_src[q]))
                ++q;
            bool stripAfter = q < m_src.size() && m_src[q] == '-';
            if (stripAfter || (q < m_src.size() && m_src[q] == '+'))
                ++q;
            if (m_src.substr(q, 2) != "%}")
                return error("bad endraw tag", open);
            std::string body(m_src.substr(m_pos, open - m_pos));
            if (stripBefore) {
                while (!body.empty() && isSpace(body.back()))
                    body.pop_back();
            }
            emitText(std::move(body), m_pos);
            m_pos = q + 2;
            afterTagEnd(stripAfter, true);
            return {};
        }
    }

    Status lexTag(size_t start, bool isBlock)
    {
        push(isBlock ? Token::Kind::BlockBegin : Token::Kind::VarBegin, "", start);
        const char closer = isBlock ? '%' : '}';
        while (true) {
            while (m_pos < m_src.size() && isSpace(m_src[m_pos]))
                ++m_pos;
            if (m_pos >= m_src.size())
                return error(isBlock ? "unterminated block tag" : "unterminated expression", start);
            char c = m_src[m_pos];
            // The tag end, with an optional strip marker right before it.
            if ((c == '-' || c == '+') && m_pos + 2 < m_src.size() + 0 && m_src[m_pos + 1] == closer &&
                m_src[m_pos + 2] == '}') {
                push(isBlock ? Token::Kind::BlockEnd : Token::Kind::VarEnd, "", m_pos);
                m_pos += 3;
                afterTagEnd(c == '-', isBlock && c != '+');
                return {};
            }
            if (c == closer && m_pos + 1 < m_src.size() && m_src[m_pos + 1] == '}' && m_depth == 0) {
                push(isBlock ? Token::Kind::BlockEnd : Token::Kind::VarEnd, "", m_pos);
                m_pos += 2;
                afterTagEnd(false, isBlock);
                return {};
            }
            if (std::isalpha((unsigned char)c) || c == '_') {
                size_t b = m_pos;
                while (m_pos < m_src.size() && (std::isalnum((unsigned char)m_src[m_pos]) || m_src[m_pos] == '_'))
                    ++m_pos;
                push(Token::Kind::Name, std::string(m_src.substr(b, m_pos - b)), b);
            } else if (std::isdigit((unsigned char)c)) {
                Status s = lexNumber();
                if (!s)
                    return s;
            } else if (c == '\'' || c == '"') {
                Status s = lexString();
                if (!s)
                    return s;
            } else {
                static const char* kTwo[] = {"**", "//", "==", "!=", "<=", ">="};
                std::string op(1, c);
                for (const char* two : kTwo)
                    if (m_src.substr(m_pos, 2) == two)
                        op = two;
                if (op.size() == 1 && std::string_view("+-*/%~<>=|.,:()[]{}!").find(c) == std::string_view::npos)
                    return error(std::string("unexpected character '") + c + "'", m_pos);
                if (op == "(" || op == "[" || op == "{")
                    ++m_depth;
                if ((op == ")" || op == "]" || op == "}") && m_depth > 0)
                    --m_depth;
                push(Token::Kind::Op, op, m_pos);
                m_pos += op.size();
            }
        }
    }

    Status lexNumber()
    {
        size_t b = m_pos;
        bool isFloat = false;
        auto digits = [&] {
            while (m_pos < m_src.size() && (std::isdigit((unsigned char)m_src[m_pos]) || m_src[m_pos] == '_'))
                ++m_pos;
        };
        digits();
        if (m_pos + 1 < m_src.size() && m_src[m_pos] == '.' && std::isdigit((unsigned char)m_src[m_pos + 1])) {
            isFloat = true;
            ++m_pos;
            digits();
        }
        if (m_pos < m_src.size() && (m_src[m_pos] == 'e' || m_src[m_pos] == 'E')) {
            size_t q = m_pos + 1;
            if (q < m_src.size() && (m_src[q] == '+' || m_src[q] == '-'))
                ++q;
            if (q < m_src.size() && std::isdigit((unsigned char)m_src[q])) {
                isFloat = true;
                m_pos = q;
                digits();
            }
        }
        std::string text;
        for (char ch : m_src.substr(b, m_pos - b))
            if (ch != '_')
                text += ch;
        push(isFloat ? Token::Kind::Float : Token::Kind::Int, text, b);
        return {};
    }

    Status lexString()
    {
        const size_t b = m_pos;
        const char quote = m_src[m_pos++];
        std::string out;
        while (true) {
            if (m_pos >= m_src.size())
                return error("unterminated string", b);
            char c = m_src[m_pos++];
            if (c == quote)
                break;
            if (c != '\\' || m_pos >= m_src.size()) {
                out += c;
                continue;
            }
            char e = m_src[m_pos++];
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '0': out += '\0'; break;
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case '\n': break;
            case 'u':
            case 'x': {
                size_t n = e == 'u' ? 4 : 2;
                if (m_pos + n > m_src.size())
                    return error("bad escape", m_pos);
                uint32_t cp = 0;
                for (size_t i = 0; i < n; ++i) {
                    const int digit = hexDigit(m_src[m_pos + i]);
                    if (digit < 0)
                        return error("bad escape", m_pos);
                    cp = cp * 16 + uint32_t(digit);
                }
                m_pos += n;
                if (cp < 0x80) {
                    out += char(cp);
                } else if (cp < 0x800) {
                    out += char(0xC0 | (cp >> 6));
                    out += char(0x80 | (cp & 0x3F));
                } else {
                    out += char(0xE0 | (cp >> 12));
                    out += char(0x80 | ((cp >> 6) & 0x3F));
                    out += char(0x80 | (cp & 0x3F));
                }
                break;
            }
            default:
                out += '\\';
                out += e;
            }
        }
        push(Token::Kind::String, out, b);
        return {};
    }

    std::string_view m_src;
    LexOptions m_opt;
    size_t m_pos = 0;
    int m_depth = 0;  // brackets open inside a tag: `}}` there closes a dict, not the tag
    bool m_lineStarting = true;
    std::vector<Token> m_tokens;
    mutable size_t m_posOffset = 0;
    mutable int m_posLine = 1;
    mutable int m_posColumn = 1;
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view source, const LexOptions& options)
{
    Lexer lexer(source, options);
    Status s = lexer.run();
    if (!s)
        return s;
    return lexer.take();
}

}  // namespace vela::chat
