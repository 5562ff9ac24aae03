// LoRA adapters (llama.cpp's adapter GGUF) applied on the device, against the same adapters merged into the
// weights on the CPU: a random F32 llama (vela synth) and random adapters written at test time, the merged
// model written beside them (W + s·B·A in double, rounded once to f32), and every position's logits of a
// prompt (the batched matmul path) plus one decoded token (the matvec path) compared.
//
// Tolerance: max|Δlogit| ≤ 1e-4 · max|logit|. Both sides compute the same function in f32 and differ only in
// rounding order (W'·x against W·x + s·B·(A·x), ~1e-6 relative here); the adapters themselves move the logits
// by more than 1e-1 relative, three orders of magnitude above it (scaleChangesLogits checks that).
#include "support/lora_fixture.h"
#include "support/test_data.h"

#include "vela/gguf.h"
#include "vela/language_model.h"
#include "vela/synthetic_model.h"

#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace vela;

namespace {

constexpr double kTolerance = 1e-4;
const std::vector<TokenId> kPrompt = {1, 57, 102, 260, 7, 311, 12, 45, 199};
constexpr TokenId kDecoded = 88;

struct Comparison {
    double maxDelta = 0;
    double maxLogit = 0;
    int argmaxMismatches = 0;
    double relative() const { return maxLogit > 0 ? maxDelta / maxLogit : maxDelta; }
};

std::string scratch(const QString& name)
{
    return (test::scratchDir() + "/" + name).toStdString();
}

// The prompt's logits at every position, then the next token's (n_vocab each); empty with `error` on failure.
std::vector<float> runLogits(const std::string& model, const std::vector<LoraAdapter>& adapters, QString& error,
                             uint64_t* deviceBytes = nullptr)
{
    LoadOptions options;
    options.validation = true;
    options.contextLength = 64;
    options.loraAdapters = adapters;
    Result<std::unique_ptr<LanguageModel>> lm = LanguageModel::load(model, options);
    if (!lm) {
        error = QString::fromStdString(lm.message());
        return {};
    }
    Result<std::unique_ptr<Session>> session = (*lm)->createSession({.contextLength = 64});
    std::vector<float> all, last;
    Status s = session ? (*session)->evaluate(kPrompt, Logits::All, all) : session.status();
    if (s)
        s = (*session)->evaluate(std::vector<TokenId>{kDecoded}, Logits::Last, last);
    const std::vector<std::string> validation = (*lm)->validationErrors();
    if (!s || !validation.empty()) {
        error = QString::fromStdString(!s ? s.message() : validation.front());
        return {};
    }
    if (deviceBytes)
        *deviceBytes = (*lm)->deviceBytes();
    all.insert(all.end(), last.begin(), last.end());
    return all;
}

Comparison compare(const std::vector<float>& got, const std::vector<float>& want, size_t vocab)
{
    Comparison c;
    for (size_t i = 0; i < want.size(); ++i) {
        c.maxDelta = std::max(c.maxDelta, double(std::abs(got[i] - want[i])));
        c.maxLogit = std::max(c.maxLogit, double(std::abs(want[i])));
    }
    for (size_t row = 0; row < want.size() / vocab; ++row) {
        const auto g = got.begin() + row * vocab, w = want.begin() + row * vocab;
        c.argmaxMismatches += std::max_element(g, g + vocab) - g != std::max_element(w, w + vocab) - w;
    }
    return c;
}

std::vector<uint8_t> zeros(GgmlType type, uint64_t n)
{
    return std::vector<uint8_t>(*ggmlRowBytes(type, n));
}

}  // namespace

class TestLoraAdapter : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void matchesTheMergedModel_data();
    void matchesTheMergedModel();
    void twoAdaptersAddUp();
    void scaleZeroIsTheBaseModel();
    void scaleChangesLogits();
    void refusesMismatchedAdapters_data();
    void refusesMismatchedAdapters();

private:
    std::vector<test::LoraPairData> pairs(const std::vector<std::string>& bases, uint32_t rank, GgmlType type,
                                          uint32_t seed) const;
    std::string adapter(const QString& name, float alpha, const std::vector<test::LoraPairData>& pairs) const;
    std::string merged(const QString& name, const std::vector<test::LoraMerge>& merges) const;

    std::string m_base;
    std::unique_ptr<GgufFile> m_model;
    size_t m_vocab = 0;
    std::vector<float> m_baseLogits;
    uint64_t m_baseBytes = 0;
};

std::vector<test::LoraPairData> TestLoraAdapter::pairs(const std::vector<std::string>& bases, uint32_t rank,
                                                       GgmlType type, uint32_t seed) const
{
    std::vector<test::LoraPairData> out;
    for (const std::string& base : bases)
        out.push_back(test::randomLoraPair(*m_model, base, rank, type, 0.1f, seed++));
    return out;
}

std::string TestLoraAdapter::adapter(const QString& name, float alpha, const std::vector<test::LoraPairData>& p) const
{
    const std::string path = scratch(name);
    const std::string error = test::writeLoraAdapter(path, "llama", alpha, p);
    return error.empty() ? path : std::string();
}

std::string TestLoraAdapter::merged(const QString& name, const std::vector<test::LoraMerge>& merges) const
{
    const std::string path = scratch(name);
    return test::writeMergedModel(m_base, path, merges).empty() ? path : std::string();
}

void TestLoraAdapter::initTestCase()
{
    SyntheticLlamaSpec spec;
    spec.nEmbd = 128;
    spec.nLayer = 2;
    spec.nHead = 4;
    spec.nHeadKv = 2;
    spec.nFf = 256;
    spec.nVocab = 320;
    spec.type = GgmlType::F32;  // so that merging on the CPU is exact up to one rounding
    m_base = scratch("base.gguf");
    const Status written = writeSyntheticLlama(spec, m_base);
    QVERIFY2(written.isOk(), written.message().c_str());
    Result<GgufFile> model = GgufFile::open(m_base);
    QVERIFY(model.isOk());
    m_model = std::make_unique<GgufFile>(std::move(model).value());
    m_vocab = spec.nVocab;
    QString error;
    m_baseLogits = runLogits(m_base, {}, error, &m_baseBytes);
    QVERIFY2(!m_baseLogits.empty(), qPrintable(error));
}

void TestLoraAdapter::matchesTheMergedModel_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("rank");
    QTest::addColumn<float>("alpha");
    QTest::addColumn<float>("scale");
    QTest::addColumn<QStringList>("targets");
    const QStringList qvDownOutput{"blk.0.attn_q.weight", "blk.1.attn_v.weight", "blk.0.ffn_down.weight",
                                   "output.weight"};
    const QStringList everyMatrix{"blk.0.attn_q.weight",   "blk.0.attn_k.weight", "blk.0.attn_v.weight",
                                  "blk.1.attn_output.weight", "blk.1.ffn_gate.weight", "blk.1.ffn_up.weight",
                                  "blk.1.ffn_down.weight",  "output.weight"};
    QTest::newRow("f32 q v down output, alpha 16 rank 8") << int(GgmlType::F32) << 8 << 16.0f << 1.0f << qvDownOutput;
    QTest::newRow("f16 every matrix, no alpha, rank 4") << int(GgmlType::F16) << 4 << 0.0f << 1.0f << everyMatrix;
    QTest::newRow("f32 at scale 0.5") << int(GgmlType::F32) << 8 << 16.0f << 0.5f << qvDownOutput;
    QTest::newRow("f16 at scale -1") << int(GgmlType::F16) << 8 << 8.0f << -1.0f << qvDownOutput;
    QTest::newRow("q8_0 rank 32") << int(GgmlType::Q8_0) << 32 << 8.0f << 1.0f << everyMatrix;
}

void TestLoraAdapter::matchesTheMergedModel()
{
    QFETCH(int, type);
    QFETCH(int, rank);
    QFETCH(float, alpha);
    QFETCH(float, scale);
    QFETCH(QStringList, targets);
    std::vector<std::string> bases;
    for (const QString& t : targets)
        bases.push_back(t.toStdString());
    const std::vector<test::LoraPairData> p = pairs(bases, rank, static_cast<GgmlType>(type), 7);
    const std::string lora = adapter("adapter.gguf", alpha, p);
    const float factor = alpha != 0.0f ? scale * alpha / float(rank) : scale;
    const std::string model = merged("merged.gguf", {{&p, factor}});
    QVERIFY(!lora.empty() && !model.empty());

    QString error;
    uint64_t adaptedBytes = 0;
    const std::vector<float> adapted = runLogits(m_base, {{lora, scale}}, error, &adaptedBytes);
    QVERIFY2(!adapted.empty(), qPrintable(error));
    const std::vector<float> want = runLogits(model, {}, error);
    QVERIFY2(!want.empty(), qPrintable(error));
    const Comparison c = compare(adapted, want, m_vocab);
    const Comparison moved = compare(adapted, m_baseLogits, m_vocab);
    qInfo("%s: max|Δ| vs merged %.3e of max|logit| %.3f (relative %.2e), argmax mismatches %d of %zu rows; "
          "the adapter moved the logits by %.2e relative",
          QTest::currentDataTag(), c.maxDelta, c.maxLogit, c.relative(), c.argmaxMismatches, kPrompt.size() + 1,
          moved.relative());
    QVERIFY2(c.relative() <= kTolerance, qPrintable(QString::number(c.relative())));
    QCOMPARE(c.argmaxMismatches, 0);
    QVERIFY(moved.relative() > 100 * kTolerance);  // the comparison means something

    // The adapter's tensors are on the device too (DeviceWeights counts their bytes).
    uint64_t adapterBytes = 0;
    for (const test::LoraPairData& pair : p)
        adapterBytes += *ggmlRowBytes(pair.type, pair.nIn) * pair.rank + *ggmlRowBytes(pair.type, pair.rank) * pair.nOut;
    QCOMPARE(adaptedBytes, m_baseBytes + adapterBytes);
}

void TestLoraAdapter::twoAdaptersAddUp()
{
    const std::vector<test::LoraPairData> first = pairs({"blk.0.attn_q.weight", "blk.1.ffn_down.weight"}, 8,
                                                        GgmlType::F32, 21);
    // The second adapts an overlapping set of matrices: both terms are added to blk.0.attn_q.
    const std::vector<test::LoraPairData> second = pairs({"blk.0.attn_q.weight", "blk.1.attn_v.weight", "output.weight"},
                                                         4, GgmlType::F16, 31);
    const std::string a = adapter("first.gguf", 16.0f, first), b = adapter("second.gguf", 0.0f, second);
    const std::string model = merged("merged-both.gguf", {{&first, 0.7f * 16.0f / 8}, {&second, 1.3f}});
    QVERIFY(!a.empty() && !b.empty() && !model.empty());
    QString error;
    const std::vector<float> adapted = runLogits(m_base, {{a, 0.7f}, {b, 1.3f}}, error);
    QVERIFY2(!adapted.empty(), qPrintable(error));
    const std::vector<float> want = runLogits(model, {}, error);
    QVERIFY2(!want.empty(), qPrintable(error));
    const Comparison c = compare(adapted, want, m_vocab);
    qInfo("two adapters: max|Δ| vs merged %.3e of max|logit| %.3f (relative %.2e), argmax mismatches %d", c.maxDelta,
          c.maxLogit, c.relative(), c.argmaxMismatches);
    QVERIFY2(c.relative() <= kTolerance, qPrintable(QString::number(c.relative())));
    QCOMPARE(c.argmaxMismatches, 0);
}

void TestLoraAdapter::scaleZeroIsTheBaseModel()
{
    const std::string lora = adapter("zero.gguf", 16.0f,
                                     pairs({"blk.0.attn_q.weight", "blk.1.ffn_up.weight", "output.weight"}, 8,
                                           GgmlType::F32, 41));
    QVERIFY(!lora.empty());
    QString error;
    uint64_t bytes = 0;
    const std::vector<float> logits = runLogits(m_base, {{lora, 0.0f}}, error, &bytes);
    QVERIFY2(!logits.empty(), qPrintable(error));
    const Comparison c = compare(logits, m_baseLogits, m_vocab);
    qInfo("scale 0: max|Δ| vs the base model %.3e", c.maxDelta);
    QCOMPARE(c.maxDelta, 0.0);  // bit for bit: no term is recorded at all
    QCOMPARE(bytes, m_baseBytes);
}

void TestLoraAdapter::scaleChangesLogits()
{
    const std::string lora = adapter("half.gguf", 16.0f, pairs({"blk.0.attn_v.weight", "blk.1.ffn_gate.weight"}, 8,
                                                               GgmlType::F32, 51));
    QVERIFY(!lora.empty());
    QString error;
    const std::vector<float> half = runLogits(m_base, {{lora, 0.5f}}, error);
    const std::vector<float> full = runLogits(m_base, {{lora, 1.0f}}, error);
    QVERIFY2(!half.empty() && !full.empty(), qPrintable(error));
    const Comparison c = compare(half, full, m_vocab);
    qInfo("scale 0.5 vs 1: max|Δ| %.3e (relative %.2e)", c.maxDelta, c.relative());
    QVERIFY(c.relative() > 100 * kTolerance);
}

void TestLoraAdapter::refusesMismatchedAdapters_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason");
    QTest::newRow("wrong architecture") << "arch" << "the adapter is for architecture 'qwen2', the model is 'llama'";
    QTest::newRow("wrong shape") << "shape" << "wrong shape for 'blk.0.attn_q.weight' [128, 128]";
    QTest::newRow("missing lora_b") << "half" << "'blk.0.attn_q.weight.lora_a' has no partner 'blk.0.attn_q.weight.lora_b'";
    QTest::newRow("lora_a not transposed") << "transposed" << "lora_a is not transposed";
    QTest::newRow("unknown base tensor") << "unknown" << "'blk.7.attn_q.weight' is not a tensor of the model";
    QTest::newRow("not an adapter") << "model" << "not a LoRA adapter";
    QTest::newRow("not lora") << "kind" << "only LoRA adapters ('lora') are supported";
    QTest::newRow("token embedding") << "embedding" << "adapting 'token_embd.weight' is not supported";
    QTest::newRow("norm") << "norm" << "adapting 'blk.0.attn_norm.weight' is not supported";
    QTest::newRow("stray tensor") << "stray" << "unexpected tensor 'blk.0.attn_q.weight'";
    QTest::newRow("refused at scale 0 too") << "arch0" << "the adapter is for architecture 'qwen2'";
}

void TestLoraAdapter::refusesMismatchedAdapters()
{
    QFETCH(QString, kind);
    QFETCH(QString, reason);
    std::string path = scratch("refused-" + kind + ".gguf");
    const test::LoraPairData q = test::randomLoraPair(*m_model, "blk.0.attn_q.weight", 8, GgmlType::F32, 0.1f, 3);
    GgufWriter writer = test::loraAdapterWriter(kind.startsWith("arch") ? "qwen2" : "llama", 16.0f);
    const auto zeroPair = [&](const std::string& base, std::vector<uint64_t> a, std::vector<uint64_t> b) {
        QVERIFY(writer.addTensor(base + ".lora_a", GgmlType::F32, a, zeros(GgmlType::F32, a[0] * a[1])).isOk());
        QVERIFY(writer.addTensor(base + ".lora_b", GgmlType::F32, b, zeros(GgmlType::F32, b[0] * b[1])).isOk());
    };
    if (kind == "shape")
        zeroPair("blk.0.attn_q.weight", {64, 8}, {8, 128});
    else if (kind == "transposed")
        zeroPair("blk.0.attn_q.weight", {128, 8}, {4, 128});
    else if (kind == "unknown")
        zeroPair("blk.7.attn_q.weight", {128, 8}, {8, 128});
    else if (kind == "embedding")
        zeroPair("token_embd.weight", {128, 8}, {8, 320});
    else if (kind == "norm")
        zeroPair("blk.0.attn_norm.weight", {128, 8}, {8, 1});
    else if (kind == "stray")
        QVERIFY(writer.addTensor("blk.0.attn_q.weight", GgmlType::F32, {128, 128}, zeros(GgmlType::F32, 128 * 128)).isOk());
    else
        QVERIFY(test::addLoraPair(writer, q, true, kind != "half").isOk());
    if (kind == "kind")
        writer.setString("adapter.type", "control_vector");
    if (kind == "model")
        path = m_base;  // a model, not an adapter
    else
        QVERIFY(writer.writeFile(path).isOk());

    LoadOptions options;
    options.loraAdapters = {{path, kind == "arch0" ? 0.0f : 1.0f}};
    Result<std::unique_ptr<LanguageModel>> lm = LanguageModel::load(m_base, options);
    QVERIFY(!lm.isOk());
    const QString message = QString::fromStdString(lm.message());
    qInfo("%s", qPrintable(message));
    QVERIFY2(message.startsWith(QString::fromStdString(path) + ": "), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
    // The same verdict without a device, as the app asks before it reloads a model.
    const Status checked = LanguageModel::checkLoraAdapter(m_base, path);
    QCOMPARE(QString::fromStdString(checked.message()), message);
}

QTEST_GUILESS_MAIN(TestLoraAdapter)
#include "tst_lora_adapter.moc"
