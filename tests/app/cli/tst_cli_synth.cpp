// `vela-cli synth` as a user runs it (DESIGN.md §3): a model that vela-cli info and the tokenizer accept,
// case-insensitive types, and clear errors with non-zero exits for bad arguments.
#include "support/cli_runner.h"
#include "support/test_data.h"

#include "vela/gguf.h"

#include <QFile>
#include <QProcess>
#include <QtTest>

using namespace vela;

namespace {

using test::CliRun;

CliRun runCli(const QStringList& args)
{
    return test::runProgram(QStringLiteral(VELA_CLI_PATH), args);
}

QStringList shapeArgs(const QString& out, const QString& type = "q4_k")
{
    return {"synth", "--arch", "llama", "--n-embd", "256", "--n-layer", "2", "--n-head", "4", "--n-head-kv", "2",
            "--n-ff", "512", "--n-vocab", "300", "--type", type, "--out", out};
}

}  // namespace

class TestCliSynth : public QObject {
    Q_OBJECT

private slots:
    void writesAModelInfoDescribes();
    void copiesTheVocabulary();
    void refusesBadArguments_data();
    void refusesBadArguments();
    void helpListsTheOptions();
};

void TestCliSynth::writesAModelInfoDescribes()
{
    const QString path = test::scratchDir() + "/cli-synth.gguf";
    QStringList args = shapeArgs(path);
    args << "--seed" << "7" << "--ctx" << "2048";
    const CliRun run = runCli(args);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("wrote"), run.err.constData());

    Result<GgufFile> file = GgufFile::open(path.toStdString());
    QVERIFY2(file.isOk(), file.message().c_str());
    QCOMPARE(file->architecture(), std::string("llama"));
    QCOMPARE(*file->getInt("llama.context_length"), int64_t{2048});
    QCOMPARE(*file->getInt("llama.attention.head_count_kv"), int64_t{2});
    QCOMPARE(file->findTensor("blk.1.attn_k.weight")->dims, (std::array<uint64_t, 4>{256, 128, 1, 1}));
    QCOMPARE(ggmlTypeName(file->findTensor("output.weight")->type), std::string_view("Q4_K"));
    QVERIFY(file->getString("general.description")->find("seed 7") != std::string_view::npos);

    const CliRun info = runCli({"info", "-m", path});
    QVERIFY2(info.exitCode == 0, info.err.constData());
    QVERIFY2(info.out.contains("llama"), info.out.constData());
    const CliRun tokens = runCli({"tokenize", "-m", path, "hello"});
    QVERIFY2(tokens.exitCode == 0, tokens.err.constData());
    QVERIFY2(tokens.out.startsWith("[1, "), tokens.out.constData());
}

void TestCliSynth::copiesTheVocabulary()
{
    VELA_REQUIRE_FILE(vocab, "models/vocab/ggml-vocab-llama-spm.gguf");
    const QString path = test::scratchDir() + "/cli-synth-vocab.gguf";
    QStringList args = shapeArgs(path, "F16");
    args[args.indexOf("--n-vocab") + 1] = "32000";
    args << "--vocab" << vocab;
    const CliRun run = runCli(args);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const CliRun ours = runCli({"tokenize", "-m", path, "Hello world"});
    const CliRun theirs = runCli({"tokenize", "-m", vocab, "Hello world"});
    QVERIFY2(ours.exitCode == 0, ours.err.constData());
    QCOMPARE(ours.out, theirs.out);
}

void TestCliSynth::refusesBadArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString out = test::scratchDir() + "/refused.gguf";
    const auto with = [&](const QString& option, const QString& value) {
        QStringList args = shapeArgs(out);
        args[args.indexOf(option) + 1] = value;
        return args;
    };
    QTest::newRow("architecture") << with("--arch", "mamba") << 1
                                  << "unsupported architecture 'mamba' for synth (supported: llama)";
    QTest::newRow("unknown type") << with("--type", "Q4_X") << 1 << "unknown type 'Q4_X' (supported: F32, F16";
    QTest::newRow("unsupported type") << with("--type", "iq2_xxs") << 1 << "type IQ2_XXS is not supported for synth";
    QTest::newRow("heads") << with("--n-head", "5") << 1 << "n_embd 256 is not a multiple of n_head 5";
    QTest::newRow("block") << with("--n-embd", "320") << 1 << "n_embd 320 is not a multiple of the Q4_K block size 256";
    QTest::newRow("not a number") << with("--n-layer", "two") << 1 << "--n-layer must be a whole number of at least 1, got 'two'";
    QTest::newRow("zero") << with("--n-ff", "0") << 1 << "--n-ff must be a whole number of at least 1, got '0'";
    QTest::newRow("too large") << with("--n-vocab", "4294967296") << 1 << "--n-vocab must be a whole number";
    QStringList mismatch = shapeArgs(out);
    mismatch << "--vocab" << test::testDataDir() + "/models/vocab/ggml-vocab-llama-spm.gguf";
    QTest::newRow("vocab size") << mismatch << 1 << "has 32000 tokens, but n_vocab is 300";
    QStringList noOut = shapeArgs(out);
    noOut.removeLast();
    noOut.removeLast();
    QTest::newRow("no --out") << noOut << 2 << "missing --out";
    QTest::newRow("stray argument") << (shapeArgs(out) << "extra") << 1 << "unexpected argument 'extra'";
}

void TestCliSynth::refusesBadArguments()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const CliRun run = runCli(args);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
    QVERIFY(run.out.isEmpty());
    QVERIFY(!QFile::exists(test::scratchDir() + "/refused.gguf"));
}

void TestCliSynth::helpListsTheOptions()
{
    const CliRun run = runCli({"synth", "--help"});
    QCOMPARE(run.exitCode, 0);
    for (const char* option : {"--arch", "--n-embd", "--n-layer", "--n-head", "--n-head-kv", "--n-ff", "--n-vocab",
                               "--type", "--vocab", "--seed", "--ctx", "--out"})
        QVERIFY2(run.out.contains(option), option);
    QVERIFY(run.out.contains("Q6_K"));
    const CliRun list = runCli({"--help"});
    QVERIFY(list.out.contains("synth"));
}

QTEST_GUILESS_MAIN(TestCliSynth)
#include "tst_cli_synth.moc"
