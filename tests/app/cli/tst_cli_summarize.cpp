// vela-cli summarize as a user runs it (DESIGN.md §3), with stories260K: a PDF summarized through map-reduce
// with the plan and one line per pass on stderr and the summary on stdout; --ctx capped at the trained
// context; bad documents refused with the extractor's own message; and the acceptance document (300 pages,
// ~200k tokens) planned and then stopped with SIGINT after its first chunk — partial summary printed, exit
// code 130, and the same device memory and about the same peak RSS as the small document: memory does not
// grow with the document. (The full 200k-token run takes many minutes on lavapipe; it is run by hand.)
#include "../documents/document_fixtures.h"
#include "support/cli_runner.h"
#include "support/test_data.h"

#include "documents/document_extractor.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <csignal>

using namespace vela;

namespace {

constexpr int kExitCancelled = 130;

QString scratch(const QString& name)
{
    return test::scratchDir() + "/summarize/" + name;
}

QStringList summarizeArgs(const QString& model, const QString& document, const QStringList& extra = {})
{
    return QStringList{"summarize", "-m", model, "--file", document} + extra;
}

// "… (123 bytes) …" after `label`: the exact figure the CLI prints beside the rounded one.
qint64 bytesAfter(const QString& text, const QString& label)
{
    const QRegularExpression re(QRegularExpression::escape(label) + QStringLiteral(" [^(]*\\((\\d+) bytes"));
    const QRegularExpressionMatch m = re.match(text);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

// The acceptance document: 300 pages of five paragraphs under "## Page N" headings, ~200k stories260K tokens.
QString longMarkdown()
{
    QString text;
    for (int page = 1; page <= 300; ++page) {
        text += QStringLiteral("## Page %1\n\n").arg(page);
        for (int p = 0; p < 5; ++p)
            text += test::proseWords(31, unsigned(page * 10 + p)) + "\n\n";
    }
    return text;
}

}  // namespace

class TestCliSummarize : public QObject {
    Q_OBJECT

private:
    QString m_model;
    qint64 m_smallPeakRss = -1;
    qint64 m_smallDeviceBytes = -1;

    test::CliRun runCli(const QStringList& args) { return test::runProgram(QStringLiteral(VELA_CLI_PATH), args, 55000); }

private slots:
    void initTestCase()
    {
        VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
        m_model = model;
        QVERIFY(QDir().mkpath(scratch(QString())));
    }

    void summarizesAPdfWithAProgressTrace()
    {
        QList<QStringList> pages;
        for (int page = 1; page <= 4; ++page)
            pages << QStringList{test::proseWords(25, page * 3), test::proseWords(25, page * 3 + 1), test::proseWords(25, page * 3 + 2)};
        const QString pdf = scratch(QStringLiteral("report.pdf"));
        QVERIFY(test::writeQtPdf(pdf, pages, QStringLiteral("Harbour report")));
        const test::CliRun run = runCli(summarizeArgs(m_model, pdf, {"--ctx", "512", "--length", "short"}));
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(run.exitCode == 0, qPrintable(err));
        QVERIFY(!run.out.trimmed().isEmpty());
        QVERIFY2(err.contains(QStringLiteral("plan:\n  \"Harbour report\": ")), qPrintable(err));
        QVERIFY(err.contains(QStringLiteral(", 4 pages; context 512 tokens")));
        const QRegularExpressionMatch plan = QRegularExpression(QStringLiteral("map-reduce: (\\d+) chunks .* \\((\\d+) passes\\)")).match(err);
        QVERIFY2(plan.hasMatch(), qPrintable(err));
        const int chunks = plan.captured(1).toInt();
        const int passes = plan.captured(2).toInt();
        QVERIFY(chunks >= 3);
        QVERIFY(err.contains(QStringLiteral("estimated time: about ")));
        // One line per chunk, in order, citing its pages, with tokens and seconds; then the combining passes.
        const QRegularExpression chunkLine(QStringLiteral("^chunk (\\d+)/%1  (pp?\\. [0-9–]+)  (\\d+) tokens \\((\\d+) cached\\) -> (\\d+) tokens.*  ([0-9.]+) s  \\[(\\d+)/%2")
                                               .arg(chunks).arg(passes),
                                           QRegularExpression::MultilineOption);
        int expected = 1;
        for (auto it = chunkLine.globalMatch(err); it.hasNext(); ++expected) {
            const QRegularExpressionMatch m = it.next();
            QCOMPARE(m.captured(1).toInt(), expected);
            QCOMPARE(m.captured(7).toInt(), expected);
            QVERIFY(m.captured(3).toInt() > 0 && m.captured(5).toInt() > 0);
        }
        QCOMPARE(expected - 1, chunks);
        QVERIFY(err.contains(QStringLiteral("chunk 1/%1  p. 1  ").arg(chunks)));
        // The last pass combines everything: it covers all four pages.
        const QRegularExpression last(QStringLiteral("\ncombine %1/%1 \\(level \\d+\\)  pp\\. 1–4  ").arg(passes - chunks));
        QVERIFY2(last.match(err).hasMatch(), qPrintable(err));
        QVERIFY(err.contains(QStringLiteral("%1 of %1 passes in ").arg(passes)));
        m_smallPeakRss = bytesAfter(err, QStringLiteral("peak RSS"));
        m_smallDeviceBytes = bytesAfter(err, QStringLiteral("device memory"));
        QVERIFY2(m_smallPeakRss > 0 && m_smallDeviceBytes > 0, qPrintable(err));
    }

    void capsTheContextAtTheTrainedOne()
    {
        const QString doc = scratch(QStringLiteral("note.txt"));
        QVERIFY(test::writeBytes(doc, test::proseWords(40, 5).toUtf8()));
        const test::CliRun run = runCli(summarizeArgs(m_model, doc, {"--ctx", "100000", "--length", "short"}));
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(run.exitCode == 0, qPrintable(err));
        QVERIFY(err.contains(QStringLiteral("the model was trained for 2048 tokens of context; using 2048 instead of 100000")));
        QVERIFY(err.contains(QStringLiteral("context 2048 tokens")));
        QVERIFY(err.contains(QStringLiteral("one pass: the whole document fits")));
        QVERIFY(err.contains(QStringLiteral("chunk 1/1  ")));
        QVERIFY(!run.out.trimmed().isEmpty());
    }

    void refusesBadDocuments_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("content");
        QByteArray binary(4096, '\0');
        for (int i = 0; i < binary.size(); ++i)
            binary[i] = char((i * 131) % 256);
        QTest::newRow("empty") << scratch(QStringLiteral("empty.txt")) << QByteArray();
        QTest::newRow("binary named .txt") << scratch(QStringLiteral("photo.txt")) << binary;
        QTest::newRow("not a PDF") << scratch(QStringLiteral("fake.pdf")) << QByteArray("hello, not a PDF");
        QTest::newRow("unsupported") << scratch(QStringLiteral("data.xyz")) << QByteArray("text");
        QTest::newRow("missing") << scratch(QStringLiteral("nothing-here.txt")) << QByteArray("(none)");
    }

    void refusesBadDocuments()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, content);
        if (content != "(none)")
            QVERIFY(test::writeBytes(path, content));
        const auto expected = app::extractDocument(path);
        QVERIFY(!expected);
        const test::CliRun run = runCli(summarizeArgs(m_model, path));
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(QString::fromUtf8(run.err), QStringLiteral("vela-cli: %1\n").arg(QString::fromStdString(expected.message())));
        QVERIFY(run.out.isEmpty());
    }

    void refusesBadOptions()
    {
        const test::CliRun run = runCli(summarizeArgs(m_model, scratch(QStringLiteral("note.txt")), {"--length", "epic"}));
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains("--length takes short, medium or detailed, not 'epic'"));
        const test::CliRun none = runCli({"summarize", "-m", m_model});
        QCOMPARE(none.exitCode, 1);
        QVERIFY(none.err.contains("no document given (use --file DOC)"));
    }

    void stopsCleanlyOnSigintWithMemoryBounded()
    {
        QVERIFY2(m_smallPeakRss > 0, "needs summarizesAPdfWithAProgressTrace's figures");
        const QString doc = scratch(QStringLiteral("long.md"));
        QVERIFY(test::writeBytes(doc, longMarkdown().toUtf8()));
        QProcess process;
        process.start(QStringLiteral(VELA_CLI_PATH), summarizeArgs(m_model, doc, {"--ctx", "512", "--length", "short"}));
        QVERIFY(process.waitForStarted(10000));
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        while (!err.contains("\nchunk 1/") && timer.elapsed() < 45000 && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            err += process.readAllStandardError();
        }
        QVERIFY2(err.contains("\nchunk 1/"), err.constData());
        QCOMPARE(::kill(static_cast<pid_t>(process.processId()), SIGINT), 0);
        QVERIFY(process.waitForFinished(20000));
        err += process.readAllStandardError();
        const QString text = QString::fromUtf8(err);
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), kExitCancelled);
        // The plan was the acceptance document's: ~200k tokens, map-reduce.
        const QRegularExpressionMatch size = QRegularExpression(QStringLiteral("\": (\\d+) tokens in 1800 blocks")).match(text);
        QVERIFY2(size.hasMatch(), qPrintable(text));
        const int tokens = size.captured(1).toInt();
        QVERIFY2(tokens > 180000 && tokens < 260000, qPrintable(size.captured(1)));
        QVERIFY(text.contains(QStringLiteral("vela-cli: cancelled; the ")));
        QVERIFY(QRegularExpression(QStringLiteral("\\n[12] of \\d+ passes in ")).match(text).hasMatch());
        QVERIFY2(out.startsWith(QStringLiteral("[§ Page 1")), qPrintable(out));  // the finished partial summary
        // Bounded: the same device memory as a 4-page document at the same context, and the host's peak only
        // the document's text and tokens larger.
        QCOMPARE(bytesAfter(text, QStringLiteral("device memory")), m_smallDeviceBytes);
        const qint64 peak = bytesAfter(text, QStringLiteral("peak RSS"));
        qInfo("peak RSS: %lld bytes for ~200k tokens, %lld for 4 pages", static_cast<long long>(peak),
              static_cast<long long>(m_smallPeakRss));
        QVERIFY2(peak > 0 && peak < m_smallPeakRss + 48ll * 1024 * 1024, qPrintable(text));
    }
};

QTEST_MAIN(TestCliSummarize)
#include "tst_cli_summarize.moc"
