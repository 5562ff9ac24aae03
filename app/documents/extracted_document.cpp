#include "documents/extracted_document.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>
#include <limits>

namespace vela::app {

QString documentFormatName(DocumentFormat format)
{
    switch (format) {
    case DocumentFormat::PlainText: return QStringLiteral("text");
    case DocumentFormat::Markdown: return QStringLiteral("markdown");
    case DocumentFormat::Pdf: return QStringLiteral("pdf");
    case DocumentFormat::Html: return QStringLiteral("html");
    case DocumentFormat::Docx: return QStringLiteral("docx");
    case DocumentFormat::Epub: return QStringLiteral("epub");
    }
    return {};
}

namespace {

const QString kDocumentFormatTag = QStringLiteral("vela-document-v1");
constexpr DocumentFormat kAllFormats[] = {DocumentFormat::PlainText, DocumentFormat::Markdown, DocumentFormat::Pdf,
                                          DocumentFormat::Html,      DocumentFormat::Docx,     DocumentFormat::Epub};

QJsonObject blockToJson(const DocumentBlock& b)
{
    QJsonObject o;
    o.insert(QStringLiteral("k"), b.isHeading() ? QStringLiteral("h") : QStringLiteral("p"));
    o.insert(QStringLiteral("t"), b.text);
    if (b.isHeading())
        o.insert(QStringLiteral("l"), b.headingLevel);
    if (b.page > 0)
        o.insert(QStringLiteral("p"), b.page);
    if (!b.section.isEmpty())
        o.insert(QStringLiteral("s"), b.section);
    return o;
}

// Thrown inside the reader with what is wrong; documentFromJson turns it into a failure.
struct DamagedDocument {
    QString what;
};

// Reads one JSON object's fields, naming `where` (the document or "block 12") in what it refuses.
class FieldReader {
public:
    FieldReader(const QJsonObject& object, QString where) : m_object(object), m_where(std::move(where)) {}

    QString text(const QString& key, bool required) const
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() && !required)
            return {};
        if (!v.isString())
            fail(QStringLiteral("\"%1\" is %2, not a string").arg(key, describe(v)));
        return v.toString();
    }

    // An integer in [min, max]; `fallback` when the field is absent and not required.
    int integer(const QString& key, int min, int max, bool required, int fallback = 0) const
    {
        return checkedInteger(m_object.value(key), key, min, max, required, fallback);
    }

    QJsonArray array(const QString& key) const
    {
        const QJsonValue v = m_object.value(key);
        if (!v.isArray())
            fail(QStringLiteral("\"%1\" is %2, not a list").arg(key, describe(v)));
        return v.toArray();
    }

    int checkedInteger(const QJsonValue& v, const QString& name, int min, int max, bool required, int fallback) const
    {
        if (v.isUndefined() && !required)
            return fallback;
        if (!v.isDouble() || v.toDouble() != std::floor(v.toDouble()))
            fail(QStringLiteral("\"%1\" is %2, not a whole number").arg(name, describe(v)));
        const double d = v.toDouble();
        if (d < min || d > max)
            fail(QStringLiteral("\"%1\" is %2, outside %3…%4").arg(name).arg(d).arg(min).arg(max));
        return static_cast<int>(d);
    }

    [[noreturn]] void fail(const QString& what) const { throw DamagedDocument{m_where + QStringLiteral(": ") + what}; }

private:
    static QString describe(const QJsonValue& v)
    {
        switch (v.type()) {
        case QJsonValue::Undefined: return QStringLiteral("missing");
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Bool: return QStringLiteral("a boolean");
        case QJsonValue::Double: return QStringLiteral("the number %1").arg(v.toDouble());
        case QJsonValue::String: return QStringLiteral("a string");
        case QJsonValue::Array: return QStringLiteral("a list");
        case QJsonValue::Object: return QStringLiteral("an object");
        }
        return QStringLiteral("of an unknown type");
    }

    QJsonObject m_object;
    QString m_where;
};

DocumentFormat readFormatName(const FieldReader& r)
{
    const QString name = r.text(QStringLiteral("format_name"), true);
    for (DocumentFormat f : kAllFormats)
        if (documentFormatName(f) == name)
            return f;
    r.fail(QStringLiteral("\"format_name\" \"%1\" is not a known document format").arg(name.left(40)));
}

DocumentBlock readBlock(const QJsonValue& value, int index, int pageCount)
{
    const QString where = QStringLiteral("block %1").arg(index + 1);
    if (!value.isObject())
        throw DamagedDocument{where + QStringLiteral(": not an object")};
    const FieldReader r(value.toObject(), where);
    DocumentBlock b;
    const QString kind = r.text(QStringLiteral("k"), true);
    if (kind != QLatin1String("p") && kind != QLatin1String("h"))
        r.fail(QStringLiteral("\"k\" is \"%1\", neither \"p\" (paragraph) nor \"h\" (heading)").arg(kind.left(20)));
    b.kind = kind == QLatin1String("h") ? DocumentBlock::Kind::Heading : DocumentBlock::Kind::Paragraph;
    b.text = r.text(QStringLiteral("t"), true);
    if (b.text.trimmed().isEmpty())
        r.fail(QStringLiteral("its text is empty"));
    b.headingLevel = b.isHeading() ? r.integer(QStringLiteral("l"), 1, 6, true)
                                   : r.integer(QStringLiteral("l"), 0, 0, false);
    b.page = r.integer(QStringLiteral("p"), 0, pageCount > 0 ? pageCount : std::numeric_limits<int>::max(), false);
    b.section = r.text(QStringLiteral("s"), false);
    return b;
}

ExtractedDocument readDocument(const QJsonObject& root)
{
    const FieldReader r(root, QStringLiteral("the document"));
    const QString tag = r.text(QStringLiteral("format"), true);
    if (tag != kDocumentFormatTag)
        r.fail(QStringLiteral("its format is \"%1\", not %2 (written by another version of Vela?)")
                   .arg(tag.left(40), kDocumentFormatTag));
    ExtractedDocument d;
    d.path = r.text(QStringLiteral("path"), true);
    d.title = r.text(QStringLiteral("title"), true);
    d.format = readFormatName(r);
    d.pageCount = r.integer(QStringLiteral("page_count"), 0, std::numeric_limits<int>::max(), true);
    const QJsonArray without = r.array(QStringLiteral("pages_without_text"));
    for (qsizetype i = 0; i < without.size(); ++i)
        d.pagesWithoutText << r.checkedInteger(without[i], QStringLiteral("pages_without_text[%1]").arg(i), 1,
                                               d.pageCount, true, 0);
    const QJsonArray blocks = r.array(QStringLiteral("blocks"));
    if (blocks.isEmpty())
        r.fail(QStringLiteral("it has no text (\"blocks\" is empty)"));
    d.blocks.reserve(blocks.size());
    for (qsizetype i = 0; i < blocks.size(); ++i)
        d.blocks << readBlock(blocks[i], static_cast<int>(i), d.pageCount);
    return d;
}

}  // namespace

QByteArray documentToJson(const ExtractedDocument& document)
{
    QJsonArray blocks;
    for (const DocumentBlock& b : document.blocks)
        blocks.append(blockToJson(b));
    QJsonArray without;
    for (int page : document.pagesWithoutText)
        without.append(page);
    QJsonObject root;
    root.insert(QStringLiteral("format"), kDocumentFormatTag);
    root.insert(QStringLiteral("path"), document.path);
    root.insert(QStringLiteral("title"), document.title);
    root.insert(QStringLiteral("format_name"), documentFormatName(document.format));
    root.insert(QStringLiteral("page_count"), document.pageCount);
    root.insert(QStringLiteral("pages_without_text"), without);
    root.insert(QStringLiteral("blocks"), blocks);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

Result<ExtractedDocument> documentFromJson(const QByteArray& json)
{
    const auto failure = [](const QString& what) {
        return Status::failure(QStringLiteral("the stored text of this document is damaged (%1); attach the document again")
                                   .arg(what)
                                   .toStdString());
    };
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return failure(QStringLiteral("not JSON: %1 at byte %2").arg(error.errorString()).arg(error.offset));
    if (!parsed.isObject())
        return failure(QStringLiteral("not a JSON object"));
    try {
        return readDocument(parsed.object());
    } catch (const DamagedDocument& e) {
        return failure(e.what);
    }
}

QString ExtractedDocument::plainText() const
{
    QString out;
    out.reserve(characterCount() + 2 * blocks.size());
    for (const DocumentBlock& b : blocks) {
        if (!out.isEmpty())
            out += QStringLiteral("\n\n");
        out += b.text;
    }
    return out;
}

qsizetype ExtractedDocument::characterCount() const
{
    qsizetype n = 0;
    for (const DocumentBlock& b : blocks)
        n += b.text.size();
    return n;
}

}  // namespace vela::app
