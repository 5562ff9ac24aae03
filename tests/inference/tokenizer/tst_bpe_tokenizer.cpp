// Byte-level BPE (vela::detail::BpeTokenizer and its PreTokenizer) against llama.cpp: every golden of a
// "gpt2"-model vocabulary in shared/reference/tokenize (cases without special tokens, add_special and
// parse_special false) and llama.cpp's own test-tokenizer-0 pairs (shared/models/vocab/*.inp / *.out) must
// match id for id. Plus hand-checked pre-tokenizer splits, the byte table, the refused pre-tokenizer name,
// and the time budget of create() and encode().
#include "support/test_data.h"

#include "tokenizer/bpe_tokenizer.h"
#include "vela/gguf.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <map>
#include <memory>

using namespace vela;
using vela::detail::BpeTokenizer;
using vela::detail::PreTokenizer;

namespace {

// A vocabulary GGUF read into what BpeTokenizer::create() takes.
struct BpeVocab {
    std::vector<std::string> tokens;
    std::vector<std::string> merges;
    std::vector<std::string> userDefined;  // texts llama.cpp splits out even with parse_special = false
    std::string pre;
    std::unique_ptr<BpeTokenizer> tokenizer;
};

std::vector<std::string> readStrings(const GgufFile& file, std::string_view key)
{
    std::vector<std::string> out;
    if (const GgufValue* value = file.find(key)) {
        out.reserve(value->items().size());
        for (const GgufValue& item : value->items())
            out.emplace_back(item.asString().value_or(""));
    }
    return out;
}

// Loads (once per test run) the vocabulary of shared/models/vocab/ggml-vocab-<name>.gguf; null on failure,
// with the reason in `error`.
const BpeVocab* loadVocab(const QString& name, QString& error)
{
    static std::map<QString, std::unique_ptr<BpeVocab>> cache;
    if (auto it = cache.find(name); it != cache.end())
        return it->second.get();
    const QString path = vela::test::requireTestFile("models/vocab/ggml-vocab-" + name + ".gguf");
    if (path.isEmpty()) {
        error = "test data missing: models/vocab/ggml-vocab-" + name + ".gguf (set VELA_TEST_DATA)";
        return nullptr;
    }
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    if (!file) {
        error = QString::fromStdString(file.message());
        return nullptr;
    }
    auto vocab = std::make_unique<BpeVocab>();
    vocab->tokens = readStrings(*file, "tokenizer.ggml.tokens");
    vocab->merges = readStrings(*file, "tokenizer.ggml.merges");
    vocab->pre = std::string(file->getString("tokenizer.ggml.pre").value_or("default"));
    if (const GgufValue* types = file->find("tokenizer.ggml.token_type")) {
        for (size_t id = 0; id < types->items().size(); ++id) {
            if (types->items()[id].asInt() == static_cast<int64_t>(TokenType::UserDefined))
                vocab->userDefined.push_back(vocab->tokens[id]);
        }
    }
    Result<BpeTokenizer> bpe = BpeTokenizer::create(vocab->tokens, vocab->merges, vocab->pre);
    if (!bpe) {
        error = QString::fromStdString(bpe.message());
        return nullptr;
    }
    vocab->tokenizer = std::make_unique<BpeTokenizer>(std::move(bpe).value());
    return cache.emplace(name, std::move(vocab)).first->second.get();
}

std::vector<TokenId> encode(const BpeTokenizer& bpe, const std::string& text)
{
    std::vector<TokenId> ids;
    bpe.encode(text, ids);
    return ids;
}

QString formatIds(const std::vector<TokenId>& ids)
{
    QStringList parts;
    for (TokenId id : ids)
        parts << QString::number(id);
    return "[" + parts.join(", ") + "]";
}

// Qt 6.4's JSON parser drops a raw U+FEFF (BOM) at the start of a string value (the "bom" case); written
// as the escape \ufeff it survives. Raw BOM bytes can only stand inside strings, so the swap is safe.
QJsonObject parseJson(QByteArray json)
{
    json.replace("\xef\xbb\xbf", "\\ufeff");
    return QJsonDocument::fromJson(json).object();
}

// The vocabularies whose goldens this test checks: every "gpt2"-model vocab in shared/models/vocab.
const QStringList kBpeVocabs = {"gpt-2", "llama-bpe", "qwen2", "deepseek-llm", "deepseek-coder", "starcoder"};

// One text and the ids llama.cpp gives it.
struct Expected {
    QString name;
    std::string text;
    std::vector<TokenId> ids;
};

// Compares every case and reports "N passed, M failed", with the first mismatches in full.
void checkAll(const BpeTokenizer& bpe, const std::vector<Expected>& cases, const QString& label)
{
    int passed = 0;
    int failed = 0;
    QStringList shown;  // the first few mismatches, in full
    for (const Expected& c : cases) {
        const std::vector<TokenId> got = encode(bpe, c.text);
        if (got == c.ids) {
            ++passed;
            continue;
        }
        if (++failed <= 8) {
            shown << QString("  %1 \"%2\": got %3, want %4")
                         .arg(c.name, QString::fromStdString(c.text).left(80), formatIds(got), formatIds(c.ids));
        }
    }
    qInfo().noquote() << QString("%1: %2 passed, %3 failed").arg(label).arg(passed).arg(failed);
    QVERIFY2(!cases.empty(), qPrintable(label + ": no cases"));
    QVERIFY2(failed == 0, qPrintable(label + ":\n" + shown.join('\n')));
}

}  // namespace

class TestBpeTokenizer : public QObject {
    Q_OBJECT

private slots:
    void goldens_data();
    void goldens();
    void llamaCppTestPairs_data();
    void llamaCppTestPairs();
    void preTokenizerSplits_data();
    void preTokenizerSplits();
    void preTokenizerRepairsInvalidUtf8();
    void unknownPreTokenizerIsRefused();
    void everyListedPreTokenizerCompiles();
    void byteTableRoundTrips();
    void decodeBytesMarksUnknownCodePoints();
    void ignoreMergesTakesWholeWords();
    void createAndEncodeAreFast();
};

void TestBpeTokenizer::goldens_data()
{
    QTest::addColumn<QString>("vocab");
    QTest::addColumn<QString>("golden");
    for (const QString& vocab : kBpeVocabs) {
        for (const QString& suffix : {QString(".json"), QString(".extra.json")})
            QTest::newRow(qPrintable(vocab + suffix)) << vocab << vocab + suffix;
    }
}

void TestBpeTokenizer::goldens()
{
    QFETCH(QString, vocab);
    QFETCH(QString, golden);
    VELA_REQUIRE_FILE(path, "reference/tokenize/" + golden);
    QString error;
    const BpeVocab* bpeVocab = loadVocab(vocab, error);
    QVERIFY2(bpeVocab, qPrintable(error));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = parseJson(file.readAll());
    QCOMPARE(root.value("tokenizer_pre").toString().toStdString(), bpeVocab->pre);

    std::vector<Expected> cases;
    int skipped = 0;
    for (const QJsonValue& value : root.value("cases").toArray()) {
        const QJsonObject c = value.toObject();
        if (c.value("add_special").toBool() || c.value("parse_special").toBool())
            continue;
        const std::string text = c.value("text").toString().toStdString();
        // llama.cpp splits USER_DEFINED token text out before BPE even with parse_special = false.
        const bool hasUserDefined = std::any_of(bpeVocab->userDefined.begin(), bpeVocab->userDefined.end(),
                                                [&](const std::string& t) { return text.find(t) != std::string::npos; });
        if (hasUserDefined) {
            ++skipped;
            continue;
        }
        Expected e{c.value("name").toString(), text, {}};
        for (const QJsonValue& id : c.value("ids").toArray())
            e.ids.push_back(id.toInt());
        cases.push_back(std::move(e));
    }
    if (skipped > 0)
        qInfo().noquote() << golden << ":" << skipped << "case(s) with user-defined token text left to tst_tokenizer";
    checkAll(*bpeVocab->tokenizer, cases, golden);
}

void TestBpeTokenizer::llamaCppTestPairs_data()
{
    QTest::addColumn<QString>("vocab");
    for (const QString& vocab : kBpeVocabs)
        QTest::newRow(qPrintable(vocab)) << vocab;
}

void TestBpeTokenizer::llamaCppTestPairs()
{
    QFETCH(QString, vocab);
    VELA_REQUIRE_FILE(inpPath, "models/vocab/ggml-vocab-" + vocab + ".gguf.inp");
    VELA_REQUIRE_FILE(outPath, "models/vocab/ggml-vocab-" + vocab + ".gguf.out");
    QString error;
    const BpeVocab* bpeVocab = loadVocab(vocab, error);
    QVERIFY2(bpeVocab, qPrintable(error));

    QFile inp(inpPath);
    QFile out(outPath);
    QVERIFY(inp.open(QIODevice::ReadOnly));
    QVERIFY(out.open(QIODevice::ReadOnly));
    // test-tokenizer-0's format: each string is followed by "\n__ggml_vocab_test__\n"; one line of ids each.
    const QByteArray all = inp.readAll();
    const QByteArray separator = "\n__ggml_vocab_test__\n";
    QList<QByteArray> texts;
    for (qsizetype start = 0; start < all.size();) {
        const qsizetype end = all.indexOf(separator, start);
        if (end < 0)
            break;
        texts << all.mid(start, end - start);
        start = end + separator.size();
    }
    const QList<QByteArray> lines = out.readAll().split('\n');
    QVERIFY2(lines.size() >= texts.size(), "fewer id lines than strings");

    std::vector<Expected> cases;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        Expected e{QString("#%1").arg(i), texts[i].toStdString(), {}};
        for (const QByteArray& id : lines[i].split(' ')) {
            if (!id.isEmpty())
                e.ids.push_back(id.toInt());
        }
        cases.push_back(std::move(e));
    }
    QCOMPARE(cases.size(), size_t(46));
    checkAll(*bpeVocab->tokenizer, cases, "ggml-vocab-" + vocab + ".gguf.inp");
}

void TestBpeTokenizer::preTokenizerSplits_data()
{
    QTest::addColumn<QString>("pre");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("words");
    // Checked by hand against the regexes (and llama.cpp's splitter for gpt-2 and llama-bpe).
    QTest::newRow("gpt-2 contractions are lowercase only")
        << "gpt-2" << "don't I'M" << QStringList{"don", "'t", " I", "'", "M"};
    QTest::newRow("gpt-2 spaces before a word") << "gpt-2" << "a   b" << QStringList{"a", "  ", " b"};
    QTest::newRow("gpt-2 trailing spaces") << "gpt-2" << "a  " << QStringList{"a", "  "};
    QTest::newRow("gpt-2 digit runs") << "gpt-2" << "x 12345" << QStringList{"x", " 12345"};
    QTest::newRow("llama-bpe contractions any case") << "llama-bpe" << "I'M" << QStringList{"I", "'M"};
    QTest::newRow("llama-bpe digits by three") << "llama-bpe" << "12345" << QStringList{"123", "45"};
    QTest::newRow("llama-bpe newlines") << "llama-bpe" << "a\n\n\tb" << QStringList{"a", "\n\n", "\tb"};
    QTest::newRow("llama-bpe punctuation keeps newlines") << "llama-bpe" << "x!!\n\ny"
                                                          << QStringList{"x", "!!\n\n", "y"};
    QTest::newRow("qwen2 single digits") << "qwen2" << "a 123" << QStringList{"a", " ", "1", "2", "3"};
    QTest::newRow("qwen2 non-ASCII space") << "qwen2" << "a\u00a0\u00a0b" << QStringList{"a", "\u00a0", "\u00a0b"};
    QTest::newRow("starcoder digits alone") << "starcoder" << "a 12" << QStringList{"a", " ", "1", "2"};
    QTest::newRow("deepseek-llm script classes")
        << "deepseek-llm" << "Hello 世界 123 ok!!" << QStringList{"Hello", " ", "世界", " ", "123", " ok", "!!"};
    QTest::newRow("deepseek-coder digits alone") << "deepseek-coder" << "x=12" << QStringList{"x", "=", "1", "2"};
    QTest::newRow("default punctuation runs") << "default" << "a...b 12345"
                                              << QStringList{"a", "...", "b", " ", "123", "45"};
    QTest::newRow("empty text") << "qwen2" << "" << QStringList{};
}

void TestBpeTokenizer::preTokenizerSplits()
{
    QFETCH(QString, pre);
    QFETCH(QString, text);
    QFETCH(QStringList, words);
    Result<PreTokenizer> preTokenizer = PreTokenizer::create(pre.toStdString());
    QVERIFY2(preTokenizer, preTokenizer.message().c_str());
    QStringList got;
    for (const std::string& word : preTokenizer->split(text.toStdString()))
        got << QString::fromStdString(word);
    QCOMPARE(got, words);
}

void TestBpeTokenizer::preTokenizerRepairsInvalidUtf8()
{
    // llama.cpp turns each byte it cannot decode into U+FFFD before splitting.
    Result<PreTokenizer> pre = PreTokenizer::create("gpt-2");
    QVERIFY(pre);
    const std::vector<std::string> words = pre->split("ab\xff\xc3");
    QCOMPARE(words.size(), size_t(2));
    QCOMPARE(words[0], std::string("ab"));
    QCOMPARE(words[1], std::string("\xef\xbf\xbd\xef\xbf\xbd"));
}

void TestBpeTokenizer::unknownPreTokenizerIsRefused()
{
    Result<BpeTokenizer> bpe = BpeTokenizer::create({"a", "b"}, {"a b"}, "no-such-pre");
    QVERIFY(!bpe);
    QVERIFY2(bpe.message().find("no-such-pre") != std::string::npos, bpe.message().c_str());
    QVERIFY2(bpe.message().find("qwen2") != std::string::npos, bpe.message().c_str());  // lists the known ones
    // A missing pre-tokenizer is llama.cpp's "default".
    Result<BpeTokenizer> plain = BpeTokenizer::create({"a", "b"}, {"a b"}, "");
    QVERIFY2(plain, plain.message().c_str());
    QCOMPARE(plain->preTokenizer().name(), std::string("default"));
}

void TestBpeTokenizer::everyListedPreTokenizerCompiles()
{
    for (const std::string& name : PreTokenizer::supportedNames()) {
        Result<PreTokenizer> pre = PreTokenizer::create(name);
        QVERIFY2(pre, (name + ": " + pre.message()).c_str());
        std::string joined;
        for (const std::string& word : pre->split("Hello, World! 12345 don't  \n\t你好 🦙"))
            joined += word;
        QCOMPARE(joined, std::string("Hello, World! 12345 don't  \n\t你好 🦙"));
    }
}

void TestBpeTokenizer::byteTableRoundTrips()
{
    std::string all;
    for (int b = 0; b < 256; ++b)
        all += static_cast<char>(b);
    const std::string encoded = BpeTokenizer::encodeBytes(all);
    QCOMPARE(BpeTokenizer::decodeBytes(encoded), all);
    QCOMPARE(BpeTokenizer::encodeBytes(" hi\n"), std::string("\u0120hi\u010a"));  // Ġhi Ċ
    QCOMPARE(BpeTokenizer::decodeBytes("\u0120world"), std::string(" world"));
}

void TestBpeTokenizer::decodeBytesMarksUnknownCodePoints()
{
    // llama_decode_text: the hex of the code point's UTF-8, then the whole token text.
    QCOMPARE(BpeTokenizer::decodeBytes("a\u20ac"), std::string("a[UNK_BYTE_0xe282aca\u20ac]"));
}

void TestBpeTokenizer::ignoreMergesTakesWholeWords()
{
    // "abc" is a token no merge reaches ("a b" then nothing): llama-bpe takes it whole, gpt-2 does not.
    const std::vector<std::string> tokens = {"a", "b", "c", "ab", "abc"};
    const std::vector<std::string> merges = {"a b"};
    Result<BpeTokenizer> llama3 = BpeTokenizer::create(tokens, merges, "llama-bpe");
    Result<BpeTokenizer> gpt2 = BpeTokenizer::create(tokens, merges, "gpt-2");
    QVERIFY(llama3 && gpt2);
    QVERIFY(llama3->ignoreMerges());
    QCOMPARE(encode(*llama3, "abc"), (std::vector<TokenId>{4}));
    QCOMPARE(encode(*gpt2, "abc"), (std::vector<TokenId>{3, 2}));
    // A symbol that is no token falls back to its bytes, each looked up alone; misses are dropped.
    QCOMPARE(encode(*gpt2, "abd"), (std::vector<TokenId>{3}));
}

void TestBpeTokenizer::createAndEncodeAreFast()
{
    VELA_REQUIRE_FILE(path, "models/vocab/ggml-vocab-llama-bpe.gguf");
    QString error;
    const BpeVocab* vocab = loadVocab("llama-bpe", error);
    QVERIFY2(vocab, qPrintable(error));

    QElapsedTimer timer;
    timer.start();
    Result<BpeTokenizer> bpe = BpeTokenizer::create(vocab->tokens, vocab->merges, vocab->pre);
    const qint64 createMs = timer.elapsed();
    QVERIFY(bpe);

    std::string text;
    for (const char* word : {"Lorem ", "ipsum ", "dolor ", "sit ", "amet, ", "consectetur ", "adipiscing ", "elit. "}) {
        text += word;
    }
    while (text.size() < 5000)
        text += text;
    text.resize(5000);
    timer.restart();
    const std::vector<TokenId> ids = encode(*bpe, text);
    const qint64 encodeMs = timer.elapsed();
    qInfo() << "llama-bpe:" << vocab->tokens.size() << "tokens," << vocab->merges.size() << "merges; create"
            << createMs << "ms, encode of 5,000 characters" << encodeMs << "ms," << ids.size() << "ids";
    // Generous bounds (sanitizer and debug builds run several times slower than release).
    QVERIFY2(createMs < 3000, qPrintable(QString("create() took %1 ms").arg(createMs)));
    QVERIFY2(encodeMs < 500, qPrintable(QString("encode() took %1 ms").arg(encodeMs)));
}

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "tst_bpe_tokenizer.moc"
