#include "documents/plain_text_reader.h"

#include <QStringList>

namespace vela::app {
namespace {

// The lines of the paragraph being read, joined when a blank line (or a heading) ends it.
class ParagraphLines {
public:
    void append(QStringView line)
    {
        if (!m_text.isEmpty())
            m_text += '\n';
        m_text += line;
        ++m_count;
    }
    bool isEmpty() const { return m_count == 0; }
    void flushTo(BlockBuilder& out)
    {
        out.addParagraph(m_text);
        m_text.clear();
        m_count = 0;
    }
    // Hands the lines over as a setext heading's text.
    QString take()
    {
        m_count = 0;
        return std::exchange(m_text, QString());
    }

private:
    QString m_text;
    int m_count = 0;
};

bool isBlank(QStringView line)
{
    return line.trimmed().isEmpty();
}

// Up to three spaces of indentation, as CommonMark allows before block markers.
QStringView withoutIndent(QStringView line)
{
    qsizetype i = 0;
    while (i < line.size() && i < 3 && line[i] == ' ')
        ++i;
    return line.sliced(i);
}

// 1…6 for "# Title" … "###### Title" (the '#'s followed by a space or the end), else 0; `text` gets the
// heading without its opening and closing '#'s.
int atxHeadingLevel(QStringView line, QString& text)
{
    const QStringView s = withoutIndent(line);
    int level = 0;
    while (level < s.size() && s[level] == '#')
        ++level;
    if (level == 0 || level > 6 || (level < s.size() && s[level] != ' ' && s[level] != '\t'))
        return 0;
    QStringView rest = s.sliced(level).trimmed();
    qsizetype end = rest.size();
    while (end > 0 && rest[end - 1] == '#')
        --end;
    if (end == 0 || rest[end - 1] == ' ' || rest[end - 1] == '\t')  // a closing sequence, not part of the text
        rest = rest.first(end).trimmed();
    text = rest.toString();
    return level;
}

// 1 for a line of '=', 2 for a line of '-' (the underline of a setext heading), else 0.
int setextUnderlineLevel(QStringView line)
{
    const QStringView s = withoutIndent(line).trimmed();
    if (s.isEmpty() || (s[0] != '=' && s[0] != '-'))
        return 0;
    for (const QChar c : s)
        if (c != s[0])
            return 0;
    return s[0] == '=' ? 1 : 2;
}

// "***", "- - -", "___": a thematic break, which ends a paragraph and carries no text worth keeping.
bool isThematicBreak(QStringView line)
{
    const QStringView s = withoutIndent(line).trimmed();
    if (s.isEmpty() || (s[0] != '*' && s[0] != '-' && s[0] != '_'))
        return false;
    int marks = 0;
    for (const QChar c : s) {
        if (c == s[0])
            ++marks;
        else if (c != ' ' && c != '\t')
            return false;
    }
    return marks >= 3;
}

// The fence ("```", "~~~~", …) that opens a code block on this line, or empty.
QStringView openingFence(QStringView line)
{
    const QStringView s = withoutIndent(line);
    if (s.isEmpty() || (s[0] != '`' && s[0] != '~'))
        return {};
    qsizetype n = 0;
    while (n < s.size() && s[n] == s[0])
        ++n;
    return n >= 3 ? s.first(n) : QStringView();
}

bool closesFence(QStringView line, QStringView fence)
{
    const QStringView s = withoutIndent(line).trimmed();
    if (s.size() < fence.size())
        return false;
    for (const QChar c : s)
        if (c != fence[0])
            return false;
    return true;
}

}  // namespace

void readPlainText(QStringView text, BlockBuilder& out)
{
    ParagraphLines paragraph;
    for (const QStringView line : text.tokenize(u'\n')) {
        if (isBlank(line))
            paragraph.flushTo(out);
        else
            paragraph.append(line);
    }
    paragraph.flushTo(out);
}

void readMarkdown(QStringView text, BlockBuilder& out)
{
    ParagraphLines paragraph;
    QStringView fence;  // non-empty inside a fenced code block
    for (const QStringView line : text.tokenize(u'\n')) {
        if (!fence.isEmpty()) {
            paragraph.append(line);
            if (closesFence(line, fence)) {
                fence = {};
                paragraph.flushTo(out);
            }
            continue;
        }
        QString heading;
        if (isBlank(line)) {
            paragraph.flushTo(out);
        } else if (const QStringView f = openingFence(line); !f.isEmpty()) {
            paragraph.flushTo(out);
            fence = f;
            paragraph.append(line);
        } else if (const int level = atxHeadingLevel(line, heading)) {
            paragraph.flushTo(out);
            out.addHeading(level, heading);
        } else if (const int underline = setextUnderlineLevel(line); underline && !paragraph.isEmpty()) {
            out.addHeading(underline, paragraph.take());
        } else if (isThematicBreak(line)) {
            paragraph.flushTo(out);
        } else {
            paragraph.append(line);
        }
    }
    paragraph.flushTo(out);  // also an unclosed fence, which runs to the end as CommonMark says
}

}  // namespace vela::app
