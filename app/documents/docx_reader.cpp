#include "documents/docx_reader.h"

#include "documents/zip_archive.h"

#include <QHash>
#include <QRegularExpression>
#include <QXmlStreamReader>

namespace vela::app {
namespace {

constexpr qint64 kMaxPartBytes = 256ll * 1024 * 1024;  // inflated; a zip bomb stops here
// Cancellation and progress are looked at every this many XML tokens.
constexpr int kTokensPerCheck = 4096;

bool isWordNamespace(QStringView uri)
{
    // Transitional (what Word writes) and Strict OOXML.
    return uri == u"http://schemas.openxmlformats.org/wordprocessingml/2006/main" ||
           uri == u"http://purl.oclc.org/ooxml/wordprocessingml/main";
}

// The attribute w:val (any namespace prefix).
QString valAttribute(const QXmlStreamReader& xml)
{
    for (const QXmlStreamAttribute& a : xml.attributes())
        if (a.name() == u"val")
            return a.value().toString();
    return {};
}

// The main part's name from _rels/.rels (word/document.xml in every file Word writes).
QString mainPartName(const ZipArchive& zip)
{
    const Result<QByteArray> rels = zip.read(QStringLiteral("_rels/.rels"), kMaxPartBytes);
    if (rels) {
        QXmlStreamReader xml(*rels);
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement || xml.name() != u"Relationship")
                continue;
            const QXmlStreamAttributes a = xml.attributes();
            if (a.value("Type").endsWith(u"/officeDocument")) {
                QString target = a.value("Target").toString();
                return target.startsWith('/') ? target.sliced(1) : target;
            }
        }
    }
    return QStringLiteral("word/document.xml");
}

struct StyleInfo {
    int outlineLevel = 0;  // 1…9 from the name ("heading 2") or w:outlineLvl; 0 for body text
    QString basedOn;
};

// Heading levels of the paragraph styles in word/styles.xml, following w:basedOn so a custom style built on
// "heading 2" is a heading too. Style ids are localised ("berschrift1"), so names and outline levels decide.
QHash<QString, int> headingStyles(const ZipArchive& zip)
{
    QHash<QString, StyleInfo> styles;
    const Result<QByteArray> bytes = zip.read(QStringLiteral("word/styles.xml"), kMaxPartBytes);
    if (bytes) {
        const QRegularExpression headingName(QStringLiteral("^heading\\s*([1-9])$"),
                                             QRegularExpression::CaseInsensitiveOption);
        QXmlStreamReader xml(*bytes);
        QString id;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == u"style") {
                id = xml.attributes().value(QLatin1String("w:styleId")).toString();
                if (id.isEmpty())  // another prefix than w:
                    for (const QXmlStreamAttribute& a : xml.attributes())
                        if (a.name() == u"styleId")
                            id = a.value().toString();
                styles.insert(id, {});
            } else if (xml.name() == u"name" && styles.contains(id)) {
                const QString name = valAttribute(xml);
                if (const QRegularExpressionMatch m = headingName.match(name); m.hasMatch())
                    styles[id].outlineLevel = m.captured(1).toInt();
                else if (name.compare(u"Title", Qt::CaseInsensitive) == 0)
                    styles[id].outlineLevel = 1;
            } else if (xml.name() == u"outlineLvl" && styles.contains(id)) {
                styles[id].outlineLevel = valAttribute(xml).toInt() + 1;
            } else if (xml.name() == u"basedOn" && styles.contains(id)) {
                styles[id].basedOn = valAttribute(xml);
            }
        }
    }
    QHash<QString, int> levels;
    for (auto it = styles.cbegin(); it != styles.cend(); ++it) {
        QString id = it.key();
        for (int depth = 0; depth < 10 && styles.contains(id); ++depth) {  // depth: a cycle must end
            if (const int level = styles[id].outlineLevel; level > 0 && level <= 9) {
                levels.insert(it.key(), level);
                break;
            }
            id = styles[id].basedOn;
        }
    }
    return levels;
}

// The document's dc:title from docProps/core.xml.
QString coreTitle(const ZipArchive& zip)
{
    const Result<QByteArray> core = zip.read(QStringLiteral("docProps/core.xml"), kMaxPartBytes);
    if (!core)
        return {};
    QXmlStreamReader xml(*core);
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"title")
            return xml.readElementText().simplified();
    return {};
}

// One pass over document.xml: text runs gathered per paragraph, emitted at the paragraph's end. A text box
// holds paragraphs inside a paragraph, hence a stack.
class DocumentXmlReader {
public:
    DocumentXmlReader(QHash<QString, int> headingLevels, BlockBuilder& out)
        : m_headingLevels(std::move(headingLevels)), m_out(out) {}

    // false when cancelled or the XML is malformed (see error()).
    bool read(const QByteArray& xmlBytes, ReadContext& context)
    {
        QXmlStreamReader xml(xmlBytes);
        for (int tokens = 1; !xml.atEnd(); ++tokens) {
            if (tokens % kTokensPerCheck == 0) {
                if (context.isCancelled())
                    return false;
                context.reportProgress(double(xml.characterOffset()) / double(std::max<qsizetype>(1, xmlBytes.size())));
            }
            const QXmlStreamReader::TokenType token = xml.readNext();
            if (token == QXmlStreamReader::StartElement)
                startElement(xml);
            else if (token == QXmlStreamReader::EndElement)
                endElement(xml);
        }
        if (xml.hasError())
            m_error = QStringLiteral("%1 (line %2)").arg(xml.errorString()).arg(xml.lineNumber());
        return !xml.hasError();
    }
    const QString& error() const { return m_error; }

private:
    struct Paragraph {
        QString text;
        int headingLevel = 0;
    };

    void startElement(QXmlStreamReader& xml)
    {
        if (xml.name() == u"Fallback") {  // mc:Fallback repeats mc:Choice's content for older readers
            xml.skipCurrentElement();
            return;
        }
        if (!isWordNamespace(xml.namespaceUri()))
            return;
        const QStringView name = xml.name();
        if (name == u"p") {
            m_paragraphs.append(Paragraph());
        } else if (m_paragraphs.isEmpty()) {
            return;
        } else if (name == u"t") {
            m_paragraphs.last().text += xml.readElementText();
        } else if (name == u"tab" && m_runDepth > 0) {  // a w:tab outside a run is a tab stop
            m_paragraphs.last().text += '\t';
        } else if ((name == u"br" || name == u"cr") && m_runDepth > 0) {
            m_paragraphs.last().text += '\n';
        } else if (name == u"noBreakHyphen") {
            m_paragraphs.last().text += '-';
        } else if (name == u"r") {
            ++m_runDepth;
        } else if (name == u"pStyle") {
            m_paragraphs.last().headingLevel = m_headingLevels.value(valAttribute(xml), 0);
        } else if (name == u"outlineLvl") {
            m_paragraphs.last().headingLevel = valAttribute(xml).toInt() + 1;
        }
    }

    void endElement(const QXmlStreamReader& xml)
    {
        if (!isWordNamespace(xml.namespaceUri()))
            return;
        if (xml.name() == u"r") {
            m_runDepth = std::max(0, m_runDepth - 1);
        } else if (xml.name() == u"p" && !m_paragraphs.isEmpty()) {
            const Paragraph p = m_paragraphs.takeLast();
            // Outline level 10 is Word's "body text"; 7…9 are deeper than Markdown/HTML go: headings of 6.
            if (p.headingLevel >= 1 && p.headingLevel <= 9)
                m_out.addHeading(std::min(p.headingLevel, 6), p.text);
            else
                m_out.addParagraph(p.text);
        }
    }

    QHash<QString, int> m_headingLevels;  // paragraph style id → heading level
    BlockBuilder& m_out;
    QList<Paragraph> m_paragraphs;
    int m_runDepth = 0;
    QString m_error;
};

}  // namespace

Status readDocx(const QString& path, ReadContext& context, BlockBuilder& out, QString& title)
{
    const Result<ZipArchive> zip = ZipArchive::open(path);
    if (!zip)
        return context.failure(QString::fromStdString(zip.message()) +
                               QStringLiteral(", so it is not a Word document (.docx). An older .doc file must be "
                                              "saved as .docx first."));
    const QString mainPart = mainPartName(*zip);
    const Result<QByteArray> document = zip->read(mainPart, kMaxPartBytes);
    if (!document)
        return context.failure(QStringLiteral("is not a readable Word document: ") +
                               QString::fromStdString(document.message()));
    title = coreTitle(*zip);
    context.reportProgress(0.1);
    if (context.isCancelled())
        return ReadContext::cancelled();
    context.setProgressRange(0.1, 1.0);
    DocumentXmlReader reader(headingStyles(*zip), out);
    if (!reader.read(*document, context))
        return context.isCancelled() ? ReadContext::cancelled()
                                     : context.failure(QStringLiteral("is damaged: %1 is not valid XML: %2")
                                                           .arg(mainPart, reader.error()));
    return {};
}

}  // namespace vela::app
