// Follow-up questions about a document: the extracted document stored as JSON and read back (every field,
// unicode; each kind of damage refused with a message), and the passages chosen for a question — the topic's
// page first with its citation, the token budget kept, document order, the introduction when nothing matches,
// a huge block cut, stories260K's tokenizer as the counter, and a ~200k-token document ranked in well under
// a second.
#include "document_fixtures.h"
#include "support/test_data.h"

#include "documents/document_passages.h"
#include "documents/extracted_document.h"
#include "vela/gguf.h"
#include "vela/tokenizer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <functional>
#include <memory>

using namespace vela;
using namespace vela::app;
using vela::test::heading;
using vela::test::paragraph;

namespace {

// A tokenizer stand-in: one token per whitespace-separated word.
int countWords(const QString& text)
{
    int n = 0;
    bool inWord = false;
    for (QChar c : text) {
        n += !c.isSpace() && !inWord ? 1 : 0;
        inWord = !c.isSpace();
    }
    return n;
}

const std::function<int(const QString&)> kWordCounter = countWords;

struct Topic {
    QString title;
    QString sentences;
};

const QList<Topic>& topics()
{
    static const QList<Topic> list = {
        {QStringLiteral("Volcanoes"), QStringLiteral("Volcanoes erupt when magma rises through fissures in the crust. "
                                                     "Basalt lava flows cool into dark rock.")},
        {QStringLiteral("Honeybees"), QStringLiteral("Honeybees communicate the direction of nectar with a waggle "
                                                     "dance. A hive of honeybees stores nectar as honey.")},
        {QStringLiteral("Glaciers"), QStringLiteral("Glaciers carve valleys as compacted ice slides downhill. "
                                                    "Moraines mark where a glacier stopped.")},
        {QStringLiteral("Semiconductors"), QStringLiteral("Silicon semiconductors conduct electricity when doped "
                                                          "with impurities. Transistors switch currents on chips.")},
        {QStringLiteral("Sourdough"), QStringLiteral("Sourdough bread rises with wild yeast and lactobacilli in a "
                                                     "starter. Bakers feed the starter flour.")},
    };
    return list;
}

// A PDF-like document: page 1 an introduction, pages 2–6 one topic each (a heading, then two paragraphs of
// filler prose with the topic's sentences inside the first).
ExtractedDocument topicDocument()
{
    ExtractedDocument d;
    d.path = QStringLiteral("/tmp/field-notes.pdf");
    d.title = QStringLiteral("Field notes");
    d.format = DocumentFormat::Pdf;
    d.pageCount = 6;
    d.blocks << heading(QStringLiteral("Field notes"), 1, 1)
             << paragraph(QStringLiteral("This report collects observations on five unrelated subjects. ") +
                              test::proseWords(60, 1),
                          1, QStringLiteral("Field notes"));
    for (int i = 0; i < topics().size(); ++i) {
        const int page = i + 2;
        const Topic& t = topics()[i];
        d.blocks << heading(t.title, 2, page)
                 << paragraph(test::proseWords(40, page * 10) + QLatin1Char(' ') + t.sentences + QLatin1Char(' ') +
                                  test::proseWords(30, page * 10 + 1),
                              page, t.title)
                 << paragraph(test::proseWords(70, page * 10 + 2), page, t.title);
    }
    return d;
}

int totalTokens(const QList<DocumentPassage>& passages)
{
    int n = 0;
    for (const DocumentPassage& p : passages)
        n += p.tokens;
    return n;
}

const DocumentPassage& bestOf(const QList<DocumentPassage>& passages)
{
    return *std::max_element(passages.begin(), passages.end(),
                             [](const DocumentPassage& a, const DocumentPassage& b) { return a.score < b.score; });
}

// The document's text as passages carry it (headings with their markup), whitespace simplified: a passage
// may cut a block where it had a space.
QString renderedDocument(const ExtractedDocument& d)
{
    QString whole;
    for (const DocumentBlock& b : d.blocks)
        whole += (b.isHeading() ? QString(b.headingLevel, '#') + ' ' + b.text : b.text) + QStringLiteral("\n\n");
    return whole.simplified();
}

// Each passage's text found in the document's text after the previous one's.
bool inDocumentOrder(const QList<DocumentPassage>& passages, const ExtractedDocument& d)
{
    const QString whole = renderedDocument(d);
    qsizetype at = 0;
    for (const DocumentPassage& p : passages) {
        const qsizetype found = whole.indexOf(p.text.simplified(), at);
        if (found < 0)
            return false;
        at = found + p.text.simplified().size();
    }
    return true;
}

QByteArray edited(const std::function<void(QJsonObject&)>& edit)
{
    ExtractedDocument d = topicDocument();
    d.pagesWithoutText = {3};
    QJsonObject root = QJsonDocument::fromJson(documentToJson(d)).object();
    edit(root);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QByteArray editedBlock(int index, const std::function<void(QJsonObject&)>& edit)
{
    return edited([&](QJsonObject& root) {
        QJsonArray blocks = root.value("blocks").toArray();
        QJsonObject block = blocks[index].toObject();
        edit(block);
        blocks[index] = block;
        root["blocks"] = blocks;
    });
}

}  // namespace

class TestDocumentPassages : public QObject {
    Q_OBJECT

private slots:
    void jsonRoundTripKeepsEveryField()
    {
        ExtractedDocument d;
        d.path = QStringLiteral("/home/zoë/Документы/報告 📄.pdf");
        d.title = QStringLiteral("Résumé — «Отчёт» 年次報告");
        d.format = DocumentFormat::Pdf;
        d.pageCount = 9;
        d.pagesWithoutText = {2, 7};
        d.blocks << paragraph(QStringLiteral("Before any heading, on page one."), 1)
                 << heading(QStringLiteral("Введение"), 1, 1)
                 << paragraph(QStringLiteral("Line one\nline two with \"quotes\", a tab\tand a backslash \\."), 3,
                              QStringLiteral("Введение"))
                 << heading(QStringLiteral("結果 🙂"), 6, 8)
                 << paragraph(QStringLiteral("עברית and العربية, naïve café, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢."), 9, QStringLiteral("結果 🙂"));
        const QByteArray json = documentToJson(d);
        QVERIFY(!json.contains('\n'));  // compact: one line, no indentation
        QVERIFY(json.startsWith("{"));
        const Result<ExtractedDocument> back = documentFromJson(json);
        QVERIFY2(back, back.message().c_str());
        QCOMPARE(back->path, d.path);
        QCOMPARE(back->title, d.title);
        QCOMPARE(back->format, d.format);
        QCOMPARE(back->pageCount, 9);
        QCOMPARE(back->pagesWithoutText, (QList<int>{2, 7}));
        QCOMPARE(back->blocks.size(), d.blocks.size());
        for (qsizetype i = 0; i < d.blocks.size(); ++i) {
            QCOMPARE(back->blocks[i].kind, d.blocks[i].kind);
            QCOMPARE(back->blocks[i].text, d.blocks[i].text);
            QCOMPARE(back->blocks[i].headingLevel, d.blocks[i].headingLevel);
            QCOMPARE(back->blocks[i].page, d.blocks[i].page);
            QCOMPARE(back->blocks[i].section, d.blocks[i].section);
        }
        QCOMPARE(documentToJson(*back), json);
    }

    void jsonRoundTripKeepsEveryFormat()
    {
        for (DocumentFormat f : {DocumentFormat::PlainText, DocumentFormat::Markdown, DocumentFormat::Pdf,
                                 DocumentFormat::Html, DocumentFormat::Docx, DocumentFormat::Epub}) {
            ExtractedDocument d;
            d.path = QStringLiteral("/a/b");
            d.title = QStringLiteral("B");
            d.format = f;
            d.blocks << paragraph(QStringLiteral("Text."));
            const Result<ExtractedDocument> back = documentFromJson(documentToJson(d));
            QVERIFY2(back, back.message().c_str());
            QCOMPARE(back->format, f);
            QCOMPARE(back->pageCount, 0);
            QVERIFY(back->pagesWithoutText.isEmpty());
        }
    }

    void damagedJsonIsRefused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("says");
        QTest::newRow("not JSON") << QByteArray("{\"format\":\"vela-document-v1\",") << "not JSON";
        QTest::newRow("empty") << QByteArray() << "not JSON";
        QTest::newRow("a list") << QByteArray("[1,2]") << "not a JSON object";
        QTest::newRow("no format") << edited([](QJsonObject& o) { o.remove("format"); }) << "\"format\" is missing";
        QTest::newRow("other format") << edited([](QJsonObject& o) { o["format"] = "vela-document-v9"; })
                                      << "\"vela-document-v9\", not vela-document-v1";
        QTest::newRow("format a number") << edited([](QJsonObject& o) { o["format"] = 1; }) << "not a string";
        QTest::newRow("title missing") << edited([](QJsonObject& o) { o.remove("title"); }) << "\"title\" is missing";
        QTest::newRow("path a list") << edited([](QJsonObject& o) { o["path"] = QJsonArray{}; }) << "\"path\" is a list";
        QTest::newRow("unknown format_name") << edited([](QJsonObject& o) { o["format_name"] = "pptx"; })
                                             << "\"pptx\" is not a known document format";
        QTest::newRow("page_count negative") << edited([](QJsonObject& o) { o["page_count"] = -2; }) << "\"page_count\" is -2";
        QTest::newRow("page_count fractional") << edited([](QJsonObject& o) { o["page_count"] = 2.5; })
                                               << "not a whole number";
        QTest::newRow("page_count a string") << edited([](QJsonObject& o) { o["page_count"] = "6"; })
                                             << "\"page_count\" is a string, not a whole number";
        QTest::newRow("pages_without_text not a list") << edited([](QJsonObject& o) { o["pages_without_text"] = 3; })
                                                       << "not a list";
        QTest::newRow("page without text out of range")
            << edited([](QJsonObject& o) { o["pages_without_text"] = QJsonArray{3, 70}; }) << "pages_without_text[1]";
        QTest::newRow("no blocks") << edited([](QJsonObject& o) { o.remove("blocks"); }) << "\"blocks\" is missing";
        QTest::newRow("empty blocks") << edited([](QJsonObject& o) { o["blocks"] = QJsonArray{}; }) << "\"blocks\" is empty";
        QTest::newRow("block not an object") << edited([](QJsonObject& o) { o["blocks"] = QJsonArray{"text"}; })
                                             << "block 1: not an object";
        QTest::newRow("unknown kind") << editedBlock(2, [](QJsonObject& b) { b["k"] = "table"; })
                                      << "block 3: \"k\" is \"table\"";
        QTest::newRow("empty text") << editedBlock(3, [](QJsonObject& b) { b["t"] = ""; }) << "block 4: its text is empty";
        QTest::newRow("blank text") << editedBlock(3, [](QJsonObject& b) { b["t"] = " \n\t"; }) << "its text is empty";
        QTest::newRow("text a number") << editedBlock(1, [](QJsonObject& b) { b["t"] = 42; })
                                       << "block 2: \"t\" is the number 42, not a string";
        QTest::newRow("no text") << editedBlock(1, [](QJsonObject& b) { b.remove("t"); }) << "\"t\" is missing";
        QTest::newRow("heading level 0") << editedBlock(0, [](QJsonObject& b) { b["l"] = 0; }) << "\"l\" is 0, outside 1…6";
        QTest::newRow("heading level 7") << editedBlock(0, [](QJsonObject& b) { b["l"] = 7; }) << "\"l\" is 7, outside 1…6";
        QTest::newRow("heading without level") << editedBlock(0, [](QJsonObject& b) { b.remove("l"); }) << "\"l\" is missing";
        QTest::newRow("paragraph with a level") << editedBlock(1, [](QJsonObject& b) { b["l"] = 2; }) << "\"l\" is 2";
        QTest::newRow("negative page") << editedBlock(1, [](QJsonObject& b) { b["p"] = -1; })
                                       << "block 2: \"p\" is -1";
        QTest::newRow("page past the end") << editedBlock(1, [](QJsonObject& b) { b["p"] = 7; }) << "\"p\" is 7, outside 0…6";
        QTest::newRow("page a boolean") << editedBlock(1, [](QJsonObject& b) { b["p"] = true; })
                                        << "\"p\" is a boolean";
        QTest::newRow("huge page") << editedBlock(1, [](QJsonObject& b) { b["p"] = 1e300; }) << "\"p\" is";
        QTest::newRow("section an object") << editedBlock(1, [](QJsonObject& b) { b["s"] = QJsonObject{}; })
                                           << "\"s\" is an object";
    }

    void damagedJsonIsRefused()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, says);
        const Result<ExtractedDocument> d = documentFromJson(json);
        QVERIFY(!d);
        const QString message = QString::fromStdString(d.message());
        QVERIFY2(message.contains(says), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("damaged")), qPrintable(message));
    }

    void unchangedJsonIsAccepted()  // the damage above is the edit, not the helper
    {
        QVERIFY(documentFromJson(edited([](QJsonObject&) {})));
    }

    void questionFindsItsTopicsPage_data()
    {
        QTest::addColumn<QString>("question");
        QTest::addColumn<int>("page");
        QTest::newRow("volcanoes, lava flow ~ flows") << "Which kind of lava flow is described?" << 2;
        QTest::newRow("honeybee ~ Honeybees") << "What does a honeybee DANCE mean?" << 3;
        QTest::newRow("glacier") << "Where did the glacier stop?" << 4;
        QTest::newRow("doping") << "How does doped silicon conduct?" << 5;
        QTest::newRow("sourdough by its heading") << "sourdough" << 6;
    }

    void questionFindsItsTopicsPage()
    {
        QFETCH(QString, question);
        QFETCH(int, page);
        const ExtractedDocument d = topicDocument();
        const QList<DocumentPassage> passages = relevantPassages(d, question, 120, kWordCounter, 60);
        QVERIFY(!passages.isEmpty());
        const DocumentPassage& best = bestOf(passages);
        QVERIFY(best.score > 0);
        QCOMPARE(best.source.firstPage, page);
        QCOMPARE(best.source.citation(), QStringLiteral("p. %1, § %2").arg(page).arg(topics()[page - 2].title));
        QVERIFY(best.text.contains(topics()[page - 2].sentences.section(' ', 0, 2)) ||
                best.text.contains(topics()[page - 2].title));
        const QString label = QStringLiteral("[p. %1, § %2]\n").arg(page).arg(topics()[page - 2].title);
        QVERIFY(passagesForPrompt(passages).contains(label));
        QVERIFY(totalTokens(passages) <= 120);
    }

    void sectionNameCountsForTheTextUnderIt()
    {
        // No pages; the word "glaciology" is only in the heading, not in the paragraphs under it.
        ExtractedDocument d;
        d.title = QStringLiteral("Notes");
        d.format = DocumentFormat::Markdown;
        d.blocks << heading(QStringLiteral("Introduction"), 1) << paragraph(test::proseWords(80, 3), 0, "Introduction")
                 << heading(QStringLiteral("Glaciology"), 2);
        for (int i = 0; i < 4; ++i)
            d.blocks << paragraph(test::proseWords(60, 20 + i), 0, QStringLiteral("Glaciology"));
        d.blocks << heading(QStringLiteral("Farming"), 2) << paragraph(test::proseWords(80, 9), 0, "Farming");
        const QList<DocumentPassage> passages = relevantPassages(d, QStringLiteral("What about glaciology?"), 1000,
                                                                 kWordCounter, 70);
        QVERIFY(passages.size() >= 4);
        for (const DocumentPassage& p : passages) {
            QCOMPARE(p.source.citation(), QStringLiteral("§ Glaciology"));
            QVERIFY(p.score > 0);
        }
        QVERIFY(passages.back().text.startsWith(test::proseWords(60, 23)));  // a paragraph without the word
        QVERIFY(passagesForPrompt(passages).startsWith(QStringLiteral("[§ Glaciology]\n## Glaciology\n\n")));
    }

    void unicodeWordsMatch_data()
    {
        QTest::addColumn<QString>("question");
        QTest::addColumn<int>("page");
        QTest::newRow("Cyrillic, other case") << "Что такое МОСКВА?" << 2;
        QTest::newRow("Greek final sigma folded") << "ΟΔΟΣ" << 3;
        QTest::newRow("Han characters, no spaces") << "東京について" << 4;
        QTest::newRow("French, apostrophes between words") << "Qu'est-ce qu'un café ?" << 5;
    }

    void unicodeWordsMatch()
    {
        QFETCH(QString, question);
        QFETCH(int, page);
        ExtractedDocument d;
        d.format = DocumentFormat::Pdf;
        d.pageCount = 5;
        d.blocks << paragraph(test::proseWords(50, 1), 1)
                 << paragraph(QStringLiteral("Москва — столица России."), 2)
                 << paragraph(QStringLiteral("Η οδος είναι μακριά."), 3)
                 << paragraph(QStringLiteral("東京は日本の首都です。"), 4)
                 << paragraph(QStringLiteral("Un cafe n'est pas un café."), 5);
        const QList<DocumentPassage> passages = relevantPassages(d, question, 30, kWordCounter, 10);
        QVERIFY(!passages.isEmpty());
        const DocumentPassage& best = bestOf(passages);  // short pages share passages
        QVERIFY2(best.source.firstPage <= page && page <= best.source.lastPage, qPrintable(best.source.citation()));
        QVERIFY(best.text.contains(d.blocks[page - 1].text));
        QVERIFY(best.score > 0);
    }

    void budgetIsKept_data()
    {
        QTest::addColumn<int>("budget");
        QTest::addColumn<int>("passageTokens");
        QTest::newRow("one token") << 1 << 200;
        QTest::newRow("20, passages clamped to it") << 20 << 200;
        QTest::newRow("50") << 50 << 40;
        QTest::newRow("130") << 130 << 60;
        QTest::newRow("400") << 400 << 60;
        QTest::newRow("whole document") << 100000 << 200;
    }

    void budgetIsKept()
    {
        QFETCH(int, budget);
        QFETCH(int, passageTokens);
        const ExtractedDocument d = topicDocument();
        // "the" and "and" are stop words: basalt/nectar/moraines/starter pick passages on four pages.
        const QString question = QStringLiteral("the basalt and nectar and moraines and starter");
        const QList<DocumentPassage> passages = relevantPassages(d, question, budget, kWordCounter, passageTokens);
        QVERIFY(totalTokens(passages) <= budget);
        if (budget >= 16)
            QVERIFY(!passages.isEmpty());
        for (const DocumentPassage& p : passages) {
            QCOMPARE(p.tokens, countWords(p.text));
            QVERIFY(p.score > 0);
        }
        QVERIFY(inDocumentOrder(passages, d));
        for (qsizetype i = 1; i < passages.size(); ++i)
            QVERIFY(passages[i - 1].source.lastPage <= passages[i].source.firstPage);
        if (budget >= 400) {  // room for every match: pages 2, 3, 4 and 6 all there
            for (int page : {2, 3, 4, 6})
                QVERIFY(std::any_of(passages.begin(), passages.end(), [&](const DocumentPassage& p) {
                    return p.source.firstPage <= page && page <= p.source.lastPage;
                }));
        }
        if (budget == 400) {  // 60-token passages: each on one page
            QStringList cited;
            for (const DocumentPassage& p : passages)
                cited << p.source.citation();
            cited.removeDuplicates();
            QCOMPARE(cited.join(QStringLiteral(" | ")), QStringLiteral("p. 2, § Volcanoes | p. 3, § Honeybees | "
                                                                      "p. 4, § Glaciers | p. 6, § Sourdough"));
        }
    }

    void noMatchGivesTheIntroduction_data()
    {
        QTest::addColumn<QString>("question");
        QTest::newRow("unknown words") << "Xylophones and zeppelins?";
        QTest::newRow("stop words only") << "What is this about?";
        QTest::newRow("empty") << "";
        QTest::newRow("punctuation") << "?!…";
    }

    void noMatchGivesTheIntroduction()
    {
        QFETCH(QString, question);
        const ExtractedDocument d = topicDocument();
        const QList<DocumentPassage> passages = relevantPassages(d, question, 150, kWordCounter, 60);
        QVERIFY(passages.size() >= 2);
        QVERIFY(passages.front().text.startsWith(QStringLiteral("# Field notes\n\nThis report collects")));
        QCOMPARE(passages.front().source.citation(), QStringLiteral("p. 1, § Field notes"));
        QVERIFY(totalTokens(passages) <= 150);
        QVERIFY(totalTokens(passages) > 150 - 60 * 2);  // filled up, passage after passage
        QVERIFY(inDocumentOrder(passages, d));
        QString joined;
        for (const DocumentPassage& p : passages) {
            QCOMPARE(p.score, 0.0);
            joined += p.text + ' ';
        }
        // Consecutive from the start.
        QVERIFY2(renderedDocument(d).startsWith(joined.simplified()), qPrintable(passagesForPrompt(passages)));
    }

    void emptyDocumentOrBudgetGivesNothing()
    {
        QVERIFY(relevantPassages(ExtractedDocument{}, QStringLiteral("anything"), 500, kWordCounter).isEmpty());
        QVERIFY(relevantPassages(topicDocument(), QStringLiteral("honeybees"), 0, kWordCounter).isEmpty());
        QVERIFY(relevantPassages(topicDocument(), QStringLiteral("honeybees"), -5, kWordCounter).isEmpty());
        QCOMPARE(passagesForPrompt({}), QString());
    }

    void hugeBlockIsSplit()
    {
        // One paragraph of 3,000 words with the only mention of a zeppelin in its middle.
        const QString block = test::proseWords(1500, 5) + QStringLiteral(" The zeppelin landed at dawn. ") +
                              test::proseWords(1500, 6);
        ExtractedDocument d;
        d.title = QStringLiteral("Wall of text");
        d.blocks << paragraph(block);
        const QList<DocumentPassage> passages = relevantPassages(d, QStringLiteral("zeppelin"), 500, kWordCounter, 100);
        QCOMPARE(passages.size(), 1);
        QVERIFY(passages.front().text.contains(QStringLiteral("The zeppelin landed at dawn.")));
        QVERIFY2(passages.front().tokens <= 150, qPrintable(QString::number(passages.front().tokens)));
        QVERIFY(block.contains(passages.front().text));
        QCOMPARE(passagesForPrompt(passages), QStringLiteral("[excerpt]\n") + passages.front().text);

        // The introduction of the same block: consecutive pieces, each a part of it.
        const QList<DocumentPassage> intro = relevantPassages(d, QStringLiteral("airships"), 300, kWordCounter, 100);
        QVERIFY(intro.size() >= 2);
        QVERIFY(block.startsWith(intro.front().text));
        for (const DocumentPassage& p : intro)
            QVERIFY(p.tokens <= 150 && block.contains(p.text));

        // Text with no sentence end, line end or space (a hash dump): cut between characters, 300 at a time,
        // but not between the halves of the emoji at 5,099–5,100.
        ExtractedDocument dump;
        dump.blocks << paragraph(QString(5099, QLatin1Char('x')) + QStringLiteral("🙂") + QString(5000, QLatin1Char('y')));
        const auto perChar = [](const QString& t) { return int(t.size()); };
        const QList<DocumentPassage> cut = relevantPassages(dump, QString(), 100000, perChar, 300);
        QString joined;
        for (const DocumentPassage& p : cut) {
            QVERIFY(p.tokens <= 300);
            joined += p.text;
        }
        QCOMPARE(joined, dump.blocks.front().text);  // nothing lost
        for (const DocumentPassage& p : cut)
            QVERIFY(!p.text.back().isHighSurrogate() && !p.text.front().isLowSurrogate());

        // A heading before it is not a passage of its own, though the first piece fills a passage: it leads
        // that piece.
        dump.blocks.prepend(heading(QStringLiteral("Dump"), 1));
        const QList<DocumentPassage> headed = relevantPassages(dump, QString(), 1000, perChar, 300);
        QVERIFY(headed.front().text.startsWith(QStringLiteral("# Dump\n\nxxx")));
    }

    void storiesTokenizerCountsThePassages()
    {
        const QString path = test::requireTestFile(QStringLiteral("models/stories260K.gguf"));
        Result<GgufFile> file = GgufFile::open(path.toStdString());
        QVERIFY2(file, file.message().c_str());
        Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*file);
        QVERIFY2(tokenizer, tokenizer.message().c_str());
        const auto count = [&](const QString& text) {
            return int(tokenizer->tokenize(text.toStdString(), false, false).size());
        };
        const ExtractedDocument d = topicDocument();
        const QList<DocumentPassage> passages =
            relevantPassages(d, QStringLiteral("How do honeybees communicate?"), 300, count, 100);
        QVERIFY(!passages.isEmpty());
        QCOMPARE(bestOf(passages).source.citation(), QStringLiteral("p. 3, § Honeybees"));
        QVERIFY(bestOf(passages).text.contains(QStringLiteral("waggle dance")));
        int sum = 0;
        for (const DocumentPassage& p : passages) {
            QCOMPARE(p.tokens, count(p.text));
            QVERIFY2(p.tokens <= 2 * 100, qPrintable(QString::number(p.tokens)));  // "about" passageTokens
            sum += p.tokens;
        }
        QVERIFY(sum <= 300);
    }

    void ranksA200kTokenDocumentInWellUnderASecond()
    {
        const QString path = test::requireTestFile(QStringLiteral("models/stories260K.gguf"));
        Result<GgufFile> file = GgufFile::open(path.toStdString());
        QVERIFY2(file, file.message().c_str());
        Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*file);
        QVERIFY2(tokenizer, tokenizer.message().c_str());
        int calls = 0;
        const auto count = [&](const QString& text) {
            ++calls;
            return int(tokenizer->tokenize(text.toStdString(), false, false).size());
        };
        // The acceptance document's size: 300 pages of five ~100-word paragraphs, a section every 10 pages,
        // one sentence about a zeppelin on page 217.
        ExtractedDocument d;
        d.title = QStringLiteral("Long report");
        d.format = DocumentFormat::Pdf;
        d.pageCount = 300;
        for (int page = 1; page <= 300; ++page) {
            const QString section = QStringLiteral("Chapter %1").arg((page - 1) / 10 + 1);
            if (page % 10 == 1)
                d.blocks << heading(section, 2, page);
            for (int p = 0; p < 5; ++p) {
                QString text = test::proseWords(100, unsigned(page * 10 + p));
                if (page == 217 && p == 3)
                    text += QStringLiteral(" A zeppelin was moored beside the old bridges.");
                d.blocks << paragraph(text, page, section);
            }
        }
        QElapsedTimer timer;
        timer.start();
        const QList<DocumentPassage> passages =
            relevantPassages(d, QStringLiteral("Where was the zeppelin moored?"), 2000, count, 200);
        const qint64 ms = timer.elapsed();
        const int rankingCalls = calls;
        QVERIFY(!passages.isEmpty());
        QCOMPARE(bestOf(passages).source.citation(), QStringLiteral("p. 217, § Chapter 22"));
        QVERIFY(totalTokens(passages) <= 2000);

        timer.restart();
        qint64 documentTokens = 0;
        for (const DocumentBlock& b : d.blocks)
            documentTokens += count(b.text);
        const qint64 countAllMs = timer.elapsed();
        qInfo("%lld tokens, %lld characters: ranked in %lld ms (%d countTokens calls); counting every block "
              "instead would take %lld ms",
              static_cast<long long>(documentTokens), static_cast<long long>(d.characterCount()),
              static_cast<long long>(ms), rankingCalls, static_cast<long long>(countAllMs));
        QVERIFY(documentTokens > 150000);
        QVERIFY2(ms < 5000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    }
};

QTEST_MAIN(TestDocumentPassages)
#include "tst_document_passages.moc"
