// writeSyntheticLlama: files shaped like llama.cpp's own (checked against a llama.cpp-written fixture and the
// bench model's published shape), every weight type valid and readable, deterministic seeds, tokenizers that
// load, and clear refusals of impossible shapes.
#include "support/test_data.h"

#include "ref/dequantize.h"
#include "vela/gguf.h"
#include "vela/half.h"
#include "vela/synthetic_model.h"
#include "vela/tokenizer.h"

#include <QFile>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

using namespace vela;

Q_DECLARE_METATYPE(vela::SyntheticLlamaSpec)
Q_DECLARE_METATYPE(vela::GgmlType)

namespace {

SyntheticLlamaSpec smallSpec(GgmlType type = GgmlType::F16)
{
    SyntheticLlamaSpec spec;
    spec.nEmbd = 256;
    spec.nLayer = 2;
    spec.nHead = 4;
    spec.nHeadKv = 2;
    spec.nFf = 512;
    spec.nVocab = 300;
    spec.type = type;
    return spec;
}

std::string scratchPath(const QString& name)
{
    return (test::scratchDir() + "/" + name).toStdString();
}

QByteArray readAll(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool isMatrix(const GgufTensorInfo& t)
{
    return t.nDims == 2;
}

// Byte offsets of the f16 fields in one block of each quantized type (ggml-common.h).
std::vector<int> halfFieldOffsets(GgmlType type)
{
    switch (type) {
    case GgmlType::Q4_0: case GgmlType::Q5_0: case GgmlType::Q8_0: return {0};
    case GgmlType::Q4_1: case GgmlType::Q5_1: case GgmlType::Q4_K: case GgmlType::Q5_K: return {0, 2};
    case GgmlType::Q2_K: return {80, 82};
    case GgmlType::Q3_K: return {108};
    case GgmlType::Q6_K: return {208};
    default: return {};
    }
}

struct Moments {
    double mean = 0;
    double sd = 0;
    bool finite = true;
};

Moments momentsOf(const GgufFile& file, const GgufTensorInfo& t)
{
    const std::span<const uint8_t> data = file.tensorData(t);
    const auto rowLength = static_cast<int64_t>(t.dims[0]);
    const uint64_t rowBytes = *ggmlRowBytes(t.type, t.dims[0]);
    std::vector<float> row(rowLength);
    double sum = 0;
    double squares = 0;
    Moments m;
    for (uint64_t r = 0; r < t.elementCount() / t.dims[0]; ++r) {
        ref::dequantizeRow(t.type, data.data() + r * rowBytes, row.data(), rowLength);
        for (float v : row) {
            m.finite = m.finite && std::isfinite(v);
            sum += v;
            squares += double(v) * v;
        }
    }
    const double n = static_cast<double>(t.elementCount());
    m.mean = sum / n;
    m.sd = std::sqrt(std::max(0.0, squares / n - m.mean * m.mean));
    return m;
}

}  // namespace

class TestSyntheticLlama : public QObject {
    Q_OBJECT

private slots:
    void matchesLlamaCppFixture();
    void benchShapeAsPublished();
    void everyTypeReadsBack_data();
    void everyTypeReadsBack();
    void seedDecidesTheBytes();
    void builtInVocabularyTokenizes();
    void copiedVocabularyTokenizesLikeItsSource_data();
    void copiedVocabularyTokenizesLikeItsSource();
    void refusesImpossibleSpecs_data();
    void refusesImpossibleSpecs();
    void failedWriteLeavesNoFile();
    void writerStreamsDeclaredTensors();
};

// llama.cpp's gguf-py wrote llama-gqa (then llama-quantize made it Q8_0): same tensors, types and keys.
void TestSyntheticLlama::matchesLlamaCppFixture()
{
    VELA_REQUIRE_FILE(fixturePath, "models/synthetic/llama-gqa-Q8_0.gguf");
    Result<GgufFile> fixture = GgufFile::open(fixturePath.toStdString());
    QVERIFY2(fixture.isOk(), fixture.message().c_str());
    SyntheticLlamaSpec spec;
    spec.nEmbd = uint32_t(*fixture->getInt("llama.embedding_length"));
    spec.nLayer = uint32_t(*fixture->getInt("llama.block_count"));
    spec.nHead = uint32_t(*fixture->getInt("llama.attention.head_count"));
    spec.nHeadKv = uint32_t(*fixture->getInt("llama.attention.head_count_kv"));
    spec.nFf = uint32_t(*fixture->getInt("llama.feed_forward_length"));
    spec.nVocab = uint32_t(*fixture->getInt("llama.vocab_size"));
    spec.contextLength = uint32_t(*fixture->getInt("llama.context_length"));
    spec.type = GgmlType::Q8_0;
    spec.vocabPath = fixturePath.toStdString();
    const std::string path = scratchPath("like-llama-gqa.gguf");
    const Status written = writeSyntheticLlama(spec, path);
    QVERIFY2(written.isOk(), written.message().c_str());
    Result<GgufFile> ours = GgufFile::open(path);
    QVERIFY2(ours.isOk(), ours.message().c_str());

    QCOMPARE(ours->tensors().size(), fixture->tensors().size());
    for (const GgufTensorInfo& expected : fixture->tensors()) {
        const GgufTensorInfo* actual = ours->findTensor(expected.name);
        QVERIFY2(actual, expected.name.c_str());
        QCOMPARE(actual->nDims, expected.nDims);
        QCOMPARE(actual->dims, expected.dims);
        QCOMPARE(ggmlTypeName(actual->type), ggmlTypeName(expected.type));
        QCOMPARE(actual->byteSize, expected.byteSize);
    }
    for (const GgufKeyValue& kv : fixture->metadata()) {
        if (kv.key == "general.name" || kv.key == "general.description")
            continue;
        const GgufValue* value = ours->find(kv.key);
        QVERIFY2(value, kv.key.c_str());
        QCOMPARE(ggufValueTypeName(value->type()), ggufValueTypeName(kv.value.type()));
        QCOMPARE(value->toDisplayString(1000000), kv.value.toDisplayString(1000000));
    }
}

// The shape reference/llamacpp-bench.md gives for bench-llama-130m, written in the smallest type (Q2_K,
// ~50 MB) so the streaming writer is exercised on a real-size model quickly.
void TestSyntheticLlama::benchShapeAsPublished()
{
    SyntheticLlamaSpec spec;
    spec.nEmbd = 1024;
    spec.nLayer = 8;
    spec.nHead = 16;
    spec.nHeadKv = 4;
    spec.nFf = 2816;
    spec.nVocab = 32000;
    spec.type = GgmlType::Q2_K;
    const std::string path = scratchPath("bench-shape.gguf");
    const Status written = writeSyntheticLlama(spec, path);
    QVERIFY2(written.isOk(), written.message().c_str());
    Result<GgufFile> file = GgufFile::open(path);
    QVERIFY2(file.isOk(), file.message().c_str());

    uint64_t parameters = 0;
    for (const GgufTensorInfo& t : file->tensors())
        parameters += t.elementCount();
    QCOMPARE(parameters, uint64_t{155'730'944});
    QCOMPARE(file->tensors().size(), size_t{2 + 8 * 9 + 1});
    const std::map<std::string, std::array<uint64_t, 4>> shapes = {
        {"token_embd.weight", {1024, 32000, 1, 1}},   {"blk.7.attn_norm.weight", {1024, 1, 1, 1}},
        {"blk.7.attn_q.weight", {1024, 1024, 1, 1}},  {"blk.7.attn_k.weight", {1024, 256, 1, 1}},
        {"blk.7.attn_v.weight", {1024, 256, 1, 1}},   {"blk.7.attn_output.weight", {1024, 1024, 1, 1}},
        {"blk.7.ffn_norm.weight", {1024, 1, 1, 1}},   {"blk.7.ffn_gate.weight", {1024, 2816, 1, 1}},
        {"blk.7.ffn_up.weight", {1024, 2816, 1, 1}},  {"blk.7.ffn_down.weight", {2816, 1024, 1, 1}},
        {"output_norm.weight", {1024, 1, 1, 1}},      {"output.weight", {1024, 32000, 1, 1}},
    };
    for (const auto& [name, dims] : shapes) {
        const GgufTensorInfo* t = file->findTensor(name);
        QVERIFY2(t, name.c_str());
        QCOMPARE(t->dims, dims);
    }
    QCOMPARE(file->tensors().front().name, std::string("token_embd.weight"));
    QCOMPARE(file->tensors().back().name, std::string("output.weight"));
    QCOMPARE(*file->getInt("llama.rope.dimension_count"), int64_t{64});
    QCOMPARE(*file->getInt("llama.context_length"), int64_t{4096});
    QCOMPARE(*file->getInt("general.file_type"), int64_t{10});  // LLAMA_FTYPE_MOSTLY_Q2_K
    QCOMPARE(*file->getFloat("llama.rope.freq_base"), 10000.0);
    QCOMPARE(float(*file->getFloat("llama.attention.layer_norm_rms_epsilon")), 1e-5f);
    QCOMPARE(*file->getInt("llama.vocab_size"), int64_t{32000});
    QCOMPARE(file->find("tokenizer.ggml.tokens")->items().size(), size_t{32000});
    QFile::remove(QString::fromStdString(path));
}

void TestSyntheticLlama::everyTypeReadsBack_data()
{
    QTest::addColumn<GgmlType>("type");
    QTest::addColumn<int>("fileType");
    const std::pair<GgmlType, int> rows[] = {
        {GgmlType::F32, 0},   {GgmlType::F16, 1},   {GgmlType::BF16, 32}, {GgmlType::Q4_0, 2},
        {GgmlType::Q4_1, 3},  {GgmlType::Q5_0, 8},  {GgmlType::Q5_1, 9},  {GgmlType::Q8_0, 7},
        {GgmlType::Q2_K, 10}, {GgmlType::Q3_K, 11}, {GgmlType::Q4_K, 14}, {GgmlType::Q5_K, 16},
        {GgmlType::Q6_K, 18},
    };
    QCOMPARE(syntheticWeightTypes().size(), std::size(rows));
    for (const auto& [type, fileType] : rows)
        QTest::newRow(std::string(ggmlTypeName(type)).c_str()) << type << fileType;
}

// Matrices of the type asked for, norms F32, every f16 field a normal number, values ~ N(0, 0.02) after
// dequantization (norms ~ 1 + N(0, 0.02)).
void TestSyntheticLlama::everyTypeReadsBack()
{
    QFETCH(GgmlType, type);
    QFETCH(int, fileType);
    const SyntheticLlamaSpec spec = smallSpec(type);
    const std::string path = scratchPath(QString("type-%1.gguf").arg(int(type)));
    const Status written = writeSyntheticLlama(spec, path);
    QVERIFY2(written.isOk(), written.message().c_str());
    Result<GgufFile> file = GgufFile::open(path);
    QVERIFY2(file.isOk(), file.message().c_str());
    QCOMPARE(*file->getInt("general.file_type"), int64_t{fileType});

    const GgmlTypeInfo info = ggmlTypeInfo(type);
    for (const GgufTensorInfo& t : file->tensors()) {
        const QByteArray name = QByteArray::fromStdString(t.name);
        QCOMPARE(ggmlTypeName(t.type), ggmlTypeName(isMatrix(t) ? type : GgmlType::F32));
        QCOMPARE(t.byteSize, *ggmlRowBytes(t.type, t.elementCount()));
        QCOMPARE(file->tensorData(t).size(), size_t(t.byteSize));
        if (isMatrix(t)) {
            const std::span<const uint8_t> data = file->tensorData(t);
            for (size_t at = 0; at < data.size(); at += info.typeSize) {
                for (int offset : halfFieldOffsets(type)) {
                    uint16_t bits;
                    std::memcpy(&bits, data.data() + at + offset, 2);
                    const float scale = fp16ToFp32(bits);
                    if (!std::isnormal(scale))
                        QFAIL(qPrintable(name + ": f16 field is not a normal number: " + QByteArray::number(scale)));
                }
            }
        }
        const Moments m = momentsOf(*file, t);
        QVERIFY2(m.finite, name);
        // Five standard errors of a mean of N(·, 0.02) samples.
        const double meanTolerance = 5 * 0.02 / std::sqrt(double(t.elementCount()));
        const double expectedMean = isMatrix(t) ? 0.0 : 1.0;
        if (std::abs(m.mean - expectedMean) > meanTolerance || m.sd < 0.015 || m.sd > 0.025)
            QFAIL(qPrintable(name + QString(": mean %1, sd %2").arg(m.mean).arg(m.sd)));
    }
}

void TestSyntheticLlama::seedDecidesTheBytes()
{
    SyntheticLlamaSpec spec = smallSpec(GgmlType::Q4_K);
    const std::string first = scratchPath("seed-a.gguf");
    const std::string again = scratchPath("seed-b.gguf");
    const std::string other = scratchPath("seed-c.gguf");
    QVERIFY(writeSyntheticLlama(spec, first).isOk());
    QVERIFY(writeSyntheticLlama(spec, again).isOk());
    spec.seed = 43;
    QVERIFY(writeSyntheticLlama(spec, other).isOk());
    const QByteArray a = readAll(first);
    QVERIFY(!a.isEmpty());
    QCOMPARE(readAll(again), a);
    const QByteArray c = readAll(other);
    QCOMPARE(c.size(), a.size());
    QVERIFY(c != a);

    // Every tensor differs with the seed, and no two tensors share data.
    Result<GgufFile> fa = GgufFile::open(first);
    Result<GgufFile> fc = GgufFile::open(other);
    QVERIFY(fa.isOk() && fc.isOk());
    std::set<QByteArray> seen;
    for (const GgufTensorInfo& t : fa->tensors()) {
        const std::span<const uint8_t> x = fa->tensorData(t);
        const std::span<const uint8_t> y = fc->tensorData(*fc->findTensor(t.name));
        QVERIFY2(!std::equal(x.begin(), x.end(), y.begin(), y.end()), t.name.c_str());
        QVERIFY2(seen.insert(QByteArray(reinterpret_cast<const char*>(x.data()), qsizetype(x.size()))).second,
                 t.name.c_str());
    }
}

void TestSyntheticLlama::builtInVocabularyTokenizes()
{
    for (uint32_t nVocab : {259u, 300u, 32000u}) {
        SyntheticLlamaSpec spec = smallSpec(GgmlType::Q8_0);
        spec.nLayer = 1;
        spec.nVocab = nVocab;
        const std::string path = scratchPath(QString("vocab-%1.gguf").arg(nVocab));
        const Status written = writeSyntheticLlama(spec, path);
        QVERIFY2(written.isOk(), written.message().c_str());
        Result<GgufFile> file = GgufFile::open(path);
        QVERIFY(file.isOk());
        Result<Tokenizer> tokenizer = Tokenizer::fromGguf(*file);
        QVERIFY2(tokenizer.isOk(), tokenizer.message().c_str());
        QCOMPARE(tokenizer->vocabSize(), int32_t(nVocab));
        QCOMPARE(tokenizer->modelName(), std::string_view("llama"));
        QCOMPARE(tokenizer->specialTokens().bos, TokenId{1});
        QCOMPARE(tokenizer->specialTokens().eos, TokenId{2});
        QCOMPARE(tokenizer->tokenType(3), TokenType::Byte);
        QCOMPARE(tokenizer->tokenText(3 + 0x41), std::string_view("<0x41>"));

        const std::string text = "Hello world, this is a synthetic model: caf\xC3\xA9 \xE2\x82\xAC 42!";
        const std::vector<TokenId> ids = tokenizer->tokenize(text, true, false);
        QCOMPARE(ids.front(), TokenId{1});
        for (TokenId id : ids)
            QVERIFY(id >= 0 && id < int32_t(nVocab));
        // Round trip once "▁" is a piece (from 260 tokens on); byte tokens alone give back its raw bytes, as in
        // llama.cpp.
        if (nVocab > 259)
            QCOMPARE(QByteArray::fromStdString(tokenizer->detokenize(std::span(ids).subspan(1))),
                     QByteArray::fromStdString(text));
        if (nVocab == 32000) {
            // Every "▁" + word of up to three letters is a piece: one token per word.
            QCOMPARE(tokenizer->tokenize("the cat sat on a mat", false, false).size(), size_t{6});
            QVERIFY2(ids.size() < text.size() * 2 / 3, qPrintable(QString::number(ids.size())));
        }
        if (nVocab == 259) {  // bytes only: BOS, then one token per byte of "▁Hello▁world…" (▁ is 3 bytes)
            const auto spaces = size_t(std::count(text.begin(), text.end(), ' '));
            QCOMPARE(ids.size(), 1 + 3 + text.size() + 2 * spaces);
        }
    }
}

void TestSyntheticLlama::copiedVocabularyTokenizesLikeItsSource_data()
{
    QTest::addColumn<QString>("vocab");
    QTest::addColumn<uint32_t>("nVocab");
    QTest::newRow("llama-spm") << "models/vocab/ggml-vocab-llama-spm.gguf" << 32000u;
    QTest::newRow("gpt-2 (bpe)") << "models/vocab/ggml-vocab-gpt-2.gguf" << 50257u;
}

void TestSyntheticLlama::copiedVocabularyTokenizesLikeItsSource()
{
    QFETCH(QString, vocab);
    QFETCH(uint32_t, nVocab);
    VELA_REQUIRE_FILE(vocabPath, vocab);
    Result<GgufFile> source = GgufFile::open(vocabPath.toStdString());
    QVERIFY(source.isOk());
    SyntheticLlamaSpec spec = smallSpec(GgmlType::F16);
    spec.nEmbd = 64;
    spec.nHead = 2;
    spec.nHeadKv = 1;
    spec.nFf = 128;
    spec.nLayer = 1;
    spec.nVocab = nVocab;
    spec.vocabPath = vocabPath.toStdString();
    const std::string path = scratchPath("copied-vocab.gguf");
    const Status written = writeSyntheticLlama(spec, path);
    QVERIFY2(written.isOk(), written.message().c_str());
    Result<GgufFile> file = GgufFile::open(path);
    QVERIFY(file.isOk());

    size_t copied = 0;
    for (const GgufKeyValue& kv : source->metadata()) {
        if (!kv.key.starts_with("tokenizer."))
            continue;
        ++copied;
        const GgufValue* value = file->find(kv.key);
        QVERIFY2(value, kv.key.c_str());
        QCOMPARE(value->toDisplayString(1000000), kv.value.toDisplayString(1000000));
    }
    QVERIFY(copied >= 5);

    Result<Tokenizer> expected = Tokenizer::fromGguf(*source);
    Result<Tokenizer> actual = Tokenizer::fromGguf(*file);
    QVERIFY2(actual.isOk(), actual.message().c_str());
    for (const char* text : {"Hello world", " leading space and   runs", "caf\xC3\xA9 \xF0\x9F\x98\x80 123456",
                             "<s> special</s>\n\ttabs"}) {
        QCOMPARE(actual->tokenize(text, true, true), expected->tokenize(text, true, true));
        QCOMPARE(actual->tokenize(text, false, false), expected->tokenize(text, false, false));
    }
}

void TestSyntheticLlama::refusesImpossibleSpecs_data()
{
    QTest::addColumn<SyntheticLlamaSpec>("spec");
    QTest::addColumn<QString>("message");
    SyntheticLlamaSpec s = smallSpec();
    s.architecture = "qwen3";
    QTest::newRow("architecture") << s << "unsupported architecture 'qwen3' for synth (supported: llama)";
    s = smallSpec(GgmlType::IQ2_XXS);
    QTest::newRow("type") << s << "type IQ2_XXS is not supported for synth (supported: F32, F16, BF16, Q4_0";
    s = smallSpec();
    s.nHead = 6;
    QTest::newRow("n_embd % n_head") << s << "n_embd 256 is not a multiple of n_head 6";
    s = smallSpec();
    s.nHeadKv = 3;
    QTest::newRow("n_head % n_head_kv") << s << "n_head 4 is not a multiple of n_head_kv 3";
    s = smallSpec();
    s.nEmbd = 12;
    s.nHead = 4;
    QTest::newRow("odd head size") << s << "n_head = 3 must be even";
    s = smallSpec(GgmlType::Q4_K);
    s.nEmbd = 320;
    QTest::newRow("row vs K block") << s
        << "n_embd 320 is not a multiple of the Q4_K block size 256 (matrix rows must be whole blocks): use n_embd "
           "and n_ff that are multiples of 256, or one of the types that fit these sizes: F32, F16, BF16, Q4_0, "
           "Q4_1, Q5_0, Q5_1, Q8_0";
    s = smallSpec(GgmlType::Q8_0);
    s.nFf = 100;
    QTest::newRow("ffn row vs block") << s << "n_ff 100 is not a multiple of the Q8_0 block size 32";
    s = smallSpec();
    s.nVocab = 258;
    QTest::newRow("vocab too small") << s << "n_vocab 258 is too small for the built-in vocabulary (at least 259";
    s = smallSpec();
    s.nLayer = 0;
    QTest::newRow("no layers") << s << "n_layer must be at least 1";
    s = smallSpec();
    s.vocabPath = test::testDataDir().toStdString() + "/models/vocab/ggml-vocab-llama-spm.gguf";
    QTest::newRow("vocab size mismatch") << s << "has 32000 tokens, but n_vocab is 300 (make them equal)";
    s = smallSpec();
    s.vocabPath = test::testDataDir().toStdString() + "/models/no-such-vocab.gguf";
    QTest::newRow("vocab missing") << s << "no-such-vocab.gguf";
}

void TestSyntheticLlama::refusesImpossibleSpecs()
{
    QFETCH(SyntheticLlamaSpec, spec);
    QFETCH(QString, message);
    const std::string path = scratchPath("refused.gguf");
    const Status status = writeSyntheticLlama(spec, path);
    QVERIFY(!status.isOk());
    QVERIFY2(QString::fromStdString(status.message()).contains(message), status.message().c_str());
    QVERIFY(!QFile::exists(QString::fromStdString(path)));
    QVERIFY(!QFile::exists(QString::fromStdString(path + ".part")));
}

void TestSyntheticLlama::failedWriteLeavesNoFile()
{
    const std::string path = scratchPath("no-such-folder/model.gguf");
    const Status status = writeSyntheticLlama(smallSpec(), path);
    QVERIFY(!status.isOk());
    QVERIFY2(status.message().find("no-such-folder/model.gguf") != std::string::npos, status.message().c_str());
}

// Declared tensors get their bytes from the filler, in order; toBytes() leaves them zero; a filler's failure
// removes the half-written file.
void TestSyntheticLlama::writerStreamsDeclaredTensors()
{
    GgufWriter writer;
    writer.setString("general.architecture", "test");
    QVERIFY(writer.addTensor("stored", GgmlType::F32, {3}, {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}).isOk());
    QVERIFY(writer.declareTensor("streamed", GgmlType::Q8_0, {32, 2}).isOk());
    QVERIFY(!writer.declareTensor("bad", GgmlType::Q8_0, {33}).isOk());
    const std::string path = scratchPath("streamed.gguf");
    QVERIFY(!writer.writeFile(path).isOk());  // declared tensor but no filler
    std::vector<size_t> asked;
    const Status written = writer.writeFile(path, [&](size_t index, std::span<uint8_t> bytes) {
        asked.push_back(index);
        for (size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = uint8_t(i);
        return Status();
    });
    QVERIFY2(written.isOk(), written.message().c_str());
    QCOMPARE(asked, std::vector<size_t>{1});
    Result<GgufFile> file = GgufFile::open(path);
    QVERIFY(file.isOk());
    const std::span<const uint8_t> streamed = file->tensorData(*file->findTensor("streamed"));
    QCOMPARE(streamed.size(), size_t{68});
    QCOMPARE(int(streamed[67]), 67);
    QCOMPARE(int(file->tensorData(*file->findTensor("stored"))[4]), 2);

    const std::vector<uint8_t> image = writer.toBytes();
    QCOMPARE(image.size(), size_t(QFile(QString::fromStdString(path)).size()));
    const size_t streamedStart = image.size() - 96;  // 68 bytes padded to 96 end the file
    QCOMPARE(int(image[streamedStart + 66]), 0);     // the declared tensor's data is zeros here

    const std::string failing = scratchPath("failing.gguf");
    const Status refused = writer.writeFile(failing, [](size_t, std::span<uint8_t>) {
        return Status::failure("no more data");
    });
    QVERIFY(!refused.isOk());
    QVERIFY2(refused.message().find("'streamed': no more data") != std::string::npos, refused.message().c_str());
    QVERIFY(!QFile::exists(QString::fromStdString(failing)));
    QVERIFY(!QFile::exists(QString::fromStdString(failing + ".part")));
}

QTEST_GUILESS_MAIN(TestSyntheticLlama)
#include "tst_synthetic_llama.moc"
