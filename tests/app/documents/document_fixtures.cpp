#include "document_fixtures.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>

#include <zip.h>

#include <array>

namespace vela::test {

vela::app::DocumentBlock paragraph(const QString& text, int page, const QString& section)
{
    vela::app::DocumentBlock b;
    b.text = text;
    b.page = page;
    b.section = section;
    return b;
}

vela::app::DocumentBlock heading(const QString& text, int level, int page)
{
    vela::app::DocumentBlock b;
    b.kind = vela::app::DocumentBlock::Kind::Heading;
    b.text = text;
    b.headingLevel = level;
    b.page = page;
    b.section = text;
    return b;
}
namespace {

QByteArray pdfString(const QString& text)
{
    QByteArray out = "(";
    for (const char c : text.toLatin1()) {
        if (c == '(' || c == ')' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + ")";
}

QByteArray ref(int object)
{
    return QByteArray::number(object) + " 0 R";
}

QByteArray pageContent(const PdfPageText& page)
{
    QByteArray content = "BT /F1 12 Tf 14 TL 72 720 Td\n";
    for (const QString& line : page.lines)
        content += pdfString(line) + " Tj T*\n";
    return content + "ET";
}

QByteArray streamObject(const QByteArray& data)
{
    return "<< /Length " + QByteArray::number(data.size()) + " >>\nstream\n" + data + "\nendstream";
}

// RC4, the cipher of the PDF standard security handler's revision 2.
QByteArray rc4(const QByteArray& key, const QByteArray& data)
{
    std::array<unsigned char, 256> s;
    for (int i = 0; i < 256; ++i)
        s[i] = static_cast<unsigned char>(i);
    for (int i = 0, j = 0; i < 256; ++i) {
        j = (j + s[i] + static_cast<unsigned char>(key[i % key.size()])) & 0xFF;
        std::swap(s[i], s[j]);
    }
    QByteArray out = data;
    for (qsizetype n = 0, i = 0, j = 0; n < out.size(); ++n) {
        i = (i + 1) & 0xFF;
        j = (j + s[i]) & 0xFF;
        std::swap(s[i], s[j]);
        out[n] = static_cast<char>(out[n] ^ s[(s[i] + s[j]) & 0xFF]);
    }
    return out;
}

QByteArray md5(const QByteArray& data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Md5);
}

// A password padded to 32 bytes with the spec's padding string (PDF 32000-1, 7.6.3.3, algorithm 2 step a).
QByteArray paddedPassword(const QByteArray& password)
{
    static const QByteArray kPadding = QByteArray::fromHex(
        "28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A");
    return (password + kPadding).first(32);
}

QByteArray pagesObject(int firstPage, int count)
{
    QByteArray kids;
    for (int i = 0; i < count; ++i)
        kids += ref(firstPage + 2 * i) + " ";
    return "<< /Type /Pages /Kids [" + kids + "] /Count " + QByteArray::number(count) + " >>";
}

QByteArray pageObject(int contentObject)
{
    return "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
           "/Contents " + ref(contentObject) + " >>";
}

const QByteArray kHelvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

const char* const kWords[] = {
    "the",      "model",    "reads",     "every",    "page",     "of",        "a",         "long",     "report",
    "and",      "writes",   "short",     "notes",    "about",    "what",      "it",        "found",    "in",
    "each",     "chapter",  "river",     "valley",   "city",     "council",   "budget",    "survey",   "results",
    "show",     "that",     "most",      "people",   "prefer",   "quiet",     "streets",   "with",     "trees",
    "while",    "traffic",  "grew",      "by",       "nine",     "percent",   "during",    "winter",   "months",
    "engineers", "measured", "bridges",  "roads",    "tunnels",  "found",     "cracks",    "near",     "old",
    "joints",   "repairs",  "will",      "start",    "next",     "spring",    "after",     "funding",  "is",
    "approved", "schools",  "libraries", "parks",    "museums",  "opened",    "new",       "rooms",    "for",
    "children", "teachers", "asked",     "more",     "books",    "computers", "than",      "last",     "year",
    "although", "costs",    "rose",      "steadily", "because",  "energy",    "prices",    "doubled",  "this",
    "summary",  "covers",   "history",   "science",  "weather",  "farming",   "harvest",   "water",    "supply",
    "health",   "clinics",  "served",    "thousands", "patients", "under",    "difficult", "conditions", "doctors",
    "nurses",   "volunteers", "helped",  "families", "elderly",  "neighbours", "shared",   "food",     "stories"};

}  // namespace

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

bool writeZip(const QString& path, const ZipEntries& entries)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile::remove(path);
    int error = 0;
    zip_t* archive = zip_open(QFile::encodeName(path).constData(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    if (!archive)
        return false;
    for (const auto& [name, bytes] : entries) {  // `entries` outlives zip_close, which reads the buffers
        zip_source_t* source = zip_source_buffer(archive, bytes.constData(), zip_uint64_t(bytes.size()), 0);
        const zip_int64_t index = source ? zip_file_add(archive, name.toUtf8().constData(), source, ZIP_FL_ENC_UTF_8)
                                         : -1;
        if (index < 0) {
            zip_source_free(source);
            zip_discard(archive);
            return false;
        }
        zip_set_file_compression(archive, zip_uint64_t(index), name == "mimetype" ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
    }
    return zip_close(archive) == 0;
}

QByteArray assemblePdf(const QList<QByteArray>& objects, const QByteArray& trailerExtra)
{
    QByteArray pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    QList<qsizetype> offsets;
    for (qsizetype i = 0; i < objects.size(); ++i) {
        offsets << pdf.size();
        pdf += QByteArray::number(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const qsizetype xref = pdf.size();
    pdf += "xref\n0 " + QByteArray::number(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const qsizetype offset : offsets)
        pdf += QByteArray::number(offset).rightJustified(10, '0') + " 00000 n \n";
    pdf += "trailer\n<< /Size " + QByteArray::number(objects.size() + 1) + " /Root 1 0 R " + trailerExtra +
           " >>\nstartxref\n" + QByteArray::number(xref) + "\n%%EOF\n";
    return pdf;
}

QByteArray zeroPagePdf()
{
    return assemblePdf({"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"});
}

QByteArray textPdf(const QList<PdfPageText>& pages, const QList<PdfBookmark>& bookmarks)
{
    // 1 catalog, 2 page tree, 3 font, 4 outline root, then (page, content) pairs, then the bookmarks.
    const int n = int(pages.size());
    const int firstBookmark = 5 + 2 * n;
    QList<QByteArray> objects = {"<< /Type /Catalog /Pages 2 0 R /Outlines 4 0 R >>", pagesObject(5, n), kHelvetica};
    objects << (bookmarks.isEmpty() ? QByteArray("<< /Type /Outlines /Count 0 >>")
                                    : "<< /Type /Outlines /First " + ref(firstBookmark) + " /Last " +
                                          ref(firstBookmark + int(bookmarks.size()) - 1) + " /Count " +
                                          QByteArray::number(bookmarks.size()) + " >>");
    for (int i = 0; i < n; ++i)
        objects << pageObject(6 + 2 * i) << streamObject(pageContent(pages[i]));
    for (int b = 0; b < bookmarks.size(); ++b) {
        const QByteArray view = bookmarks[b].top < 0 ? QByteArray("/Fit")
                                                     : "/XYZ 0 " + QByteArray::number(bookmarks[b].top) + " null";
        QByteArray item = "<< /Title " + pdfString(bookmarks[b].title) + " /Parent 4 0 R /Dest [" +
                          ref(5 + 2 * (bookmarks[b].page - 1)) + " " + view + "]";
        if (b > 0)
            item += " /Prev " + ref(firstBookmark + b - 1);
        if (b + 1 < bookmarks.size())
            item += " /Next " + ref(firstBookmark + b + 1);
        objects << item + " >>";
    }
    return assemblePdf(objects);
}

QByteArray encryptedTextPdf(const QList<PdfPageText>& pages, const QByteArray& userPassword)
{
    // PDF 32000-1 7.6.3.3–4: algorithms 3 (O), 2 (the file key), 4 (U) and 1 (per-object keys), revision 2.
    const QByteArray fileId = md5("vela encrypted fixture");
    const QByteArray ownerKey = md5(paddedPassword("owner")).first(5);
    const QByteArray o = rc4(ownerKey, paddedPassword(userPassword));
    const qint32 permissions = -44;
    QByteArray p(4, '\0');
    for (int i = 0; i < 4; ++i)
        p[i] = char((permissions >> (8 * i)) & 0xFF);
    const QByteArray fileKey = md5(paddedPassword(userPassword) + o + p + fileId).first(5);
    const QByteArray u = rc4(fileKey, paddedPassword({}));

    const int n = int(pages.size());
    QList<QByteArray> objects = {"<< /Type /Catalog /Pages 2 0 R >>", pagesObject(4, n), kHelvetica};
    for (int i = 0; i < n; ++i) {
        const int contentObject = 5 + 2 * i;
        QByteArray salt(5, '\0');  // object number (3 bytes) and generation (2 bytes), little-endian
        for (int b = 0; b < 3; ++b)
            salt[b] = char((contentObject >> (8 * b)) & 0xFF);
        const QByteArray objectKey = md5(fileKey + salt).first(10);
        objects << pageObject(contentObject) << streamObject(rc4(objectKey, pageContent(pages[i])));
    }
    const int encryptObject = int(objects.size()) + 1;
    objects << "<< /Filter /Standard /V 1 /R 2 /Length 40 /O <" + o.toHex() + "> /U <" + u.toHex() + "> /P " +
                   QByteArray::number(permissions) + " >>";
    return assemblePdf(objects, "/Encrypt " + ref(encryptObject) + " /ID [<" + fileId.toHex() + "> <" +
                                    fileId.toHex() + ">]");
}

bool writeQtPdf(const QString& path, const QList<QStringList>& pageParagraphs, const QString& title, int pointSize)
{
    QPdfWriter writer(path);
    writer.setTitle(title);
    writer.setResolution(72);  // painter units = points
    QPainter painter;
    if (!painter.begin(&writer))
        return false;
    painter.setFont(QFont(QStringLiteral("DejaVu Sans"), pointSize));
    const QRect page = writer.pageLayout().paintRectPixels(72);
    for (qsizetype i = 0; i < pageParagraphs.size(); ++i) {
        if (i > 0)
            writer.newPage();
        int y = 0;
        for (const QString& paragraph : pageParagraphs[i]) {
            const QRect box(0, y, page.width(), page.height() - y);
            const QRect used = painter.boundingRect(box, Qt::TextWordWrap, paragraph);
            painter.drawText(box, Qt::TextWordWrap, paragraph);
            y += used.height() + 2 * painter.fontMetrics().height();  // a gap, as between printed paragraphs
        }
    }
    return painter.end();
}

bool writeScannedPdf(const QString& path, int pages)
{
    QPdfWriter writer(path);
    writer.setResolution(72);
    QPainter painter;
    if (!painter.begin(&writer))
        return false;
    QImage scan(200, 280, QImage::Format_Grayscale8);
    for (int y = 0; y < scan.height(); ++y)
        for (int x = 0; x < scan.width(); ++x)
            scan.setPixel(x, y, qRgb((x * 7 + y * 13) % 256, 0, 0));
    for (int i = 0; i < pages; ++i) {
        if (i > 0)
            writer.newPage();
        painter.drawImage(QRect(0, 0, 400, 560), scan);
    }
    return painter.end();
}

QString proseWords(int words, unsigned seed)
{
    constexpr int kVocabulary = int(sizeof(kWords) / sizeof(kWords[0]));
    QString out;
    out.reserve(words * 7);
    unsigned state = seed * 2654435761u + 1;
    int sentenceLeft = 0;
    for (int w = 0; w < words; ++w) {
        state = state * 1664525u + 1013904223u;
        QString word = QString::fromLatin1(kWords[(state >> 8) % kVocabulary]);
        if (sentenceLeft == 0) {
            sentenceLeft = 8 + int((state >> 20) % 13);
            word[0] = word[0].toUpper();
            if (w > 0)
                out += ' ';
        } else {
            out += ' ';
        }
        out += word;
        if (--sentenceLeft == 0 || w + 1 == words) {
            out += '.';
            sentenceLeft = 0;
        }
    }
    return out;
}

ZipEntries sampleDocx()
{
    const QByteArray contentTypes = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>)";
    const QByteArray rels = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>)";
    // Localised style ids, as a German Word writes them: the names and basedOn decide the level.
    const QByteArray styles = R"(<?xml version="1.0" encoding="UTF-8"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="heading 2"/><w:basedOn w:val="Standard"/></w:style>
<w:style w:type="paragraph" w:styleId="Standard"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Fancy"><w:name w:val="Fancy Heading"/><w:basedOn w:val="berschrift1"/></w:style>
</w:styles>)";
    const QByteArray document = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
<w:body>
<w:p><w:pPr><w:pStyle w:val="berschrift1"/></w:pPr><w:r><w:t>Overview</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Sales rose by </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>9</w:t></w:r><w:r><w:t xml:space="preserve"> percent.</w:t></w:r></w:p>
<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Second</w:t><w:tab/><w:t>column</w:t><w:br/><w:t>new line</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="berschrift2"/></w:pPr><w:r><w:t>Details</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cell B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
<w:p><w:r><w:t>Text box text</w:t></w:r></w:p>
</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>
<w:p><w:r><w:t>Text box text</w:t></w:r></w:p>
</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:t>Kept</w:t></w:r><w:del w:author="x"><w:r><w:delText> deleted</w:delText></w:r></w:del><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t xml:space="preserve"> text.</w:t></w:r></w:p>
<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Appendix</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Fancy"/></w:pPr><w:r><w:t>Custom heading style based on heading 1</w:t></w:r></w:p>
<w:p><w:r><w:t>   </w:t></w:r></w:p>
<w:sectPr/>
</w:body></w:document>)";
    const QByteArray core = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
  xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Annual Report</dc:title></cp:coreProperties>)";
    return {{"[Content_Types].xml", contentTypes}, {"_rels/.rels", rels}, {"word/document.xml", document},
            {"word/styles.xml", styles}, {"docProps/core.xml", core}};
}

ZipEntries sampleEpub(bool drm)
{
    const QByteArray container = R"(<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>)";
    // The manifest lists chapter two first; the spine's order is the reading order.
    const QByteArray opf = R"(<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>A Small Book</dc:title></metadata>
<manifest>
<item id="c2" href="Text/chapter%202.xhtml" media-type="application/xhtml+xml"/>
<item id="c1" href="Text/chapter1.xhtml" media-type="application/xhtml+xml"/>
<item id="css" href="style.css" media-type="text/css"/>
<item id="font" href="Fonts/serif.otf" media-type="font/otf"/>
</manifest>
<spine><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>)";
    const QByteArray chapter1 = R"(<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>ch1</title><link rel="stylesheet" href="../style.css"/></head>
<body><h1>Chapter One</h1><p>It was a quiet morning.</p></body></html>)";
    const QByteArray chapter2 = R"(<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>ch2</title></head>
<body><section><h1>Chapter Two</h1><p>The storm came <br/>at noon.</p></section></body></html>)";
    // Font obfuscation is common and harmless; DRM encrypts the chapters themselves.
    const QByteArray encryption = QByteArray(R"(<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
<enc:EncryptedData><enc:CipherData><enc:CipherReference URI="OEBPS/Fonts/serif.otf"/></enc:CipherData></enc:EncryptedData>)") +
                                  (drm ? R"(<enc:EncryptedData><enc:CipherData><enc:CipherReference URI="OEBPS/Text/chapter%202.xhtml"/></enc:CipherData></enc:EncryptedData>)"
                                       : "") +
                                  "</encryption>";
    return {{"mimetype", "application/epub+zip"},
            {"META-INF/container.xml", container},
            {"META-INF/encryption.xml", encryption},
            {"OEBPS/content.opf", opf},
            {"OEBPS/Text/chapter1.xhtml", chapter1},
            {"OEBPS/Text/chapter 2.xhtml", chapter2},
            {"OEBPS/style.css", "h1 { color: red }"},
            {"OEBPS/Fonts/serif.otf", QByteArray(64, '\x7F')}};
}

}  // namespace vela::test
