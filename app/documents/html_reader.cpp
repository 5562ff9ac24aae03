#include "documents/html_reader.h"

#include <array>
#include <string_view>

namespace vela::app {
namespace {

// HTML 4's named references — the ones real pages use; HTML5's other ~2,000 are kept as written.
// Latin-1's U+00A0…U+00FF in code order.
constexpr std::array<std::string_view, 96> kLatin1Entities = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",   "ordf",
    "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",
    "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave",
    "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",
    "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",
    "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute",
    "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave",
    "iacute", "icirc",  "iuml",   "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};
// Greek capitals from U+0391 and small letters from U+03B1 ("" where Unicode has no letter).
constexpr std::array<std::string_view, 25> kGreekCapitals = {
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda", "Mu", "Nu",
    "Xi",    "Omicron", "Pi", "Rho",   "",        "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega"};
constexpr std::array<std::string_view, 25> kGreekSmall = {
    "alpha", "beta",    "gamma", "delta", "epsilon", "zeta",  "eta",     "theta", "iota", "kappa", "lambda", "mu", "nu",
    "xi",    "omicron", "pi",    "rho",   "sigmaf",  "sigma", "tau",     "upsilon", "phi", "chi",  "psi",    "omega"};

struct NamedEntity {
    std::string_view name;
    char16_t code;
};
constexpr NamedEntity kOtherEntities[] = {
    {"amp", 38},       {"lt", 60},        {"gt", 62},       {"quot", 34},     {"apos", 39},     {"OElig", 338},
    {"oelig", 339},    {"Scaron", 352},   {"scaron", 353},  {"Yuml", 376},    {"fnof", 402},    {"circ", 710},
    {"tilde", 732},    {"ensp", 8194},    {"emsp", 8195},   {"thinsp", 8201}, {"zwnj", 8204},   {"zwj", 8205},
    {"lrm", 8206},     {"rlm", 8207},     {"ndash", 8211},  {"mdash", 8212},  {"lsquo", 8216},  {"rsquo", 8217},
    {"sbquo", 8218},   {"ldquo", 8220},   {"rdquo", 8221},  {"bdquo", 8222},  {"dagger", 8224}, {"Dagger", 8225},
    {"bull", 8226},    {"hellip", 8230},  {"permil", 8240}, {"prime", 8242},  {"Prime", 8243},  {"lsaquo", 8249},
    {"rsaquo", 8250},  {"euro", 8364},    {"trade", 8482},  {"larr", 8592},   {"uarr", 8593},   {"rarr", 8594},
    {"darr", 8595},    {"harr", 8596},    {"lArr", 8656},   {"rArr", 8658},   {"hArr", 8660},   {"forall", 8704},
    {"part", 8706},    {"exist", 8707},   {"nabla", 8711},  {"isin", 8712},   {"notin", 8713},  {"sum", 8721},
    {"minus", 8722},   {"radic", 8730},   {"infin", 8734},  {"and", 8743},    {"or", 8744},     {"cap", 8745},
    {"cup", 8746},     {"int", 8747},     {"there4", 8756}, {"sim", 8764},    {"asymp", 8776},  {"ne", 8800},
    {"equiv", 8801},   {"le", 8804},      {"ge", 8805},     {"sub", 8834},    {"sup", 8835}};

// The code of a named reference, or 0 when unknown.
char32_t namedEntity(std::string_view name)
{
    for (size_t i = 0; i < kLatin1Entities.size(); ++i)
        if (kLatin1Entities[i] == name)
            return char32_t(0xA0 + i);
    for (size_t i = 0; i < kGreekCapitals.size(); ++i) {
        if (!kGreekCapitals[i].empty() && kGreekCapitals[i] == name)
            return char32_t(0x391 + i);
        if (kGreekSmall[i] == name)
            return char32_t(0x3B1 + i);
    }
    for (const NamedEntity& e : kOtherEntities)
        if (e.name == name)
            return e.code;
    return 0;
}

// The code of "#123", "#x7B" or a name (the reference between '&' and ';'), or 0 when it is none.
char32_t referencedCode(QStringView ref)
{
    if (ref.startsWith('#')) {
        const bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
        bool ok = false;
        const uint code = ref.sliced(hex ? 2 : 1).toUInt(&ok, hex ? 16 : 10);
        if (!ok)
            return 0;
        const bool valid = code > 0 && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
        return valid ? char32_t(code) : char32_t(0xFFFD);
    }
    std::string name;
    for (const QChar c : ref) {
        if (c.unicode() > 0x7F || !c.isLetterOrNumber())
            return 0;
        name += char(c.unicode());
    }
    return namedEntity(name);
}

enum class TagRole {
    Inline,     // <b>, <a>, <span>, unknown tags: no effect on the text's structure
    Block,      // ends the paragraph before and after it
    LineBreak,  // <br>
    Heading,    // <h1>…<h6>
    Cell,       // <td>, <th>: cells of a row are separated by " | "
    Pre,        // whitespace kept
    Head,       // <head>: no text of the body
    Skipped,    // the element and everything in it is dropped (scripts, styles, SVG, forms' <select>, …)
    Title,
};

TagRole tagRole(QStringView name)
{
    static const QStringList blocks = {
        "address", "article", "aside",  "blockquote", "body",   "caption", "center", "dd",   "details",
        "dialog",  "dir",     "div",    "dl",         "dt",     "fieldset", "figcaption", "figure", "footer",
        "form",    "header",  "hgroup", "hr",         "html",   "legend",  "li",     "main", "menu",
        "nav",     "ol",      "p",      "section",    "summary", "table",  "tbody",  "tfoot", "thead",
        "tr",      "ul"};
    static const QStringList skipped = {"script", "style",  "noscript", "template", "textarea", "svg",
                                        "iframe", "object", "select",   "canvas",   "noembed",  "noframes", "xmp"};
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6')
        return TagRole::Heading;
    if (name == u"br")
        return TagRole::LineBreak;
    if (name == u"td" || name == u"th")
        return TagRole::Cell;
    if (name == u"pre" || name == u"listing")
        return TagRole::Pre;
    if (name == u"head")
        return TagRole::Head;
    if (name == u"title")
        return TagRole::Title;
    if (skipped.contains(name))
        return TagRole::Skipped;
    if (blocks.contains(name))
        return TagRole::Block;
    return TagRole::Inline;
}

bool isTagNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == ':' || c == '-' || c == '_';
}

struct Tag {
    QString name;  // lower case, without a namespace prefix ("html:p" → "p")
    bool closing = false;
    bool selfClosing = false;
};

// Scans the page once, left to right, writing paragraphs as block boundaries are met.
class HtmlScanner {
public:
    HtmlScanner(QStringView html, BlockBuilder& out) : m_html(html), m_out(out) {}

    QString run()
    {
        while (m_pos < m_html.size()) {
            const qsizetype lt = m_html.indexOf(u'<', m_pos);
            appendText(decodeHtmlEntities(m_html.sliced(m_pos, (lt < 0 ? m_html.size() : lt) - m_pos)));
            if (lt < 0)
                break;
            m_pos = lt;
            readMarkup();
        }
        flushParagraph();
        return m_title;
    }

private:
    void readMarkup()
    {
        const QStringView rest = m_html.sliced(m_pos);
        if (rest.startsWith(u"<!--")) {
            skipPast(u"-->");
        } else if (rest.startsWith(u"<![CDATA[")) {
            const qsizetype end = m_html.indexOf(u"]]>", m_pos);
            const qsizetype stop = end < 0 ? m_html.size() : end;
            appendText(m_html.sliced(m_pos + 9, stop - m_pos - 9));
            m_pos = end < 0 ? m_html.size() : end + 3;
        } else if (rest.size() > 1 && (rest[1] == '!' || rest[1] == '?')) {
            skipPast(u">");  // <!DOCTYPE …>, <?xml …?>
        } else if (rest.size() > 1 && (rest[1].isLetter() || (rest[1] == '/' && rest.size() > 2))) {
            handleTag(readTag());
        } else {
            appendText(u"<");
            ++m_pos;
        }
    }

    void skipPast(QStringView terminator)
    {
        const qsizetype end = m_html.indexOf(terminator, m_pos);
        m_pos = end < 0 ? m_html.size() : end + terminator.size();
    }

    // Reads "<name attr='…' …>" from m_pos, past its '>' (a '>' inside a quoted attribute does not end it).
    Tag readTag()
    {
        Tag tag;
        qsizetype i = m_pos + 1;
        if (m_html[i] == '/') {
            tag.closing = true;
            ++i;
        }
        const qsizetype nameStart = i;
        while (i < m_html.size() && isTagNameChar(m_html[i]))
            ++i;
        tag.name = m_html.sliced(nameStart, i - nameStart).toString().toLower();
        if (const qsizetype colon = tag.name.lastIndexOf(':'); colon >= 0)
            tag.name = tag.name.sliced(colon + 1);
        QChar quote;
        for (; i < m_html.size(); ++i) {
            const QChar c = m_html[i];
            if (!quote.isNull()) {
                if (c == quote)
                    quote = QChar();
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                tag.selfClosing = m_html[i - 1] == '/';
                break;
            }
        }
        m_pos = std::min(i + 1, m_html.size());
        return tag;
    }

    void handleTag(const Tag& tag)
    {
        switch (tagRole(tag.name)) {
        case TagRole::Inline: break;
        case TagRole::Block:
            flushParagraph();
            if (tag.name == u"body")
                m_inHead = false;
            break;
        case TagRole::LineBreak:
            m_paragraph += '\n';
            m_pendingSpace = false;
            break;
        case TagRole::Heading:
            flushParagraph();
            m_headingLevel = tag.closing ? 0 : tag.name[1].digitValue();
            break;
        case TagRole::Cell:
            if (!tag.closing && !m_paragraph.isEmpty()) {
                m_paragraph += QStringLiteral(" | ");
                m_pendingSpace = false;
            }
            break;
        case TagRole::Pre:
            flushParagraph();
            m_preDepth = std::max(0, m_preDepth + (tag.closing ? -1 : 1));
            break;
        case TagRole::Head: m_inHead = !tag.closing; break;
        case TagRole::Skipped:
        case TagRole::Title:
            if (!tag.closing && !tag.selfClosing)
                skipElementContent(tag);
            break;
        }
    }

    // Raw-text elements and those dropped whole: their content runs to the matching "</name", whatever
    // markup-looking text is inside (a script's "</div>" included).
    void skipElementContent(const Tag& tag)
    {
        const QString closing = "</" + tag.name;
        qsizetype end = m_pos;
        while ((end = m_html.indexOf(closing, end, Qt::CaseInsensitive)) >= 0) {
            const qsizetype after = end + closing.size();
            if (after >= m_html.size() || !m_html[after].isLetterOrNumber())
                break;
            end = after;  // "</scripts" is not "</script"
        }
        const qsizetype stop = end < 0 ? m_html.size() : end;
        if (tagRole(tag.name) == TagRole::Title && m_title.isEmpty())
            m_title = decodeHtmlEntities(m_html.sliced(m_pos, stop - m_pos)).simplified();
        m_pos = stop;
        if (end >= 0)
            skipPast(u">");
    }

    void appendText(QStringView text)
    {
        if (m_inHead)
            return;
        if (m_preDepth > 0) {
            m_paragraph += text;
            m_pendingSpace = false;
            return;
        }
        for (const QChar c : text) {
            if (c.isSpace()) {
                m_pendingSpace = !m_paragraph.isEmpty() && !m_paragraph.endsWith('\n');
                continue;
            }
            if (m_pendingSpace)
                m_paragraph += ' ';
            m_pendingSpace = false;
            m_paragraph += c;
        }
    }

    void flushParagraph()
    {
        if (m_headingLevel > 0)
            m_out.addHeading(m_headingLevel, m_paragraph);
        else
            m_out.addParagraph(m_paragraph);
        m_paragraph.clear();
        m_pendingSpace = false;
    }

    QStringView m_html;
    qsizetype m_pos = 0;
    BlockBuilder& m_out;
    QString m_paragraph;
    bool m_pendingSpace = false;
    int m_headingLevel = 0;
    int m_preDepth = 0;
    bool m_inHead = false;
    QString m_title;
};

}  // namespace

QString decodeHtmlEntities(QStringView text)
{
    if (!text.contains(u'&'))
        return text.toString();
    constexpr qsizetype kLongestReference = 32;
    QString out;
    out.reserve(text.size());
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype amp = text.indexOf(u'&', pos);
        if (amp < 0) {
            out += text.sliced(pos);
            break;
        }
        out += text.sliced(pos, amp - pos);
        const qsizetype semicolon = text.indexOf(u';', amp + 1);
        const char32_t code = (semicolon > amp + 1 && semicolon - amp <= kLongestReference)
                                  ? referencedCode(text.sliced(amp + 1, semicolon - amp - 1))
                                  : 0;
        if (code == 0) {
            out += '&';
            pos = amp + 1;
            continue;
        }
        out += QString::fromUcs4(&code, 1);
        pos = semicolon + 1;
    }
    return out;
}

QString readHtml(QStringView html, BlockBuilder& out)
{
    return HtmlScanner(html, out).run();
}

}  // namespace vela::app
