// `vela-cli convert --paligemma HF_FOLDER --out-dir DIR` as a user runs it (DESIGN.md §3): the pair of files,
// their paths on stdout, a model the other commands accept — generate and logits with the converted pair give
// the numpy reference's greedy text and logits for every image and prompt of reference/vision/paligemma;
// usage errors exit 2, folders it cannot convert exit 1 with the reason on stderr.
#include "support/cli_runner.h"
#include "support/test_data.h"

#include "vela/gguf.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace vela;

namespace {

using test::CliRun;

CliRun runCli(const QStringList& args)
{
    return test::runProgram(QStringLiteral(VELA_CLI_PATH), args);
}

}  // namespace

class TestCliConvert : public QObject {
    Q_OBJECT

private slots:
    void writesThePair()
    {
        VELA_REQUIRE_FILE(input, "models/vision/paligemma-hf-tiny");
        const QString out = test::scratchDir() + "/converted";
        const CliRun run = runCli({"convert", "--paligemma", input, "--out-dir", out, "--name", "tiny"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, (out + "/tiny.gguf\n" + out + "/tiny-mmproj.gguf\n").toUtf8());
        QVERIFY2(run.err.contains("wrote " + (out + "/tiny.gguf (20 tensors").toUtf8()), run.err.constData());
        QVERIFY2(run.err.contains("tiny-mmproj.gguf (39 tensors"), run.err.constData());

        Result<GgufFile> mmproj = GgufFile::open((out + "/tiny-mmproj.gguf").toStdString());
        QVERIFY2(mmproj.isOk(), mmproj.message().c_str());
        QCOMPARE(*mmproj->getString("clip.projector_type"), std::string_view("paligemma"));
        const CliRun info = runCli({"info", "-m", out + "/tiny.gguf"});
        QVERIFY2(info.exitCode == 0, info.err.constData());
        QVERIFY2(info.out.contains("gemma"), info.out.constData());
        const CliRun tokens = runCli({"tokenize", "-m", out + "/tiny.gguf", "caption en\n"});
        QVERIFY2(tokens.exitCode == 0, tokens.err.constData());
        QCOMPARE(tokens.out.trimmed(), QByteArray("[2, 724, 335, 14]"));  // the reference's ids for the prompt
    }

    // Without --name the files take the input folder's name; f16 is accepted in any case.
    void answersLikeTheReference_data()
    {
        QTest::addColumn<QJsonObject>("run");
        VELA_REQUIRE_FILE(index, "reference/vision/paligemma/index.json");
        QFile f(index);
        QVERIFY(f.open(QIODevice::ReadOnly));
        for (const QJsonValue& v : QJsonDocument::fromJson(f.readAll()).object().value("runs").toArray()) {
            const QJsonObject r = v.toObject();
            QTest::newRow(qPrintable(r.value("image").toString() + " / " + r.value("prompt").toString())) << r;
        }
    }

    // Issue 6's acceptance from the converted files: the greedy continuation (16 tokens) and the prompt's logits.
    void answersLikeTheReference()
    {
        QFETCH(QJsonObject, run);
        VELA_REQUIRE_FILE(input, "models/vision/paligemma-hf-tiny");
        VELA_REQUIRE_FILE(image, "images/" + run.value("image").toString());
        VELA_REQUIRE_FILE(golden, "reference/vision/paligemma/" + run.value("logits").toString());
        const QString out = test::scratchDir() + "/answers";
        if (!QFile::exists(out + "/tiny-mmproj.gguf")) {
            const CliRun convert = runCli({"convert", "--paligemma", input, "--out-dir", out, "--name", "tiny"});
            QVERIFY2(convert.exitCode == 0, convert.err.constData());
        }
        const QStringList pair{"-m", out + "/tiny.gguf", "--mmproj", out + "/tiny-mmproj.gguf", "--image", image,
                               "-p", run.value("prompt").toString()};
        const CliRun text = runCli(QStringList{"generate"} << pair << "-n" << "16" << "--temp" << "0" << "--ignore-eos");
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QCOMPARE(QString::fromUtf8(text.out), run.value("greedy_text").toString());

        const QString logitsPath = out + "/logits.f32";
        const CliRun logits = runCli(QStringList{"logits"} << pair << "--out" << logitsPath);
        QVERIFY2(logits.exitCode == 0, logits.err.constData());
        QFile ours(logitsPath), theirs(golden);
        QVERIFY(ours.open(QIODevice::ReadOnly) && theirs.open(QIODevice::ReadOnly));
        const QByteArray a = ours.readAll(), b = theirs.readAll();
        QCOMPARE(a.size(), qsizetype(2153 * 4));
        QCOMPARE(a.size(), b.size());
        double maxAbs = 0;
        for (qsizetype i = 0; i < a.size(); i += 4) {
            float x = 0, y = 0;
            std::memcpy(&x, a.constData() + i, 4);
            std::memcpy(&y, b.constData() + i, 4);
            maxAbs = std::max(maxAbs, double(std::fabs(x - y)));
        }
        QVERIFY2(maxAbs <= 2e-2, qPrintable(QStringLiteral("max |Δ| %1 against the golden logits").arg(maxAbs)));
    }

    void namesTheFilesAfterTheFolder()
    {
        VELA_REQUIRE_FILE(input, "models/vision/paligemma-hf-tiny");
        const QString out = test::scratchDir() + "/by-folder";
        const CliRun run = runCli({"convert", "--paligemma", input + "/", "--out-dir", out, "--type", "F16"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QDir(out).entryList({"*.gguf"}, QDir::Files, QDir::Name),
                 (QStringList{"paligemma-hf-tiny-mmproj.gguf", "paligemma-hf-tiny.gguf"}));
        Result<GgufFile> text = GgufFile::open((out + "/paligemma-hf-tiny.gguf").toStdString());
        QVERIFY2(text.isOk(), text.message().c_str());
        QCOMPARE(ggmlTypeName(text->findTensor("token_embd.weight")->type), std::string_view("F16"));
    }

    void refusesBadInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString input = test::requireTestFile("models/vision/paligemma-hf-tiny");
        const QString out = test::scratchDir() + "/refused";
        const QString empty = test::scratchDir() + "/empty-folder";
        QDir().mkpath(empty);
        const QString llama = test::scratchDir() + "/llama-folder";
        QDir().mkpath(llama);
        QFile config(llama + "/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64})");
        config.close();
        QTest::newRow("no --paligemma") << QStringList{"convert", "--out-dir", out} << 2 << "missing --paligemma";
        QTest::newRow("no --out-dir") << QStringList{"convert", "--paligemma", input} << 2 << "missing --out-dir";
        QTest::newRow("no such folder") << QStringList{"convert", "--paligemma", "/nonexistent/pg", "--out-dir", out}
                                        << 1 << "no such folder: /nonexistent/pg";
        QTest::newRow("no config.json") << QStringList{"convert", "--paligemma", empty, "--out-dir", out} << 1
                                        << "is not a Hugging Face model folder: it has no config.json";
        QTest::newRow("a llama folder") << QStringList{"convert", "--paligemma", llama, "--out-dir", out} << 1
                                        << "not a PaliGemma checkpoint: config.json has model_type 'llama'";
        QTest::newRow("bad --type") << QStringList{"convert", "--paligemma", input, "--out-dir", out, "--type", "q4_0"}
                                    << 1 << "--type must be f32 or f16, got 'q4_0'";
        QTest::newRow("stray argument") << QStringList{"convert", "--paligemma", input, "--out-dir", out, "extra"} << 1
                                        << "unexpected argument 'extra'";
    }

    void refusesBadInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliRun run = runCli(args);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
        QVERIFY(QDir(test::scratchDir() + "/refused").entryList({"*.gguf*"}, QDir::Files).isEmpty());
    }

    void helpListsTheOptions()
    {
        const CliRun help = runCli({"convert", "--help"});
        QCOMPARE(help.exitCode, 0);
        for (const char* option : {"--paligemma", "--out-dir", "--name", "--type"})
            QVERIFY2(help.out.contains(option), help.out.constData());
        const CliRun usage = runCli({"--help"});
        QVERIFY2(usage.out.contains("convert"), usage.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliConvert)
#include "tst_cli_convert.moc"
