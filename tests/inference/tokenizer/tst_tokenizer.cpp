// The tokenizer against llama.cpp's own tokenizations (shared/reference/tokenize, format reftok-v1): ids,
// pieces and detokenized text must match id for id and byte for byte. Plus round trips, the streaming
// decoder on characters split across byte tokens, and metadata that must be refused.
#include "support/test_data.h"

#include "vela/gguf.h"
#include "vela/tokenizer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QtTest>

#include <map>
#include <memory>

using namespace vela;

namespace {

// Every golden file of shared/reference/tokenize; goldenSetIsComplete() fails when a new one is not listed.
const QStringList kGoldenFiles = {
    "deepseek-coder.json", "deepseek-coder.extra.json", "deepseek-llm.json", "deepseek-llm.extra.json",
    "gpt-2.json",          "gpt-2.extra.json",          "llama-bpe.json",    "llama-bpe.extra.json",
    "llama-spm.json",      "llama-spm.extra.json",      "phi-3.json",        "phi-3.extra.json",
    "qwen2.json",          "qwen2.extra.json",          "starcoder.json",    "starcoder.extra.json",
    "llama-2-tiny-random.json", "stories260K.json",
};

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    // Qt's UTF-8 decoder drops a byte order mark, and one golden string starts with U+FEFF: escape it first.
    const QByteArray json = file.readAll().replace("\xEF\xBB\xBF", "\\ufeff");
    return QJsonDocument::fromJson(json).object();
}

std::string utf8(const QString& s)
{
    return s.toStdString();
}

QString idsToString(const std::vector<TokenId>& ids, size_t limit = 24)
{
    QStringList parts;
    for (size_t i = 0; i < ids.size() && i < limit; ++i)
        parts << QString::number(ids[i]);
    if (ids.size() > limit)
        parts << QStringLiteral("… (%1 ids)").arg(ids.size());
    return "[" + parts.join(", ") + "]";
}

std::vector<TokenId> idsFromJson(const QJsonArray& array)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& v : array)
        ids.push_back(static_cast<TokenId>(v.toInteger()));
    return ids;
}

// A vocab GGUF named by a golden file: shared/models/vocab/ for vocab-only files, else shared/models/.
QString vocabPath(const QString& name)
{
    const QString inVocab = vela::test::requireTestFile("models/vocab/" + name);
    return inVocab.isEmpty() ? vela::test::requireTestFile("models/" + name) : inVocab;
}

// Loaded tokenizers, shared by the tests (loading the 150k-token vocabularies takes a moment).
const Tokenizer* loadTokenizer(const QString& vocabFile, QString* error)
{
    static std::map<QString, std::unique_ptr<Tokenizer>> cache;
    if (auto it = cache.find(vocabFile); it != cache.end())
        return it->second.get();
    const QString path = vocabPath(vocabFile);
    if (path.isEmpty()) {
        *error = "vocab file missing: " + vocabFile;
        return nullptr;
    }
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    if (!file) {
        *error = QString::fromStdString(file.message());
        return nullptr;
    }
    Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*file);
    if (!tokenizer) {
        *error = QString::fromStdString(tokenizer.message());
        return nullptr;
    }
    return cache.emplace(vocabFile, std::make_unique<Tokenizer>(std::move(tokenizer).value())).first->second.get();
}

// Compares one golden case; returns a description of the first difference, or an empty string.
QString compareCase(const Tokenizer& tokenizer, const QJsonObject& c)
{
    const std::string text = utf8(c["text"].toString());
    const bool addSpecial = c["add_special"].toBool();
    const bool parseSpecial = c["parse_special"].toBool();
    const QString where = QStringLiteral("%1 (add_special=%2, parse_special=%3)")
                              .arg(c["name"].toString())
                              .arg(addSpecial)
                              .arg(parseSpecial);

    const std::vector<TokenId> expected = idsFromJson(c["ids"].toArray());
    const std::vector<TokenId> ids = tokenizer.tokenize(text, addSpecial, parseSpecial);
    if (ids != expected)
        return where + ": ids " + idsToString(ids) + ", expected " + idsToString(expected);

    const QJsonArray hexes = c["pieces_hex"].toArray();
    for (qsizetype i = 0; i < hexes.size(); ++i) {
        const QByteArray piece = QByteArray::fromStdString(tokenizer.tokenToPiece(expected[size_t(i)], true));
        if (piece.toHex() != hexes[i].toString().toLatin1()) {
            return where + QStringLiteral(": piece of %1 is %2, expected %3")
                               .arg(expected[size_t(i)])
                               .arg(QString::fromLatin1(piece.toHex()), hexes[i].toString());
        }
    }

    const std::string detok = tokenizer.detokenize(expected, false, true);
    if (detok != utf8(c["detok"].toString())) {
        return where + ": detokenized to \"" + QString::fromStdString(detok).left(80) + "\", expected \"" +
               c["detok"].toString().left(80) + "\"";
    }
    return {};
}

// A GGUF image with a small SentencePiece vocabulary; tests change one key to break it.
struct TinyVocab {
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b", "\xE2\x96\x81" "a", "ab"};
    std::vector<int32_t> types = {2, 3, 3, 1, 1, 1, 1, 1};
    std::vector<float> scores = {0, 0, 0, -1, -2, -3, -0.5f, -0.25f};
    std::string model = "llama";

    GgufWriter writer() const
    {
        GgufWriter w;
        w.setString("general.architecture", "llama");
        w.setString("tokenizer.ggml.model", model);
        w.set("tokenizer.ggml.tokens", GgufValue::fromStrings(tokens));
        std::vector<GgufValue> typeValues, scoreValues;
        for (int32_t t : types)
            typeValues.push_back(GgufValue::fromInt(GgufValueType::Int32, t));
        for (float s : scores)
            scoreValues.push_back(GgufValue::fromFloat(GgufValueType::Float32, s));
        w.set("tokenizer.ggml.token_type", GgufValue::fromArray(GgufValueType::Int32, typeValues));
        w.set("tokenizer.ggml.scores", GgufValue::fromArray(GgufValueType::Float32, scoreValues));
        return w;
    }
};

// Parses `writer`'s image and builds a tokenizer from it; `bytes` must outlive the result's use.
Result<Tokenizer> tokenizerFrom(const GgufWriter& writer, std::vector<uint8_t>& bytes)
{
    bytes = writer.toBytes();
    Result<GgufFile> file = GgufFile::parse(bytes, "synthetic.gguf");
    if (!file)
        return file.status();
    return Tokenizer::fromGguf(*file);
}

bool isValidUtf8(const std::string& s)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(QByteArrayView(s.data(), qsizetype(s.size())));
    return !decoder.hasError();
}

}  // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private slots:
    void goldens_data();
    void goldens();
    void goldenSetIsComplete();
    void roundTrip_data();
    void roundTrip();
    void specialTokenRoles();
    void streamingHoldsSplitCharacters();
    void streamingMatchesDetokenize();
    void streamingFlushReplacesIncomplete();
    void sanitizeUtf8_data();
    void sanitizeUtf8();
    void badMetadata_data();
    void badMetadata();
    void tinyVocabulary();
    void hostileTokens();
    void longTextIsFast();
};

void TestTokenizer::goldens_data()
{
    QTest::addColumn<QString>("golden");
    for (const QString& name : kGoldenFiles)
        QTest::newRow(qPrintable(name)) << name;
}

void TestTokenizer::goldens()
{
    QFETCH(QString, golden);
    VELA_REQUIRE_FILE(path, "reference/tokenize/" + golden);
    const QJsonObject root = readJson(path);
    QCOMPARE(root["format"].toString(), QStringLiteral("reftok-v1"));

    QString error;
    const Tokenizer* tokenizer = loadTokenizer(root["vocab_file"].toString(), &error);
    QVERIFY2(tokenizer, qPrintable(error));
    QCOMPARE(tokenizer->vocabSize(), root["n_tokens"].toInt());
    QCOMPARE(tokenizer->specialTokens().addBos, root["add_bos_default"].toBool());
    QCOMPARE(tokenizer->specialTokens().addEos, root["add_eos_default"].toBool());
    QCOMPARE(tokenizer->modelName(), utf8(root["tokenizer_model"].toString()));

    const QJsonArray cases = root["cases"].toArray();
    QVERIFY(!cases.isEmpty());
    int passed = 0;
    QStringList failures;
    for (const QJsonValue& c : cases) {
        const QString difference = compareCase(*tokenizer, c.toObject());
        if (difference.isEmpty())
            ++passed;
        else
            failures << difference;
    }
    qInfo("%s: %d passed, %d failed", qPrintable(golden), passed, int(failures.size()));
    QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 8).join("\n")));
}

void TestTokenizer::goldenSetIsComplete()
{
    VELA_REQUIRE_FILE(readme, "reference/tokenize/README.md");
    QDir dir = QFileInfo(readme).dir();
    for (const QString& name : dir.entryList({"*.json"}, QDir::Files)) {
        if (name == "test_strings.json" || name == "extra_strings.json")
            continue;
        QVERIFY2(kGoldenFiles.contains(name), qPrintable("golden file not covered by the test: " + name));
    }
}

// Text without special-token text decodes back to itself for vocabularies that do not clean up spaces.
void TestTokenizer::roundTrip_data()
{
    QTest::addColumn<QString>("vocab");
    QTest::newRow("qwen2") << "ggml-vocab-qwen2.gguf";
    QTest::newRow("llama-spm") << "ggml-vocab-llama-spm.gguf";
    QTest::newRow("stories260K") << "stories260K.gguf";
    QTest::newRow("deepseek-llm") << "ggml-vocab-deepseek-llm.gguf";
}

void TestTokenizer::roundTrip()
{
    QFETCH(QString, vocab);
    VELA_REQUIRE_FILE(stringsPath, "reference/tokenize/test_strings.json");
    VELA_REQUIRE_FILE(extraPath, "reference/tokenize/extra_strings.json");
    QString error;
    const Tokenizer* tokenizer = loadTokenizer(vocab, &error);
    QVERIFY2(tokenizer, qPrintable(error));

    int checked = 0;
    for (const QString& path : {stringsPath, extraPath}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        for (const QJsonValue& entry : QJsonDocument::fromJson(file.readAll()).array()) {
            const std::string text = utf8(entry.toObject()["text"].toString());
            if (text.find('<') != std::string::npos)
                continue;  // may hold special-token text, which parse_special=false still matches for some
            const std::vector<TokenId> ids = tokenizer->tokenize(text, false, false);
            const std::string back = tokenizer->detokenize(ids, false, true);
            QVERIFY2(back == text, qPrintable(QStringLiteral("%1: \"%2\" came back as \"%3\"")
                                                  .arg(entry.toObject()["name"].toString(),
                                                       QString::fromStdString(text).left(60),
                                                       QString::fromStdString(back).left(60))));
            ++checked;
        }
    }
    QVERIFY(checked > 50);
}

void TestTokenizer::specialTokenRoles()
{
    QString error;
    const Tokenizer* qwen = loadTokenizer("ggml-vocab-qwen2.gguf", &error);
    QVERIFY2(qwen, qPrintable(error));
    QCOMPARE(qwen->tokenText(151645), std::string_view("<|im_end|>"));
    QVERIFY(qwen->isEndOfGeneration(151645));  // <|im_end|>
    QVERIFY(qwen->isEndOfGeneration(151643));  // <|endoftext|>
    // A NORMAL token whose text is an end-of-generation marker is promoted, as llama.cpp does.
    QCOMPARE(qwen->tokenText(128247), std::string_view("</s>"));
    QVERIFY(qwen->isEndOfGeneration(128247));
    QCOMPARE(qwen->tokenType(128247), TokenType::Control);
    QCOMPARE(qwen->tokenType(151657), TokenType::UserDefined);  // <tool_call>
    QVERIFY(!qwen->isEndOfGeneration(9707));
    // Control tokens render only when asked; user-defined ones always.
    QCOMPARE(qwen->tokenToPiece(151645, false), std::string());
    QCOMPARE(qwen->tokenToPiece(151645, true), std::string("<|im_end|>"));
    QCOMPARE(qwen->tokenToPiece(151657, false), std::string("<tool_call>"));
    QCOMPARE(qwen->tokenToPiece(-1), std::string());
    QCOMPARE(qwen->tokenToPiece(qwen->vocabSize()), std::string());
    QCOMPARE(qwen->preTokenizerName(), std::string_view("qwen2"));

    const Tokenizer* spm = loadTokenizer("ggml-vocab-llama-spm.gguf", &error);
    QVERIFY2(spm, qPrintable(error));
    QCOMPARE(spm->specialTokens().bos, 1);
    QCOMPARE(spm->specialTokens().eos, 2);
    QCOMPARE(spm->specialTokens().unk, 0);
    QVERIFY(spm->isEndOfGeneration(2));
    QVERIFY(spm->addsSpacePrefix());
    // detokenize(removeSpecial) drops the BOS and then keeps the space of the first word.
    const std::vector<TokenId> ids = spm->tokenize("Hello world", true, false);
    QCOMPARE(ids.front(), 1);
    QCOMPARE(spm->detokenize(ids, true, true), std::string("Hello world").insert(0, " "));
    QCOMPARE(spm->detokenize(ids, false, false), std::string(" Hello world"));
}

// stories260K has 512 tokens, so an emoji comes out as four <0xNN> byte tokens.
void TestTokenizer::streamingHoldsSplitCharacters()
{
    QString error;
    const Tokenizer* tokenizer = loadTokenizer("stories260K.gguf", &error);
    QVERIFY2(tokenizer, qPrintable(error));
    const std::string text = "Hi \xF0\x9F\xA6\x99 and \xC3\xA9t\xC3\xA9 \xE6\x97\xA5";  // "Hi 🦙 and été 日"
    // No BOS: the decoder, like detokenize, drops the prefix space of the first token only.
    const std::vector<TokenId> ids = tokenizer->tokenize(text, false, false);
    int byteTokens = 0;
    for (TokenId id : ids)
        byteTokens += tokenizer->tokenType(id) == TokenType::Byte;
    QVERIFY2(byteTokens >= 4, "the emoji should need byte tokens in this vocabulary");

    StreamingDecoder decoder(*tokenizer, false);
    std::string streamed;
    int heldBack = 0;
    for (TokenId id : ids) {
        const std::string out = decoder.push(id);
        QVERIFY2(isValidUtf8(out), "push() emitted part of a character");
        heldBack += out.empty() && !tokenizer->tokenToPiece(id, false).empty();
        streamed += out;
    }
    streamed += decoder.flush();
    QVERIFY(heldBack >= 3);
    QCOMPARE(QString::fromStdString(streamed), QString::fromStdString(text));
    QCOMPARE(streamed, tokenizer->detokenize(ids, false, false));

    // The emoji's four bytes one by one: nothing until the last.
    StreamingDecoder bytes(*tokenizer);
    const TokenId b0 = 3 + 0xF0, b1 = 3 + 0x9F, b2 = 3 + 0xA6, b3 = 3 + 0x99;  // <0x00> is id 3
    QCOMPARE(tokenizer->tokenText(b0), std::string_view("<0xF0>"));
    QCOMPARE(bytes.push(b0), std::string());
    QCOMPARE(bytes.push(b1), std::string());
    QCOMPARE(bytes.push(b2), std::string());
    QCOMPARE(bytes.push(b3), std::string("\xF0\x9F\xA6\x99"));
    QCOMPARE(bytes.flush(), std::string());
}

void TestTokenizer::streamingMatchesDetokenize()
{
    QString error;
    const Tokenizer* tokenizer = loadTokenizer("ggml-vocab-llama-bpe.gguf", &error);
    QVERIFY2(tokenizer, qPrintable(error));
    const std::string text = "Emoji \xF0\x9F\xA6\x99\xF0\x9F\x9A\x80 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E text";
    const std::vector<TokenId> ids = tokenizer->tokenize(text, false, false);
    StreamingDecoder decoder(*tokenizer);
    std::string streamed;
    for (TokenId id : ids) {
        const std::string out = decoder.push(id);
        QVERIFY(isValidUtf8(out));
        streamed += out;
    }
    streamed += decoder.flush();
    QCOMPARE(streamed, tokenizer->detokenize(ids));
    QCOMPARE(streamed, text);
}

void TestTokenizer::streamingFlushReplacesIncomplete()
{
    QString error;
    const Tokenizer* tokenizer = loadTokenizer("stories260K.gguf", &error);
    QVERIFY2(tokenizer, qPrintable(error));
    StreamingDecoder decoder(*tokenizer);
    QCOMPARE(decoder.push(3 + 0xE6), std::string());
    QCOMPARE(decoder.push(3 + 0x97), std::string());
    QCOMPARE(decoder.flush(), std::string("\xEF\xBF\xBD"));
    // A stray continuation byte is invalid at once.
    QCOMPARE(decoder.push(3 + 0x80), std::string("\xEF\xBF\xBD"));
    QCOMPARE(decoder.push(3 + 'A'), std::string("A"));
}

void TestTokenizer::sanitizeUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray fffd = "\xEF\xBF\xBD";
    QTest::newRow("valid emoji") << QByteArray("a\xF0\x9F\xA6\x99" "b") << QByteArray("a\xF0\x9F\xA6\x99" "b");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    // Neither byte can start or continue a valid sequence: one U+FFFD each.
    QTest::newRow("overlong slash") << QByteArray("\xC0\xAF") << fffd + fffd;
    // ED A0 would be a surrogate, so ED is a maximal invalid prefix on its own.
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << fffd + fffd + fffd;
    // A valid but unfinished prefix is one U+FFFD, at the end or before another character.
    QTest::newRow("truncated 4-byte at end") << QByteArray("x\xF0\x9F\xA6") << "x" + fffd;
    QTest::newRow("truncated 4-byte before A") << QByteArray("\xF0\x9F\xA6" "A") << fffd + "A";
    QTest::newRow("stray continuation") << QByteArray("a\x80" "b") << "a" + fffd + "b";
    QTest::newRow("past U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << fffd + fffd + fffd + fffd;
}

void TestTokenizer::sanitizeUtf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, expected);
    const std::string out = vela::sanitizeUtf8(std::string_view(bytes.constData(), bytes.size()));
    QCOMPARE(QByteArray::fromStdString(out), expected);
}

void TestTokenizer::badMetadata_data()
{
    QTest::addColumn<QString>("breakage");
    QTest::addColumn<QString>("expectedInMessage");
    QTest::newRow("scores too short") << "scores" << "tokenizer.ggml.scores";
    QTest::newRow("types too long") << "types" << "tokenizer.ggml.token_type";
    QTest::newRow("bos out of range") << "bos" << "tokenizer.ggml.bos_token_id";
    QTest::newRow("eos as string") << "eosString" << "tokenizer.ggml.eos_token_id";
    QTest::newRow("unknown model") << "model" << "gpt2";
    QTest::newRow("unknown pre") << "pre" << "no-such-pre";
    QTest::newRow("tokens not an array") << "noTokens" << "tokenizer.ggml.tokens";
    QTest::newRow("model not a string") << "noModel" << "tokenizer.ggml.model";
    QTest::newRow("duplicate token") << "duplicate" << "twice";
    QTest::newRow("missing merges") << "noMerges" << "tokenizer.ggml.merges";
    QTest::newRow("add_bos without bos") << "addBosNoBos" << "add_bos_token";
}

void TestTokenizer::badMetadata()
{
    QFETCH(QString, breakage);
    QFETCH(QString, expectedInMessage);
    TinyVocab tiny;
    if (breakage == "scores")
        tiny.scores.pop_back();
    if (breakage == "types")
        tiny.types.push_back(1);
    if (breakage == "model")
        tiny.model = "wordpiece-9000";
    if (breakage == "duplicate")
        tiny.tokens[7] = "a";
    GgufWriter writer = tiny.writer();
    if (breakage == "bos")
        writer.setUInt32("tokenizer.ggml.bos_token_id", 8);
    if (breakage == "eosString")
        writer.setString("tokenizer.ggml.eos_token_id", "2");
    if (breakage == "pre" || breakage == "noMerges") {
        writer.setString("tokenizer.ggml.model", "gpt2");
        writer.setString("tokenizer.ggml.pre", breakage == "pre" ? "no-such-pre" : "qwen2");
        if (breakage == "pre")
            writer.set("tokenizer.ggml.merges", GgufValue::fromStrings({"a b"}));
    }
    if (breakage == "noTokens")
        writer.set("tokenizer.ggml.tokens", GgufValue::fromUInt(GgufValueType::UInt32, 3));
    if (breakage == "noModel")
        writer.set("tokenizer.ggml.model", GgufValue::fromUInt(GgufValueType::UInt32, 1));
    if (breakage == "addBosNoBos") {
        writer.setString("tokenizer.ggml.model", "gpt2");
        writer.set("tokenizer.ggml.merges", GgufValue::fromStrings({"a b"}));
        writer.setBool("tokenizer.ggml.add_bos_token", true);
    }

    std::vector<uint8_t> bytes;
    Result<Tokenizer> tokenizer = tokenizerFrom(writer, bytes);
    QVERIFY2(!tokenizer, "bad metadata was accepted");
    qInfo("%s", tokenizer.message().c_str());
    QVERIFY2(QString::fromStdString(tokenizer.message()).contains(expectedInMessage),
             qPrintable("message: " + QString::fromStdString(tokenizer.message())));
}

// The same tiny vocabulary, intact: scores drive the merges, a missing character falls back to <unk>, and
// 0xFFFFFFFF ids (llama.cpp's "none") are accepted.
void TestTokenizer::tinyVocabulary()
{
    TinyVocab tiny;
    GgufWriter writer = tiny.writer();
    writer.setUInt32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);
    writer.setUInt32("tokenizer.ggml.seperator_token_id", 99);
    std::vector<uint8_t> bytes;
    Result<Tokenizer> tokenizer = tokenizerFrom(writer, bytes);
    QVERIFY2(tokenizer, qPrintable(QString::fromStdString(tokenizer.message())));
    QCOMPARE(tokenizer->specialTokens().pad, kNoToken);
    QCOMPARE(tokenizer->specialTokens().sep, kNoToken);
    // "▁ab": the pair with the higher score, "ab" (-0.25), merges before "▁a" (-0.5).
    QCOMPARE(tokenizer->tokenize("ab", false, false), (std::vector<TokenId>{3, 7}));
    QCOMPARE(tokenizer->tokenize("a", true, false), (std::vector<TokenId>{1, 6}));
    // 'c' is neither a token nor a byte token: <unk>.
    QCOMPARE(tokenizer->tokenize("ac", false, false), (std::vector<TokenId>{6, 0}));
    QCOMPARE(tokenizer->tokenize("</s>a", false, true), (std::vector<TokenId>{2, 6}));
    // Without the BOS the first token loses the prefix space; after a removed BOS it keeps it.
    QCOMPARE(tokenizer->detokenize(std::vector<TokenId>{6, 7}), std::string("aab"));
    QCOMPARE(tokenizer->detokenize(std::vector<TokenId>{1, 6, 7}, true), std::string(" aab"));
}

// Odd but well-formed metadata and odd input must not crash: a BYTE token that is not <0xNN>, an unknown
// token type, an empty token text, invalid UTF-8, ids outside the vocabulary.
void TestTokenizer::hostileTokens()
{
    TinyVocab tiny;
    tiny.tokens[5] = "zz";  // typed BYTE below
    tiny.types[5] = 6;
    tiny.types[4] = 99;     // unknown type: no text, as llama.cpp
    tiny.tokens[7] = "";    // becomes "[EMPTY_7]"
    std::vector<uint8_t> bytes;
    Result<Tokenizer> tokenizer = tokenizerFrom(tiny.writer(), bytes);
    QVERIFY2(tokenizer, qPrintable(QString::fromStdString(tokenizer.message())));
    QCOMPARE(tokenizer->tokenToPiece(5), std::string("zz"));
    QCOMPARE(tokenizer->tokenToPiece(4), std::string());
    QCOMPARE(tokenizer->tokenType(4), TokenType::Undefined);
    QCOMPARE(tokenizer->tokenText(7), std::string_view("[EMPTY_7]"));
    const std::vector<TokenId> ids = tokenizer->tokenize("\xFF\xC3 a\xE2\x96", true, true);
    QVERIFY(!ids.empty());
    for (TokenId id : ids)
        QVERIFY(id >= 0 && id < tokenizer->vocabSize());
    // Unknown ids give no text; the first one still uses up the prefix-space removal, as in llama.cpp.
    QCOMPARE(tokenizer->detokenize(std::vector<TokenId>{-5, 6, 1 << 30}), std::string(" a"));
    QCOMPARE(tokenizer->detokenize(std::vector<TokenId>{6, -5}), std::string("a"));

    QString error;
    const Tokenizer* gpt2 = loadTokenizer("ggml-vocab-gpt-2.gguf", &error);
    QVERIFY2(gpt2, qPrintable(error));
    for (TokenId id : gpt2->tokenize("\xFF\xFE<|endoftext|>\xC3", true, true))
        QVERIFY(id >= 0 && id < gpt2->vocabSize());
}

// A 5,000-character text with the 150k-token Qwen2 vocabulary takes milliseconds, not seconds.
void TestTokenizer::longTextIsFast()
{
    VELA_REQUIRE_FILE(path, "models/vocab/ggml-vocab-qwen2.gguf");
    QElapsedTimer load;
    load.start();
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    QVERIFY2(file, file.message().c_str());
    Result<Tokenizer> loaded = Tokenizer::fromGguf(*file);
    QVERIFY2(loaded, loaded.message().c_str());
    const qint64 loadMs = load.elapsed();
    qInfo("qwen2: GGUF read and 151,936 tokens + 151,387 merges loaded in %lld ms", loadMs);
    QVERIFY2(loadMs < 3000, qPrintable(QStringLiteral("loading took %1 ms").arg(loadMs)));
    const Tokenizer* tokenizer = &*loaded;
    std::string text;
    while (text.size() < 5000)
        text += "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ";
    text.resize(5000);
    QElapsedTimer timer;
    timer.start();
    const std::vector<TokenId> ids = tokenizer->tokenize(text, true, true);
    const qint64 ms = timer.elapsed();
    qInfo("qwen2: %zu ids for 5000 chars in %lld ms", ids.size(), ms);
    QVERIFY(ids.size() > 500);
    QVERIFY2(ms < 250, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
    QCOMPARE(tokenizer->detokenize(ids), text);
}

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
