// vela-cli as a user runs it: `info` on every shared model and on broken files, `tokenize` against
// llama.cpp's goldens with every flag combination (DESIGN.md §3).
#include "support/cli_runner.h"
#include "support/lora_fixture.h"
#include "support/model_copy.h"
#include "support/test_data.h"

#include "vela/gguf.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace vela;

namespace {

using test::CliRun;

CliRun runCli(const QStringList& args)
{
    return test::runProgram(QStringLiteral(VELA_CLI_PATH), args);
}

QStringList modelFiles()
{
    const QString root = test::testDataDir() + "/models";
    QStringList files;
    QDirIterator it(root, {"*.gguf"}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    return files;
}

}  // namespace

class TestVelaCli : public QObject {
    Q_OBJECT

private slots:
    void infoDescribesEveryModel_data();
    void infoDescribesEveryModel();
    void infoEstimatesKvCacheForContext();
    void infoRefusesBrokenFiles_data();
    void infoRefusesBrokenFiles();
    void tokenizeMatchesGoldens_data();
    void tokenizeMatchesGoldens();
    void tokenizeReadsRawFileBytes();
    void reportsUsageErrors();
    void listsDevices();
    void generatesLlamaCppsGreedyContinuation();
    void refusesUnsupportedArchitectures_data();
    void refusesUnsupportedArchitectures();
    void rendersTemplateGoldens_data();
    void rendersTemplateGoldens();
    void generatesThroughTheChatTemplate_data();
    void generatesThroughTheChatTemplate();
    void writesGoldenLogits();
    void benchPrintsJson();
    void answersAboutImages_data();
    void answersAboutImages();
    void refusesBadImages_data();
    void refusesBadImages();
    void appliesLoraAdapters();
    void refusesMismatchedLoraAdapters();
};

void TestVelaCli::infoDescribesEveryModel_data()
{
    QTest::addColumn<QString>("path");
    const QStringList files = modelFiles();
    QVERIFY2(files.size() >= 20, "shared models not found (set VELA_TEST_DATA)");
    for (const QString& f : files)
        QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
}

void TestVelaCli::infoDescribesEveryModel()
{
    QFETCH(QString, path);
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    QVERIFY2(file.isOk(), file.message().c_str());
    uint64_t bytes = 0, params = 0;
    QMap<QString, int> counts;
    for (const GgufTensorInfo& t : file->tensors()) {
        bytes += t.byteSize;
        params += t.elementCount();
        counts[QString::fromLatin1(ggmlTypeName(t.type).data(), ggmlTypeName(t.type).size())] += 1;
    }

    const CliRun text = runCli({"info", "-m", path});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains(("architecture:    " + file->architecture()).c_str()), text.out.constData());
    QVERIFY(text.out.contains(QStringLiteral("(%1)").arg(params).toUtf8()));

    const CliRun json = runCli({"info", "-m", path, "--json"});
    QCOMPARE(json.exitCode, 0);
    QJsonParseError error;
    const QJsonObject info = QJsonDocument::fromJson(json.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(info["architecture"].toString().toStdString(), file->architecture());
    QCOMPARE(info["parameters"].toInteger(), qint64(params));
    const QJsonObject memory = info["memory"].toObject();
    QCOMPARE(memory["weights"].toInteger(), qint64(bytes));
    QCOMPARE(memory["total"].toInteger(),
             memory["weights"].toInteger() + memory["kv_cache"].toInteger() + memory["scratch"].toInteger());
    const QJsonObject types = info["tensor_types"].toObject();
    QCOMPARE(types.size(), counts.size());
    for (auto it = counts.begin(); it != counts.end(); ++it)
        QCOMPARE(types[it.key()].toObject()["count"].toInt(), it.value());
}

// stories260K: 5 layers × 4 KV heads × (8 + 8) head dims × 2 bytes (f16) per token of context.
void TestVelaCli::infoEstimatesKvCacheForContext()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    for (int ctx : {1, 512, 2048, 100000}) {
        const CliRun run = runCli({"info", "-m", path, "--json", "--ctx", QString::number(ctx)});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject memory = QJsonDocument::fromJson(run.out).object()["memory"].toObject();
        QCOMPARE(memory["context"].toInteger(), qint64(ctx));
        QCOMPARE(memory["kv_cache"].toInteger(), qint64(5) * 4 * 16 * 2 * ctx);
    }
    const CliRun bad = runCli({"info", "-m", path, "--ctx", "zero"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY(bad.err.contains("--ctx needs a positive number"));
}

void TestVelaCli::infoRefusesBrokenFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray() << "file ends inside the GGUF magic";
    QTest::newRow("text") << QByteArray("hello, this is not a model\n") << "not a GGUF file";
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray whole = f.readAll();
    QTest::newRow("cut in the header") << whole.left(5000) << "file ends inside";
    QTest::newRow("cut in the data") << whole.left(whole.size() - 100) << "lies outside the file";
}

void TestVelaCli::infoRefusesBrokenFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QTemporaryFile file(test::scratchDir() + "/broken-XXXXXX.gguf");
    QVERIFY(file.open());
    file.write(bytes);
    file.flush();
    for (const QString& command : {QStringLiteral("info"), QStringLiteral("tokenize")}) {
        QStringList args{command, "-m", file.fileName()};
        if (command == "tokenize")
            args << "hello";
        const CliRun run = runCli(args);
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(file.fileName().toUtf8()), run.err.constData());
        QVERIFY2(run.err.contains(expected.toUtf8()), run.err.constData());
    }
    const CliRun missing = runCli({"info", "-m", "/nonexistent/model.gguf"});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains("cannot open '/nonexistent/model.gguf'"));
}

// Every golden file, every flag combination; one process per case would take minutes with the 150k-token
// vocabularies, so each vocabulary runs a stride of its cases (the library test covers all of them).
void TestVelaCli::tokenizeMatchesGoldens_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("addSpecial");
    QTest::addColumn<bool>("parseSpecial");
    QTest::addColumn<QString>("expected");
    const QString dir = test::testDataDir() + "/reference/tokenize";
    const QStringList goldens = QDir(dir).entryList({"*.json"}, QDir::Files);
    int rows = 0;
    for (const QString& name : goldens) {
        const QJsonObject golden = [&] {
            QFile f(dir + "/" + name);
            // Qt's UTF-8 decoder drops a leading U+FEFF inside strings; escape it so the "bom" cases survive.
            return f.open(QIODevice::ReadOnly)
                       ? QJsonDocument::fromJson(f.readAll().replace("\xEF\xBB\xBF", "\\ufeff")).object()
                       : QJsonObject();
        }();
        if (golden["format"].toString() != "reftok-v1")
            continue;
        const QString vocab = golden["vocab_file"].toString();
        QString model = test::testDataDir() + "/models/vocab/" + vocab;
        if (!QFile::exists(model))
            model = test::testDataDir() + "/models/" + vocab;
        const QJsonArray cases = golden["cases"].toArray();
        // VELA_CLI_ALL_CASES=1 runs every case (about 3,000 processes: minutes).
        const bool all = qEnvironmentVariableIntValue("VELA_CLI_ALL_CASES") == 1;
        const int stride = (all || golden["n_tokens"].toInt() <= 1000) ? 1 : 9;
        for (int i = 0; i < cases.size(); i += stride) {
            const QJsonObject c = cases[i].toObject();
            QStringList ids;
            for (const QJsonValue& id : c["ids"].toArray())
                ids << QString::number(id.toInt());
            QTest::addRow("%s/%d-%s", qPrintable(name), i, qPrintable(c["name"].toString()))
                << model << c["text"].toString() << c["add_special"].toBool() << c["parse_special"].toBool()
                << "[" + ids.join(", ") + "]";
            ++rows;
        }
    }
    QVERIFY2(rows > 500, "tokenizer goldens not found (set VELA_TEST_DATA)");
}

void TestVelaCli::tokenizeMatchesGoldens()
{
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(bool, addSpecial);
    QFETCH(bool, parseSpecial);
    QFETCH(QString, expected);
    // The text travels as raw bytes through --file, so no shell or argv decoding can touch it.
    QTemporaryFile input(test::scratchDir() + "/text-XXXXXX.txt");
    QVERIFY(input.open());
    input.write(text.toUtf8());
    input.flush();
    QStringList args{"tokenize", "-m", model, "--file", input.fileName()};
    if (!addSpecial)
        args << "--no-bos";
    if (parseSpecial)
        args << "--special";
    const CliRun run = runCli(args);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QString::fromUtf8(run.out).trimmed(), expected);
}

void TestVelaCli::tokenizeReadsRawFileBytes()
{
    VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
    // Text given as an argument and the same bytes in a file tokenize alike; --pieces pairs ids with text.
    const CliRun arg = runCli({"tokenize", "-m", model, "Once upon a time"});
    QCOMPARE(arg.exitCode, 0);
    QCOMPARE(arg.out.trimmed(), QByteArray("[1, 403, 407, 261, 378]"));
    const CliRun pieces = runCli({"tokenize", "-m", model, "--pieces", "Once upon a time"});
    QCOMPARE(pieces.exitCode, 0);
    const QJsonArray pairs = QJsonDocument::fromJson(pieces.out).array();
    QCOMPARE(pairs.size(), 5);
    QCOMPARE(pairs[1].toArray()[0].toInt(), 403);
    QVERIFY(pairs[1].toArray()[1].isString());
}

void TestVelaCli::reportsUsageErrors()
{
    QCOMPARE(runCli({}).exitCode, 2);
    const CliRun unknown = runCli({"frobnicate"});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY(unknown.err.contains("unknown command 'frobnicate'"));
    const CliRun help = runCli({"tokenize", "--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--special"));
    const CliRun noModel = runCli({"info"});
    QCOMPARE(noModel.exitCode, 1);
    QVERIFY(noModel.err.contains("no model given"));
    const CliRun noText = runCli({"tokenize", "-m", "x.gguf"});
    QCOMPARE(noText.exitCode, 1);
    QVERIFY(noText.err.contains("no text given"));
    const CliRun badOption = runCli({"info", "--bogus"});
    QCOMPARE(badOption.exitCode, 2);
}

void TestVelaCli::listsDevices()
{
    const CliRun text = runCli({"devices"});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("[default]"), text.out.constData());
    const CliRun json = runCli({"devices", "--json"});
    QCOMPARE(json.exitCode, 0);
    const QJsonArray devices = QJsonDocument::fromJson(json.out).array();
    QVERIFY(!devices.isEmpty());
    QVERIFY(devices[0].toObject().contains("memory"));
}

// The first acceptance check of the Vulkan engine, exactly as a user types it.
void TestVelaCli::refusesUnsupportedArchitectures_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("architecture");
    // A vocabulary-only file of an architecture Vela does not run: the architecture check comes first.
    QTest::newRow("starcoder2") << QStringLiteral("models/vocab/ggml-vocab-starcoder.gguf") << "starcoder2";
}

// Every command that loads a model says which architecture it cannot run and which it can, and fails.
void TestVelaCli::refusesUnsupportedArchitectures()
{
    QFETCH(QString, model);
    QFETCH(QString, architecture);
    VELA_REQUIRE_FILE(path, model);
    QTemporaryDir dir;
    for (const QString& command : QStringList{"generate", "logits"}) {
        QStringList args{command, "-m", path};
        if (command == QLatin1String("generate"))
            args << QStringList{"-p", "hello", "-n", "4"};
        else
            args << QStringList{"--tokens", "1,2", "--out", dir.filePath("logits")};
        const CliRun run = runCli(args);
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.isEmpty());
        const QString err = QString::fromUtf8(run.err);
        const QString supported =
            "(supported: llama, qwen2, qwen3, gemma, gemma2, gemma3, phi2, phi3, qwen2moe, qwen3moe, grok, deepseek2)";
        QVERIFY2(err.contains("unsupported architecture '" + architecture + "' " + supported), qPrintable(err));
    }
}

void TestVelaCli::generatesLlamaCppsGreedyContinuation()
{
    VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
    VELA_REQUIRE_FILE(golden, "reference/logits/stories260K__once64.json");
    QFile f(golden);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString expected = QJsonDocument::fromJson(f.readAll()).object()["greedy"].toObject()["text"].toString();
    const CliRun run = runCli({"generate", "-m", model, "-p", "Once upon a time", "-n", "64", "--temp", "0"});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QString::fromUtf8(run.out), expected);
    QVERIFY2(run.err.contains("tokens/s"), run.err.constData());

    // A stop string ends the output just before it; the same seed gives the same sampled text.
    const CliRun stopped = runCli({"generate", "-m", model, "-p", "Once upon a time", "-n", "64", "--temp", "0",
                                   "--stop", "big, red"});
    QCOMPARE(stopped.exitCode, 0);
    QCOMPARE(QString::fromUtf8(stopped.out), expected.left(expected.indexOf("big, red")));
    const QStringList sampled{"generate", "-m", model, "-p", "Once upon a time", "-n", "40", "--temp", "0.8", "--seed", "7"};
    const CliRun a = runCli(sampled), b = runCli(sampled);
    QCOMPARE(a.exitCode, 0);
    QVERIFY(!a.out.isEmpty());
    QCOMPARE(a.out, b.out);
}

void TestVelaCli::rendersTemplateGoldens_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("Qwen 2.5") << "Qwen-Qwen2.5-7B-Instruct";
    QTest::newRow("Llama 3.1") << "meta-llama-Llama-3.1-8B-Instruct";
}

// `vela-cli template --template F.jinja --messages F.json`: Jinja2's rendering, byte for byte.
void TestVelaCli::rendersTemplateGoldens()
{
    QFETCH(QString, name);
    VELA_REQUIRE_FILE(jinja, "reference/templates/" + name + ".jinja");
    VELA_REQUIRE_FILE(cases, "reference/templates/" + name + ".json");
    QFile f(cases);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject first = QJsonDocument::fromJson(f.readAll()).array().first().toObject();
    QVERIFY(first.contains("expected"));
    QTemporaryFile messages;
    QVERIFY(messages.open());
    messages.write(QJsonDocument(first).toJson());
    messages.close();
    const CliRun run = runCli({"template", "--template", jinja, "--messages", messages.fileName()});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QString::fromUtf8(run.out), first["expected"].toString());
}

void TestVelaCli::generatesThroughTheChatTemplate_data()
{
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QString>("format");  // what stderr says
    const QString chatml = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                           "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    QTest::newRow("the model's template") << chatml << "prompt format: the model's chat template";
    QTest::newRow("broken: built-in ChatML")
        << QString(chatml).replace("{% endfor %}", "{% endfr %}")
        << "prompt format: built-in ChatML format — the model's template could not be parsed (line ";
}

// `generate --chat`: the prompt the app would send (system + user through the template), then the same
// greedy continuation as that text given with -p.
void TestVelaCli::generatesThroughTheChatTemplate()
{
    QFETCH(QString, tmpl);
    QFETCH(QString, format);
    VELA_REQUIRE_FILE(stories, "models/stories260K.gguf");
    const QString model = test::writeModelCopy(stories, test::scratchDir() + "/chat-" + QString::number(qHash(tmpl)) + ".gguf",
                                               [&](GgufWriter& w) { w.setString("tokenizer.chat_template", tmpl.toStdString()); });
    QVERIFY(!model.isEmpty());
    const CliRun chat = runCli({"generate", "-m", model, "--chat", "--system", "Be brief.", "-p", "Hi", "-n", "12", "--temp", "0"});
    QVERIFY2(chat.exitCode == 0, chat.err.constData());
    QVERIFY2(QString::fromUtf8(chat.err).contains(format), chat.err.constData());
    const QString rendered = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
    const CliRun plain = runCli({"generate", "-m", model, "-p", rendered, "-n", "12", "--temp", "0"});
    QCOMPARE(plain.exitCode, 0);
    QVERIFY(!chat.out.isEmpty());
    QCOMPARE(chat.out, plain.out);

    const CliRun lonely = runCli({"generate", "-m", model, "--system", "Be brief.", "-p", "Hi"});
    QCOMPARE(lonely.exitCode, 1);
    QVERIFY(lonely.err.contains("--system needs --chat"));
}

void TestVelaCli::writesGoldenLogits()
{
    VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
    VELA_REQUIRE_FILE(golden, "reference/logits/stories260K__p8.f32");
    const QString out = test::scratchDir() + "/p8.f32";
    // "Once upon a time, there was a" = these ids with BOS (reference/logits/stories260K__p8.json).
    const CliRun run = runCli({"logits", "-m", model, "--tokens", "1,403,407,261,378,432,383,286,261", "--out", out});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QFile ours(out), theirs(golden);
    QVERIFY(ours.open(QIODevice::ReadOnly) && theirs.open(QIODevice::ReadOnly));
    const QByteArray a = ours.readAll(), b = theirs.readAll();
    QCOMPARE(a.size(), b.size());
    const auto* x = reinterpret_cast<const float*>(a.constData());
    const auto* y = reinterpret_cast<const float*>(b.constData());
    float maxDelta = 0, maxLogit = 0;
    for (qsizetype i = 0; i < a.size() / 4; ++i) {
        maxDelta = std::max(maxDelta, std::fabs(x[i] - y[i]));
        maxLogit = std::max(maxLogit, std::fabs(y[i]));
    }
    QVERIFY2(maxDelta <= 0.03f * maxLogit, qPrintable(QString::number(maxDelta)));
    const CliRun all = runCli({"logits", "-m", model, "-p", "Once upon a time", "--all", "--out", out});
    QVERIFY2(all.exitCode == 0, all.err.constData());
    QCOMPARE(QFileInfo(out).size(), qint64(5 * 512 * 4));
}

void TestVelaCli::benchPrintsJson()
{
    VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
    const CliRun run = test::runProgram(QStringLiteral(VELA_BENCH_PATH),
                                        {"-m", model, "-p", "16", "-n", "8", "-r", "2", "--json"}, 120000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject result = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(result["pp"].toObject()["n"].toInt(), 16);
    QVERIFY(result["pp"].toObject()["mean"].toDouble() > 0);
    QCOMPARE(result["tg"].toObject()["n"].toInt(), 8);
    QVERIFY(result["tg"].toObject()["mean"].toDouble() > 0);
    QVERIFY(result["tg"].toObject()["gbps"].toDouble() > 0);
    QVERIFY(!result["device"].toString().isEmpty());
    QVERIFY(!result.contains("image"));

    // --mmproj F --image F adds the vision encoder's time for that image.
    VELA_REQUIRE_FILE(vision, "models/vision/gemma3-vision-tiny.gguf");
    VELA_REQUIRE_FILE(mmproj, "models/vision/gemma3-vision-tiny-mmproj.gguf");
    VELA_REQUIRE_FILE(image, "images/odd_checker_37x53.png");
    const CliRun withImage = test::runProgram(
        QStringLiteral(VELA_BENCH_PATH),
        {"-m", vision, "-p", "8", "-n", "4", "-r", "2", "--json", "--mmproj", mmproj, "--image", image}, 120000);
    QVERIFY2(withImage.exitCode == 0, withImage.err.constData());
    const QJsonObject timed = QJsonDocument::fromJson(withImage.out).object()["image"].toObject();
    QCOMPARE(timed["rows"].toInt(), 16);
    QVERIFY(timed["encode_ms"].toDouble() > 0);
    const CliRun alone = test::runProgram(QStringLiteral(VELA_BENCH_PATH), {"-m", vision, "--image", image}, 60000);
    QCOMPARE(alone.exitCode, 1);
    QVERIFY2(alone.err.contains("--image and --mmproj go together"), alone.err.constData());
}

// DESIGN.md §3: generate --mmproj F --image F, greedy, prints the goldens' continuations: llama.cpp mtmd's for
// the Gemma 3 fixture (prompt with a <__media__> marker), the numpy reference's for PaliGemma (prefix prompt).
void TestVelaCli::answersAboutImages_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("mmproj");
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<QString>("expected");
    QTest::newRow("gemma3") << "models/vision/gemma3-vision-tiny.gguf" << "models/vision/gemma3-vision-tiny-mmproj.gguf"
                            << "images/odd_checker_37x53.png" << "Look at this picture: <__media__>\nWhat is in it?"
                            << "gemma3";
    QTest::newRow("paligemma") << "models/vision/paligemma-tiny.gguf" << "models/vision/paligemma-tiny-mmproj.gguf"
                               << "images/rgba_disc_transparent_160x120.png" << "caption en" << "paligemma";
}
void TestVelaCli::answersAboutImages()
{
    QFETCH(QString, model);
    QFETCH(QString, mmproj);
    QFETCH(QString, image);
    QFETCH(QString, prompt);
    QFETCH(QString, expected);
    VELA_REQUIRE_FILE(modelPath, model);
    VELA_REQUIRE_FILE(mmprojPath, mmproj);
    VELA_REQUIRE_FILE(imagePath, image);
    VELA_REQUIRE_FILE(index, "reference/vision/" + expected + "/index.json");
    QFile f(index);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject golden = QJsonDocument::fromJson(f.readAll()).object();
    const QString imageName = QFileInfo(imagePath).fileName();
    QString text;
    if (expected == "gemma3") {
        for (const QJsonValue& v : golden["images"].toArray())
            if (v.toObject()["image"].toString() == imageName)
                for (const QJsonValue& piece : v.toObject()["greedy"].toObject()["pieces"].toArray())
                    text += piece.toString();
    } else {
        for (const QJsonValue& v : golden["runs"].toArray())
            if (v.toObject()["image"].toString() == imageName && v.toObject()["prompt"].toString() == prompt)
                text = v.toObject()["greedy_text"].toString();
    }
    QVERIFY(!text.isEmpty());
    const CliRun run = runCli({"generate", "-m", modelPath, "--mmproj", mmprojPath, "--image", imagePath, "-p", prompt,
                               "-n", "16", "--temp", "0", "--ignore-eos"});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QString::fromUtf8(run.out), text);
    QVERIFY2(run.err.contains("encoded in"), run.err.constData());
}

// Bad images (shared/images) stop the command with a message that names the file, before any text.
void TestVelaCli::refusesBadImages_data()
{
    QTest::addColumn<QString>("image");
    QTest::addColumn<QString>("message");
    QTest::newRow("text named .png") << "bad_text_named.png" << "is not a PNG, JPEG, BMP, GIF or TGA image";
    QTest::newRow("60000×60000") << "bad_huge_60000x60000.png" << "Vela reads images up to 16384 px a side";
    QTest::newRow("empty") << "bad_empty.jpg" << "the file is empty";
    QTest::newRow("truncated") << "bad_truncated.png" << "damaged or cut short";
}
void TestVelaCli::refusesBadImages()
{
    QFETCH(QString, image);
    QFETCH(QString, message);
    VELA_REQUIRE_FILE(model, "models/vision/gemma3-vision-tiny.gguf");
    VELA_REQUIRE_FILE(mmproj, "models/vision/gemma3-vision-tiny-mmproj.gguf");
    VELA_REQUIRE_FILE(path, "images/" + image);
    const CliRun run = runCli({"generate", "-m", model, "--mmproj", mmproj, "--image", path, "-p", "What?", "-n", "4"});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.out.isEmpty());
    QVERIFY2(run.err.contains(image.toUtf8()) && run.err.contains(message.toUtf8()), run.err.constData());
    const CliRun noProjector = runCli({"generate", "-m", model, "--image", path, "-p", "What?"});
    QCOMPARE(noProjector.exitCode, 1);
    QVERIFY2(noProjector.err.contains("--mmproj"), noProjector.err.constData());
}

// --lora FILE[:SCALE] on every command that loads a model: scale 0 gives the base model's logits exactly, a
// file name with ':' in it is taken whole when what follows is not a number.
void TestVelaCli::appliesLoraAdapters()
{
    VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
    Result<GgufFile> file = GgufFile::open(model.toStdString());
    QVERIFY(file.isOk());
    const std::vector<test::LoraPairData> pairs{
        test::randomLoraPair(*file, "blk.0.attn_q.weight", 4, GgmlType::F32, 0.5f, 1),
        test::randomLoraPair(*file, "output.weight", 4, GgmlType::F16, 0.5f, 2)};
    const QString adapter = test::scratchDir() + "/style:v1.gguf";
    QCOMPARE(test::writeLoraAdapter(adapter.toStdString(), "llama", 8.0f, pairs), std::string());
    const QString dir = test::scratchDir();
    const auto logits = [&](const QString& out, const QStringList& extra) {
        const CliRun run = runCli(QStringList{"logits", "-m", model, "--tokens", "1,403,407,261", "--out", out} + extra);
        QFile f(out);
        return std::pair(run, f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray());
    };
    const auto [baseRun, base] = logits(dir + "/base.f32", {});
    const auto [zeroRun, zero] = logits(dir + "/zero.f32", {"--lora", adapter + ":0"});
    const auto [loraRun, adapted] = logits(dir + "/lora.f32", {"--lora", adapter});
    for (const CliRun& run : {baseRun, zeroRun, loraRun})
        QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(base.size(), qint64(512 * 4));
    QCOMPARE(zero, base);
    QCOMPARE(adapted.size(), base.size());
    QVERIFY(adapted != base);
    QVERIFY2(loraRun.err.contains(("LoRA adapter " + adapter + " at scale 1").toUtf8()), loraRun.err.constData());

    const CliRun generated = runCli({"generate", "-m", model, "-p", "Once upon a time", "-n", "8", "--temp", "0",
                                     "--lora", adapter + ":0.5", "--lora", adapter + ":-0.25"});
    QVERIFY2(generated.exitCode == 0, generated.err.constData());
    QVERIFY(!generated.out.isEmpty());
    QVERIFY(generated.err.contains(("LoRA adapter " + adapter + " at scale -0.25").toUtf8()));
    const CliRun bench = test::runProgram(QStringLiteral(VELA_BENCH_PATH),
                                          {"-m", model, "-p", "8", "-n", "4", "-r", "1", "--json", "--lora", adapter});
    QVERIFY2(bench.exitCode == 0, bench.err.constData());
}

// A mismatched or missing adapter: exit 1, nothing on stdout, the adapter and the reason on stderr.
void TestVelaCli::refusesMismatchedLoraAdapters()
{
    VELA_REQUIRE_FILE(model, "models/stories260K.gguf");
    Result<GgufFile> file = GgufFile::open(model.toStdString());
    QVERIFY(file.isOk());
    const QString adapter = test::scratchDir() + "/qwen2-lora.gguf";
    QCOMPARE(test::writeLoraAdapter(adapter.toStdString(), "qwen2", 0.0f,
                                    {test::randomLoraPair(*file, "blk.0.attn_q.weight", 4, GgmlType::F32, 0.1f, 1)}),
             std::string());
    const QString missing = test::scratchDir() + "/missing.gguf";
    const QList<std::pair<QString, QString>> cases{
        {adapter + ":0.5", adapter + ": the adapter is for architecture 'qwen2', the model is 'llama'"},
        {missing, missing}};
    for (const auto& [value, message] : cases) {
        for (const QString& command : QStringList{"generate", "logits"}) {
            QStringList args{command, "-m", model, "--lora", value};
            args << (command == QLatin1String("generate")
                         ? QStringList{"-p", "hello", "-n", "4"}
                         : QStringList{"--tokens", "1,2", "--out", test::scratchDir() + "/refused.f32"});
            const CliRun run = runCli(args);
            QCOMPARE(run.exitCode, 1);
            QVERIFY(run.out.isEmpty());
            QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
        }
    }
}

QTEST_GUILESS_MAIN(TestVelaCli)
#include "tst_vela_cli.moc"
