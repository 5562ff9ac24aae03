// Text extraction from documents the test writes itself: text in every encoding, Markdown, HTML, DOCX,
// EPUB, PDFs from QPdfWriter and by hand — checking the text, the block structure (paragraphs, headings,
// sections) and PDF page references — plus progress, cancellation, concurrent use, and the time a
// 300-page, ~200k-token text takes.
#include "document_fixtures.h"
#include "support/test_data.h"

#include "documents/document_extractor.h"
#include "vela/gguf.h"
#include "vela/tokenizer.h"

#include <QElapsedTimer>
#include <QStringEncoder>
#include <QtTest>

#include <thread>

using namespace vela::app;
using vela::test::writeBytes;

namespace {

QString scratch(const QString& name)
{
    return vela::test::scratchDir() + "/documents/" + name;
}

QStringList texts(const ExtractedDocument& d)
{
    QStringList out;
    for (const DocumentBlock& b : d.blocks)
        out << b.text;
    return out;
}

// "h1:Title" for a heading, the text for a paragraph: structure and text in one comparable list.
QStringList outline(const ExtractedDocument& d)
{
    QStringList out;
    for (const DocumentBlock& b : d.blocks)
        out << (b.isHeading() ? QStringLiteral("h%1:%2").arg(b.headingLevel).arg(b.text) : b.text);
    return out;
}

QStringList sections(const ExtractedDocument& d)
{
    QStringList out;
    for (const DocumentBlock& b : d.blocks)
        out << b.section;
    return out;
}

QList<int> pages(const ExtractedDocument& d)
{
    QList<int> out;
    for (const DocumentBlock& b : d.blocks)
        out << b.page;
    return out;
}

QByteArray utf16WithBom(const QString& text, bool bigEndian)
{
    QStringEncoder encoder(bigEndian ? QStringConverter::Utf16BE : QStringConverter::Utf16LE);
    return (bigEndian ? QByteArray("\xFE\xFF") : QByteArray("\xFF\xFE")) + QByteArray(encoder.encode(text));
}

}  // namespace

class TestDocumentExtract : public QObject {
    Q_OBJECT

private slots:
    void decodesTextEncodings_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QString text =
            QString::fromUtf8("Grüße aus Köln — “quoted” café\r\nsecond line\r\n\r\nSecond paragraph.");
        QTest::newRow("UTF-8") << text.toUtf8();
        QTest::newRow("UTF-8 with BOM") << QByteArray("\xEF\xBB\xBF") + text.toUtf8();
        QTest::newRow("UTF-16 LE with BOM") << utf16WithBom(text, false);
        QTest::newRow("UTF-16 BE with BOM") << utf16WithBom(text, true);
        // Latin-1 as written in practice, i.e. Windows-1252: 0x97 is the em dash, 0x93/0x94 the quotes.
        QTest::newRow("Latin-1") << QByteArray("Gr\xFC\xDF" "e aus K\xF6ln \x97 \x93quoted\x94 caf\xE9\r\nsecond "
                                               "line\r\n\r\nSecond paragraph.");
        QTest::newRow("old Mac newlines") << text.toUtf8().replace("\r\n", "\r");
    }

    void decodesTextEncodings()
    {
        QFETCH(QByteArray, bytes);
        const QString path = scratch(QStringLiteral("encoding.txt"));
        QVERIFY(writeBytes(path, bytes));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->format, DocumentFormat::PlainText);
        QCOMPARE(texts(*doc), QStringList({QString::fromUtf8("Grüße aus Köln — “quoted” café\nsecond line"),
                                           QStringLiteral("Second paragraph.")}));
        QCOMPARE(doc->title, QStringLiteral("encoding"));
        QCOMPARE(pages(*doc), QList<int>({0, 0}));
    }

    void keepsUtf8WithAFewDamagedBytes()
    {
        // One stray byte in a UTF-8 text must not turn every "ü" into "Ã¼" through the Latin-1 fallback.
        const QString path = scratch(QStringLiteral("damaged-utf8.txt"));
        QVERIFY(writeBytes(path, QString::fromUtf8("Grüße, Köln, café, naïve ").toUtf8() + "\xFF" + " end"));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->plainText(), QString::fromUtf8("Grüße, Köln, café, naïve \uFFFD end"));
    }

    void markdownHeadingsAreSections()
    {
        const QString path = scratch(QStringLiteral("notes.md"));
        QVERIFY(writeBytes(path, "# Field notes #\n"
                                 "Intro line one\nline two\n\n"
                                 "Methods\n=======\n"
                                 "We counted *birds*.\n\n"
                                 "```python\n# not a heading\nprint(1)\n```\n"
                                 "## Results ##\n"
                                 "- ten robins\n- two owls\n\n"
                                 "***\n"
                                 "Closing words\n---\n"
                                 "#hashtag is text\n"));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->format, DocumentFormat::Markdown);
        QCOMPARE(doc->title, QStringLiteral("Field notes"));
        QCOMPARE(outline(*doc), QStringList({"h1:Field notes", "Intro line one\nline two", "h1:Methods",
                                             "We counted *birds*.", "```python\n# not a heading\nprint(1)\n```",
                                             "h2:Results", "- ten robins\n- two owls", "h2:Closing words",
                                             "#hashtag is text"}));
        QCOMPARE(sections(*doc), QStringList({"Field notes", "Field notes", "Methods", "Methods", "Methods", "Results",
                                              "Results", "Closing words", "Closing words"}));
    }

    void htmlBodyWithoutScriptsOrStyles()
    {
        const QString path = scratch(QStringLiteral("page.html"));
        QVERIFY(writeBytes(path, R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Report &amp; Notes</title>
<style>body { color: red } p::before { content: "STYLE-TEXT" }</style>
<script>var s = "<p>SCRIPT-TEXT</p>"; if (a < b) document.write("</div>");</script>
</head>
<body>
<!-- COMMENT-TEXT -->
<h1>Main   heading</h1>
<p>First &amp; second,
   <b>bold</b> and <a href="x">a link</a><br>line two</p>
<div>Block one<div>Block two</div></div>
<noscript>NOSCRIPT-TEXT</noscript>
<ul><li>apple</li><li>pear</li></ul>
<table><tr><th>name</th><td>value</td></tr></table>
<h2>Sub <em>part</em></h2>
<p>caf&eacute; &mdash; &#8364;5 &#x263A; &unknown; 3 &lt; 4</p>
<pre>  code
    indented</pre>
<svg><text>SVG-TEXT</text></svg>
<script type="module">console.log("SCRIPT-TWO")</script>
<SCRIPT>UPPER-SCRIPT</SCRIPT>
</body></html>)"));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->format, DocumentFormat::Html);
        QCOMPARE(doc->title, QStringLiteral("Report & Notes"));
        QCOMPARE(outline(*doc), QStringList({"h1:Main heading", "First & second, bold and a link\nline two",
                                             "Block one", "Block two", "apple", "pear", "name | value",
                                             "h2:Sub part", QString::fromUtf8("café — €5 ☺ &unknown; 3 < 4"),
                                             "code\n    indented"}));
        QCOMPARE(sections(*doc).first(), QStringLiteral("Main heading"));
        QCOMPARE(sections(*doc).last(), QStringLiteral("Sub part"));
        const QString all = doc->plainText();
        for (const char* hidden : {"STYLE", "SCRIPT", "COMMENT", "NOSCRIPT", "SVG", "color", "console"})
            QVERIFY2(!all.contains(QLatin1String(hidden)), hidden);
    }

    void docxParagraphsAndHeadings()
    {
        const QString path = scratch(QStringLiteral("report.docx"));
        QVERIFY(vela::test::writeZip(path, vela::test::sampleDocx()));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->format, DocumentFormat::Docx);
        QCOMPARE(doc->title, QStringLiteral("Annual Report"));
        QCOMPARE(outline(*doc), QStringList({"h1:Overview", "Sales rose by 9 percent.", "Second\tcolumn\nnew line",
                                             "h2:Details", "Cell A", "Cell B", "Text box text", "Kept text.",
                                             "h1:Appendix", "h1:Custom heading style based on heading 1"}));
        QCOMPARE(sections(*doc), QStringList({"Overview", "Overview", "Overview", "Details", "Details", "Details",
                                              "Details", "Details", "Appendix",
                                              "Custom heading style based on heading 1"}));
    }

    void epubChaptersInSpineOrder()
    {
        const QString path = scratch(QStringLiteral("book.epub"));
        QVERIFY(vela::test::writeZip(path, vela::test::sampleEpub(false)));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->format, DocumentFormat::Epub);
        QCOMPARE(doc->title, QStringLiteral("A Small Book"));
        QCOMPARE(outline(*doc), QStringList({"h1:Chapter One", "It was a quiet morning.", "h1:Chapter Two",
                                             "The storm came\nat noon."}));
    }

    void pdfPagesFromQPdfWriter()
    {
        const QString path = scratch(QStringLiteral("three-pages.pdf"));
        const QList<QStringList> content = {
            {"Alpha page opens the report.", "Alpha second paragraph follows after a gap."},
            {"Bravo page has the middle part.", "Bravo closing words."},
            {"Charlie page ends it."}};
        QVERIFY(vela::test::writeQtPdf(path, content, QStringLiteral("Three Page Report")));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->format, DocumentFormat::Pdf);
        QCOMPARE(doc->title, QStringLiteral("Three Page Report"));
        QCOMPARE(doc->pageCount, 3);
        QVERIFY(doc->pagesWithoutText.isEmpty());
        QCOMPARE(texts(*doc), QStringList({"Alpha page opens the report.",
                                           "Alpha second paragraph follows after a gap.",
                                           "Bravo page has the middle part.", "Bravo closing words.",
                                           "Charlie page ends it."}));
        QCOMPARE(pages(*doc), QList<int>({1, 1, 2, 2, 3}));
    }

    void pdfBookmarksNameSections()
    {
        const QString path = scratch(QStringLiteral("bookmarks.pdf"));
        // "Introduction" points at the third line of page one (baseline 692, so its top ~701): the title
        // above it is in no section yet.
        QVERIFY(writeBytes(path, vela::test::textPdf({{{"Paper title line.", "", "Intro text on page one."}},
                                                      {{"More intro on page two."}},
                                                      {}, // a picture-only page: no text layer
                                                      {{"Results on page four.", "Second line of results."}}},
                                                     {{"Introduction", 1, 704}, {"Results", 4}})));
        const auto doc = extractDocument(path);
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->pageCount, 4);
        QCOMPARE(doc->pagesWithoutText, QList<int>({3}));
        QCOMPARE(doc->title, QStringLiteral("bookmarks"));  // no Info dictionary: the file name
        QCOMPARE(texts(*doc), QStringList({"Paper title line.", "Intro text on page one.", "More intro on page two.",
                                           "Results on page four.\nSecond line of results."}));
        QCOMPARE(pages(*doc), QList<int>({1, 1, 2, 4}));
        QCOMPARE(sections(*doc), QStringList({"", "Introduction", "Introduction", "Results"}));
    }

    void reportsProgressAndCancels_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("text") << QStringLiteral("progress.txt");
        QTest::newRow("pdf") << QStringLiteral("progress.pdf");
    }

    void reportsProgressAndCancels()
    {
        QFETCH(QString, name);
        const QString path = scratch(name);
        if (name.endsWith(".pdf")) {
            QList<vela::test::PdfPageText> manyPages(40, {{"Some text on this page."}});
            QVERIFY(writeBytes(path, vela::test::textPdf(manyPages)));
        } else {
            // 12 MB of text: three 4 MiB reads.
            QVERIFY(writeBytes(path, vela::test::proseWords(2'000'000, 1).toUtf8()));
        }
        QList<double> reported;
        ExtractOptions options;
        options.progress = [&](double f) { reported << f; };
        const auto doc = extractDocument(path, options);
        QVERIFY2(doc, doc.message().c_str());
        QVERIFY2(reported.size() >= 4, qPrintable(QString::number(reported.size())));
        QCOMPARE(reported.first(), 0.0);
        QCOMPARE(reported.last(), 1.0);
        QVERIFY(std::is_sorted(reported.begin(), reported.end()));

        std::atomic<bool> cancel{false};
        int calls = 0;
        options.cancel = &cancel;
        options.progress = [&](double f) {
            ++calls;
            if (f > 0.0)
                cancel = true;  // as the Stop button would, from the UI thread
        };
        const auto cancelled = extractDocument(path, options);
        QVERIFY(!cancelled);
        QCOMPARE(QString::fromStdString(cancelled.message()), QString::fromLatin1(kExtractionCancelled));
        QVERIFY2(calls < reported.size(), "cancellation stopped the work early");
    }

    void extractsOnSeveralThreadsAtOnce()
    {
        // The contract says calls share no state: Poppler, libzip and the readers, four threads at once.
        const QString pdf = scratch(QStringLiteral("threads.pdf"));
        const QString docx = scratch(QStringLiteral("threads.docx"));
        const QList<vela::test::PdfPageText> samePage(30, {{"Same line on every page."}});
        QVERIFY(writeBytes(pdf, vela::test::textPdf(samePage)));
        QVERIFY(vela::test::writeZip(docx, vela::test::sampleDocx()));
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 5; ++i) {
                    const auto doc = extractDocument(t % 2 ? docx : pdf);
                    const qsizetype expected = t % 2 ? 10 : 30;
                    if (!doc || doc->blocks.size() != expected)
                        ++failures;
                }
            });
        }
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
    }

    void longPdfPagesStayInOrder()
    {
        // The same 300 pages as a PDF: what a real report costs to extract, page references intact.
        constexpr int kPages = 300;
        QList<QStringList> content;
        for (int page = 1; page <= kPages; ++page) {
            QStringList paragraphs{QStringLiteral("Page %1").arg(page)};
            for (int p = 0; p < 5; ++p)
                paragraphs << vela::test::proseWords(90, unsigned(page * 10 + p));
            content << paragraphs;
        }
        const QString path = scratch(QStringLiteral("long.pdf"));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(vela::test::writeQtPdf(path, content, QStringLiteral("Long report"), 9));
        const qint64 writeMs = timer.restart();
        const auto doc = extractDocument(path);
        const qint64 ms = timer.elapsed();
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->pageCount, kPages);
        QVERIFY(doc->pagesWithoutText.isEmpty());
        QCOMPARE(doc->blocks.size(), kPages * 6);
        for (int page = 1; page <= kPages; ++page) {
            const DocumentBlock& first = doc->blocks[(page - 1) * 6];
            QCOMPARE(first.text, QStringLiteral("Page %1").arg(page));
            QCOMPARE(first.page, page);
            QCOMPARE(doc->blocks[(page - 1) * 6 + 5].page, page);
        }
        qInfo("%d PDF pages, %lld characters: written in %lld ms, extracted in %lld ms", kPages,
              static_cast<long long>(doc->characterCount()), static_cast<long long>(writeMs),
              static_cast<long long>(ms));
        QVERIFY2(ms < 20000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    }

    void longTextIsExtractedQuickly()
    {
        // 300 pages of ~500 words: about 200k tokens for a Llama-style tokenizer — the size the planner's
        // map-reduce has to handle. The time printed here is what the planner can budget for extraction.
        constexpr int kPages = 300;
        QString text;
        for (int page = 1; page <= kPages; ++page) {
            text += QStringLiteral("## Page %1\n\n").arg(page);
            for (int p = 0; p < 5; ++p)
                text += vela::test::proseWords(100, unsigned(page * 10 + p)) + "\n\n";
        }
        const QString path = scratch(QStringLiteral("long.md"));
        QVERIFY(writeBytes(path, text.toUtf8()));

        QElapsedTimer timer;
        timer.start();
        const auto doc = extractDocument(path);
        const qint64 ms = timer.elapsed();
        QVERIFY2(doc, doc.message().c_str());
        QCOMPARE(doc->blocks.size(), kPages * 6);
        QCOMPARE(doc->blocks.last().section, QStringLiteral("Page 300"));

        VELA_REQUIRE_FILE(vocab, "models/vocab/ggml-vocab-llama-spm.gguf");
        const auto gguf = vela::GgufFile::open(vocab.toStdString());
        QVERIFY2(gguf, gguf.message().c_str());
        const auto tokenizer = vela::Tokenizer::fromGguf(*gguf);
        QVERIFY2(tokenizer, tokenizer.message().c_str());
        const size_t tokens = tokenizer->tokenize(doc->plainText().toStdString(), false, false).size();
        qInfo("%d pages, %lld characters, %zu Llama-2 tokens: extracted in %lld ms", kPages,
              static_cast<long long>(doc->characterCount()), tokens, static_cast<long long>(ms));
        QVERIFY2(tokens > 180'000 && tokens < 260'000, qPrintable(QString::number(tokens)));
        QVERIFY2(ms < 3000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    }
};

QTEST_MAIN(TestDocumentExtract)
#include "tst_document_extract.moc"
