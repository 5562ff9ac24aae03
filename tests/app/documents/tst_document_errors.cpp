// Documents Vela cannot read, each refused with its own message a user can act on: encrypted, scanned,
// damaged and 0-page PDFs, binary data named .txt, empty files, files over 200 MB (refused before a byte is
// read), Word files that are not zips or are damaged, DRM-protected EPUBs, unknown and missing files.
#include "document_fixtures.h"
#include "support/test_data.h"

#include "documents/document_extractor.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QtTest>
#include <poppler-qt6.h>

using namespace vela::app;
using vela::test::writeBytes;

namespace {

QString scratch(const QString& name)
{
    return vela::test::scratchDir() + "/bad-documents/" + name;
}

QString failureOf(const QString& path)
{
    const auto doc = extractDocument(path);
    return doc ? QStringLiteral("(extracted %1 blocks)").arg(doc->blocks.size()) : QString::fromStdString(doc.message());
}

QByteArray randomBytes(qsizetype size, bool withNul)
{
    QRandomGenerator random(42);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char& b : bytes) {
        b = char(random.bounded(256));
        if (!withNul && b == 0)
            b = 1;
    }
    return bytes;
}

// A docx's entries with word/document.xml replaced (or dropped when `document` is null).
vela::test::ZipEntries docxWithDocument(const QByteArray& document)
{
    vela::test::ZipEntries entries;
    for (const auto& entry : vela::test::sampleDocx())
        if (entry.first != "word/document.xml")
            entries << entry;
    if (!document.isNull())
        entries << qMakePair(QStringLiteral("word/document.xml"), document);
    return entries;
}

const QString kEncryptedMessage = QStringLiteral(
    "locked.pdf is encrypted: it needs a password to open, and Vela cannot open password-protected PDFs yet. "
    "Save a copy without the password (for example by printing it to PDF) and try that.");

}  // namespace

class TestDocumentErrors : public QObject {
    Q_OBJECT

private slots:
    void refusesWithAMessage_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QString notText = QStringLiteral(" does not look like text: it holds binary data. Vela reads plain "
                                               "text, Markdown, PDF, HTML, Word (.docx) and EPUB documents.");
        QTest::newRow("binary renamed .txt") << "photo.txt" << randomBytes(65536, true) << "photo.txt" + notText;
        QTest::newRow("binary without NUL bytes") << "data.txt" << randomBytes(65536, false) << "data.txt" + notText;
        QTest::newRow("binary renamed .md") << "archive.md" << vela::test::zeroPagePdf() + QByteArray(16, '\0')
                                            << "archive.md" + notText;
        QTest::newRow("empty .txt") << "empty.txt" << QByteArray()
                                    << "empty.txt is empty: the document has no text.";
        QTest::newRow("empty .pdf") << "empty.pdf" << QByteArray()
                                    << "empty.pdf is empty: the document has no text.";
        QTest::newRow("only whitespace") << "blank.txt" << QByteArray(" \r\n\t\r\n   \n")
                                         << "blank.txt has no text: the document is empty.";
        QTest::newRow("HTML with only a script")
            << "app.html" << QByteArray("<html><body><script>document.write('hi')</script></body></html>")
            << "app.html has no text: the document is empty.";
        QTest::newRow("0-page PDF") << "nothing.pdf" << vela::test::zeroPagePdf()
                                    << "nothing.pdf has no pages: there is nothing to read.";
        QTest::newRow("damaged PDF") << "broken.pdf" << QByteArray("%PDF-1.4\nthis is not a PDF after all\n")
                                     << "broken.pdf is not a readable PDF: the file is damaged or is not a PDF.";
        QTest::newRow("encrypted PDF") << "locked.pdf"
                                       << vela::test::encryptedTextPdf({{{"Secret page text."}}}, "secret")
                                       << kEncryptedMessage;
        QTest::newRow("old .doc renamed .docx")
            << "old.docx" << QByteArray("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") + randomBytes(4096, true)
            << "old.docx is not a zip archive, so it is not a Word document (.docx). An older .doc file must be "
               "saved as .docx first.";
        QTest::newRow("unknown extension") << "letter.rtf" << QByteArray("{\\rtf1 Hello}")
                                           << "letter.rtf is not a kind of document Vela reads: it reads .txt, .md, "
                                              ".pdf, .html, .docx and .epub files.";
    }

    void refusesWithAMessage()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = scratch(fileName);
        QVERIFY(writeBytes(path, bytes));
        QCOMPARE(failureOf(path), message);
    }

    void encryptedPdfFixtureIsRealEncryption()
    {
        // The message above must come from real encryption, not from a file Poppler could not parse: with
        // the password the same file opens and shows its text.
        const QString path = scratch(QStringLiteral("locked.pdf"));
        QVERIFY(writeBytes(path, vela::test::encryptedTextPdf({{{"Secret page text."}}}, "secret")));
        const std::unique_ptr<Poppler::Document> locked = Poppler::Document::load(path);
        QVERIFY(locked);
        QVERIFY(locked->isLocked());
        const std::unique_ptr<Poppler::Document> opened = Poppler::Document::load(path, {}, "secret");
        QVERIFY(opened);
        QVERIFY(!opened->isLocked());
        QVERIFY(opened->isEncrypted());
        QCOMPARE(opened->page(0)->text(QRectF()).trimmed(), QStringLiteral("Secret page text."));
        QCOMPARE(failureOf(path), kEncryptedMessage);
    }

    void scannedPdfHasNoTextLayer()
    {
        const QString path = scratch(QStringLiteral("scan.pdf"));
        QVERIFY(vela::test::writeScannedPdf(path, 2));
        QCOMPARE(failureOf(path), QStringLiteral("scan.pdf has no text layer on any of its 2 pages: it looks scanned "
                                                 "(pages of pictures). Vela has no OCR yet, so it cannot read scanned "
                                                 "PDFs."));
    }

    void refusesFilesOver200MBWithoutReadingThem()
    {
        // A sparse file: 300 MB long, nothing written.
        const QString path = scratch(QStringLiteral("huge.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(300ll * 1024 * 1024));
        file.close();
        int progressCalls = 0;
        ExtractOptions options;
        options.progress = [&](double) { ++progressCalls; };
        QElapsedTimer timer;
        timer.start();
        const auto doc = extractDocument(path, options);
        QVERIFY(!doc);
        QCOMPARE(QString::fromStdString(doc.message()),
                 QStringLiteral("huge.txt is 300 MB; Vela reads documents up to 200 MB."));
        QCOMPARE(progressCalls, 0);
        QVERIFY(timer.elapsed() < 1000);
        QFile::remove(path);
    }

    void damagedWordDocuments_data()
    {
        QTest::addColumn<QByteArray>("document");  // word/document.xml; null: missing
        QTest::addColumn<QString>("message");
        QTest::newRow("malformed XML") << QByteArray("<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
                                                     "wordprocessingml/2006/main\"><w:body><w:p><w:t>cut")
                                       << "bad.docx is damaged: word/document.xml is not valid XML: Premature end of "
                                          "document. (line 1)";
        QTest::newRow("no document part") << QByteArray()
                                          << "bad.docx is not a readable Word document: word/document.xml in the "
                                             "archive is missing";
    }

    void damagedWordDocuments()
    {
        QFETCH(QByteArray, document);
        QFETCH(QString, message);
        const QString path = scratch(QStringLiteral("bad.docx"));
        QVERIFY(vela::test::writeZip(path, docxWithDocument(document)));
        QCOMPARE(failureOf(path), message);
    }

    void truncatedZipIsNotADocument()
    {
        const QString whole = scratch(QStringLiteral("whole.docx"));
        QVERIFY(vela::test::writeZip(whole, vela::test::sampleDocx()));
        QFile file(whole);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString cut = scratch(QStringLiteral("cut.docx"));
        QVERIFY(writeBytes(cut, file.read(file.size() / 2)));
        QVERIFY(failureOf(cut).startsWith(QStringLiteral("cut.docx is not a zip archive")));
    }

    void drmProtectedEpub()
    {
        const QString path = scratch(QStringLiteral("drm.epub"));
        QVERIFY(vela::test::writeZip(path, vela::test::sampleEpub(true)));
        QCOMPARE(failureOf(path), QStringLiteral("drm.epub is protected by DRM (its text is encrypted); Vela reads "
                                                 "EPUB books without DRM only."));
    }

    void missingFileAndFolder()
    {
        QCOMPARE(failureOf(scratch(QStringLiteral("gone.pdf"))),
                 QStringLiteral("gone.pdf was not found: it may have been moved or deleted."));
        QVERIFY(QDir().mkpath(scratch(QStringLiteral("folder.txt"))));
        QCOMPARE(failureOf(scratch(QStringLiteral("folder.txt"))),
                 QStringLiteral("folder.txt is a folder, not a document."));
    }
};

QTEST_MAIN(TestDocumentErrors)
#include "tst_document_errors.moc"
