// The Llama family (llama, qwen2, qwen3, gemma 1/2/3, phi2, phi3; MoE: llama, qwen2moe, qwen3moe, grok, deepseek2) on Vulkan
// against llama.cpp's goldens (reference/logits): every model and quant type with goldens, every prompt:
// last-token logits within 0.03·max|logit| and cosine ≥ 0.9995; teacher-forced logits of prompt + golden continuation (Logits::All)
// pick the golden token wherever llama.cpp's margin exceeds 0.02; stories260K's 64-token greedy continuation
// token for token. Also: fixed device memory while generating, cancellation within 100 ms, and refused files.
#include "support/logits_golden.h"
#include "support/model_copy.h"
#include "support/test_data.h"

#include "vela/gguf.h"
#include "vela/language_model.h"
#include "vela/llama_params.h"

#include <QElapsedTimer>
#include <QtTest>

#include <chrono>
#include <random>
#include <thread>

using namespace vela;

namespace {

std::unique_ptr<LanguageModel> loadOrFail(const QString& path, QString& error, bool profile = false)
{
    LoadOptions options;
    options.validation = true;
    options.profile = profile;
    Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load(path.toStdString(), options);
    if (!model) {
        error = QString::fromStdString(model.message());
        return nullptr;
    }
    return std::move(model).value();
}

// Fails the test when the validation layer saw an error while the model ran.
#define CHECK_NO_VALIDATION_ERRORS(model)                                                   \
    do {                                                                                   \
        const std::vector<std::string> errors_ = (model)->validationErrors();               \
        QVERIFY2(errors_.empty(), errors_.empty() ? "" : errors_.front().c_str());          \
    } while (0)

}  // namespace

class TestLlamaModel : public QObject {
    Q_OBJECT

private slots:
    void matchesGoldens_data();
    void matchesGoldens();
    void greedyContinuationIsExact();
    void reusesCommonPrefix();
    void memoryStaysFixedWhileGenerating();
    void cancelsGenerationWithin100ms();
    void cancelsPromptAndStaysUsable();
    void cancelsLoading();
    void refusesModelTooBigForDevice();
    void refusesUnsupportedModels();
    void moeReadsOnlyTheChosenExperts_data();
    void moeReadsOnlyTheChosenExperts();
    void deepseekExpertGroups_data();
    void deepseekExpertGroups();
    void grokDenseFfnBesideExperts_data();
    void grokDenseFfnBesideExperts();
    void longropeSwitchesToLongFactors();
};

void TestLlamaModel::matchesGoldens_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("golden");
    for (const auto& [name, path] : test::llamaFamilyGoldenModels()) {
        for (const QString prompt : {"p8", "p100", "p600"})
            QTest::newRow(qPrintable(name + "__" + prompt)) << path << name + "__" + prompt;
    }
}

void TestLlamaModel::matchesGoldens()
{
    QFETCH(QString, model);
    QFETCH(QString, golden);
    VELA_REQUIRE_FILE(path, model);
    test::LogitsGolden g;
    QVERIFY2(test::readLogitsGolden(golden, g), qPrintable("golden missing: " + golden));
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    const uint32_t vocab = lm->info().vocabSize;
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 1024, .batchSize = 512});
    QVERIFY2(session.isOk(), session.message().c_str());

    // 1. The prompt's last logits.
    std::vector<float> logits;
    const Status evaluated = (*session)->evaluate(g.promptIds, Logits::Last, logits);
    QVERIFY2(evaluated.isOk(), evaluated.message().c_str());
    QCOMPARE(logits.size(), size_t(vocab));
    const test::LogitsComparison c = test::compareLogits(logits.data(), g.logits);

    // 2. Teacher forcing: prompt + golden continuation in one pass, every position's logits.
    std::vector<int32_t> forced = g.promptIds;
    forced.insert(forced.end(), g.greedyIds.begin(), g.greedyIds.end() - 1);
    (*session)->truncate(0);
    std::vector<float> all;
    const Status forcedOk = (*session)->evaluate(forced, Logits::All, all);
    QVERIFY2(forcedOk.isOk(), forcedOk.message().c_str());
    QCOMPARE(all.size(), forced.size() * vocab);
    int compared = 0, agreed = 0;
    for (size_t step = 0; step < g.greedyIds.size(); ++step) {
        if (g.margins[step] <= test::kMinGreedyMargin)
            continue;
        const size_t row = g.promptIds.size() - 1 + step;
        ++compared;
        agreed += test::argmaxOf(all.data() + row * vocab, vocab) == g.greedyIds[step];
    }
    qInfo("%-28s n=%3zu: max|dlogit| %.3e of max|logit| %.3f (relative %.2e), cosine %.9f; teacher-forced argmax "
          "%d/%d",
          qPrintable(golden), g.promptIds.size(), c.maxDelta, c.maxLogit, c.relative(), c.cosine, agreed, compared);
    QVERIFY2(c.relative() <= test::kMaxRelativeLogitDelta, qPrintable(QString::number(c.relative())));
    QVERIFY2(c.cosine >= test::kMinLogitCosine, qPrintable(QString::number(c.cosine, 'g', 10)));
    QCOMPARE(agreed, compared);
    CHECK_NO_VALIDATION_ERRORS(lm);
}

void TestLlamaModel::greedyContinuationIsExact()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    test::LogitsGolden g;
    QVERIFY(test::readLogitsGolden("stories260K__once64", g));
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    QCOMPARE(lm->tokenizer().tokenize("Once upon a time", true, true), g.promptIds);
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 256});
    QVERIFY(session.isOk());
    std::vector<float> logits;
    std::vector<int32_t> prefix(g.promptIds.begin(), g.promptIds.end() - 1);
    QVERIFY((*session)->evaluate(prefix, Logits::None, logits).isOk());
    TokenId next = g.promptIds.back();
    std::vector<int32_t> generated;
    for (size_t i = 0; i < g.greedyIds.size(); ++i) {
        Result<TokenId> id = (*session)->evaluateGreedy(next);
        QVERIFY2(id.isOk(), id.message().c_str());
        generated.push_back(*id);
        next = *id;
    }
    QCOMPARE(generated, g.greedyIds);
    QCOMPARE(QString::fromStdString(lm->tokenizer().detokenize(generated)), g.greedyText);
    CHECK_NO_VALIDATION_ERRORS(lm);
}

// A second turn that shares a prefix with the first evaluates only the new tokens, with the same logits as
// a fresh evaluation of the whole sequence.
void TestLlamaModel::reusesCommonPrefix()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    const Tokenizer& t = lm->tokenizer();
    const std::vector<TokenId> first = t.tokenize("Once upon a time, there was a little dog.", true, false);
    const std::vector<TokenId> second = t.tokenize("Once upon a time, there was a big red ball.", true, false);
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 256});
    QVERIFY(session.isOk());
    std::vector<float> logits, fresh;
    uint32_t reused = 0;
    QVERIFY((*session)->evaluateReusingPrefix(first, logits, &reused).isOk());
    QCOMPARE(reused, 0u);
    QVERIFY((*session)->evaluateReusingPrefix(second, logits, &reused).isOk());
    size_t common = 0;
    while (first[common] == second[common])
        ++common;
    QCOMPARE(reused, static_cast<uint32_t>(common));
    QCOMPARE((*session)->cachedTokens(), second);
    // The same sequence again: everything but the last token is reused.
    QVERIFY((*session)->evaluateReusingPrefix(second, fresh, &reused).isOk());
    QCOMPARE(reused, static_cast<uint32_t>(second.size() - 1));
    Result<std::unique_ptr<Session>> other = lm->createSession({.contextLength = 256});
    QVERIFY(other.isOk());
    QVERIFY((*other)->evaluate(second, Logits::Last, fresh).isOk());
    const test::LogitsComparison c = test::compareLogits(logits.data(), fresh);
    QVERIFY2(c.maxDelta < 1e-3, qPrintable(QString::number(c.maxDelta)));
}

void TestLlamaModel::memoryStaysFixedWhileGenerating()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 512});
    QVERIFY(session.isOk());
    const uint64_t before = (*session)->deviceBytes();
    TokenId next = 1;
    for (int i = 0; i < 256; ++i) {
        Result<TokenId> id = (*session)->evaluateGreedy(next);
        QVERIFY2(id.isOk(), id.message().c_str());
        next = *id;
    }
    qInfo("stories260K: weights %llu bytes, session %llu bytes before and %llu after 256 tokens",
          static_cast<unsigned long long>(lm->deviceBytes()), static_cast<unsigned long long>(before),
          static_cast<unsigned long long>((*session)->deviceBytes()));
    QCOMPARE((*session)->deviceBytes(), before);
    QCOMPARE((*session)->position(), 256u);
    CHECK_NO_VALIDATION_ERRORS(lm);
}

// A user presses Stop while tokens stream: the generation loop must end within 100 ms of the request.
void TestLlamaModel::cancelsGenerationWithin100ms()
{
    VELA_REQUIRE_FILE(path, "models/synthetic/llama-gqa-Q8_0.gguf");
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 2048});
    QVERIFY(session.isOk());
    Session* s = session->get();
    std::atomic<int> generated{0};
    Status failure;
    std::chrono::steady_clock::time_point finished;
    std::thread worker([&] {
        TokenId next = 1;
        for (int i = 0; i < 2000; ++i) {
            Result<TokenId> id = s->evaluateGreedy(next);
            if (!id) {
                failure = id.status();
                break;
            }
            next = *id;
            ++generated;
        }
        finished = std::chrono::steady_clock::now();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto asked = std::chrono::steady_clock::now();
    s->cancel();
    worker.join();
    const double ms = std::chrono::duration<double, std::milli>(finished - asked).count();
    qInfo("generation cancelled after %d tokens; returned %.1f ms after the request", generated.load(), ms);
    QVERIFY2(generated > 0 && generated < 2000, "generation was not running when cancelled");
    QCOMPARE(QString::fromStdString(failure.message()), QStringLiteral("cancelled"));
    QVERIFY2(ms < 100.0, qPrintable(QString::number(ms)));
}

// Cancelling a long prompt stops between layers (on lavapipe one layer of a 512-token batch takes up to a
// second; on a GPU milliseconds) and leaves the session usable.
void TestLlamaModel::cancelsPromptAndStaysUsable()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 2048, .batchSize = 256});
    QVERIFY(session.isOk());
    std::vector<int32_t> prompt(2000);
    for (size_t i = 0; i < prompt.size(); ++i)
        prompt[i] = static_cast<int32_t>(3 + i % 500);
    Session* s = session->get();
    std::vector<float> logits;
    // Cancel once the first batch is in: deterministic on any device, however fast (an H200 runs this whole
    // prompt in milliseconds, so a timer could not catch it).
    std::chrono::steady_clock::time_point asked;
    std::vector<size_t> seen;
    s->setBatchObserver([&](size_t done, size_t total) {
        seen.push_back(done);
        QCOMPARE_EQ(total, prompt.size());
        if (seen.size() == 1) {
            asked = std::chrono::steady_clock::now();
            s->cancel();
        }
    });
    const Status result = s->evaluate(prompt, Logits::Last, logits);
    const auto returned = std::chrono::steady_clock::now();
    s->setBatchObserver({});
    const double ms = std::chrono::duration<double, std::milli>(returned - asked).count();
    qInfo("prompt cancelled at position %u; returned %.1f ms after the request", s->position(), ms);
    QCOMPARE(QString::fromStdString(result.message()), QStringLiteral("cancelled"));
    QCOMPARE(seen, std::vector<size_t>{256});
    QCOMPARE(s->position(), 256u);
    // It stops between layers: well within one batch's time (~130 ms on lavapipe).
    QVERIFY2(ms < 1000.0, qPrintable(QString::number(ms)));
    // Whole batches that finished stay in the cache; the session goes on from there.
    const uint32_t kept = s->position();
    QCOMPARE(kept % 256, 0u);
    QVERIFY(s->evaluate(std::vector<int32_t>{1, 2, 3}, Logits::Last, logits).isOk());
    QCOMPARE(s->position(), kept + 3);
}

void TestLlamaModel::cancelsLoading()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    LoadOptions options;
    int calls = 0;
    QElapsedTimer sinceCancel;
    options.progress = [&](double) {
        if (++calls < 2)
            return true;
        sinceCancel.start();
        return false;
    };
    Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load(path.toStdString(), options);
    const qint64 ms = sinceCancel.elapsed();
    qInfo("load returned %lld ms after the progress callback asked to cancel", ms);
    QVERIFY(ms < 100);
    QVERIFY(!model.isOk());
    QCOMPARE(QString::fromStdString(model.message()), QStringLiteral("loading cancelled"));
    QCOMPARE(calls, 2);
}

// The memory estimate is checked before anything is allocated, with the numbers and what would help.
void TestLlamaModel::refusesModelTooBigForDevice()
{
    VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
    LoadOptions options;
    options.contextLength = 2'000'000'000;
    bool progressed = false;
    options.progress = [&](double) { return progressed = true; };
    Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load(path.toStdString(), options);
    QVERIFY(!model.isOk());
    const QString message = QString::fromStdString(model.message());
    QVERIFY2(message.contains("the model needs") && message.contains("KV cache at 2000000000 tokens") &&
                 message.contains("free; try a smaller context or a smaller quantization"),
             qPrintable(message));
    QVERIFY2(!progressed, "weights were uploaded before the memory check");
}

void TestLlamaModel::refusesUnsupportedModels()
{
    VELA_REQUIRE_FILE(starcoder, "models/vocab/ggml-vocab-starcoder.gguf");
    Result<std::unique_ptr<LanguageModel>> b = LanguageModel::load(starcoder.toStdString());
    QVERIFY(!b.isOk());
    const std::string refusal = "unsupported architecture 'starcoder2' (supported: llama, qwen2, qwen3, gemma, gemma2, "
                                "gemma3, phi2, phi3, qwen2moe, qwen3moe, grok, deepseek2)";
    QVERIFY2(b.message().find(refusal) != std::string::npos, b.message().c_str());
}

void TestLlamaModel::moeReadsOnlyTheChosenExperts_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("experts");
    QTest::addColumn<int>("used");
    QTest::newRow("llama-moe (Mixtral style)") << "models/synthetic/llama-moe.gguf" << 4 << 2;
    QTest::newRow("qwen2moe") << "models/synthetic/qwen2moe.gguf" << 8 << 2;
    QTest::newRow("qwen3moe") << "models/synthetic/qwen3moe.gguf" << 8 << 2;
    QTest::newRow("grok (GELU experts)") << "models/synthetic/grok.gguf" << 4 << 2;
    QTest::newRow("deepseek2 (dense first layer, shared expert)") << "models/synthetic/deepseek2.gguf" << 8 << 2;
}

// The profiler's byte counts while generating: each expert matvec moves the k chosen experts' rows (plus
// its small activation rows), not the whole [cols, rows, n_expert] tensor a dense product would read.
void TestLlamaModel::moeReadsOnlyTheChosenExperts()
{
    QFETCH(QString, model);
    QFETCH(int, experts);
    QFETCH(int, used);
    VELA_REQUIRE_FILE(path, model);
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error, true);
    QVERIFY2(lm, qPrintable(error));
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 256, .batchSize = 64});
    QVERIFY(session.isOk());
    Session& s = **session;
    TokenId next = 1;
    for (int i = 0; i < 16; ++i) {
        Result<TokenId> id = s.evaluateGreedy(next);
        QVERIFY2(id.isOk(), id.message().c_str());
        next = *id;
    }
    uint64_t bytes = 0, dispatches = 0;
    for (const auto& [name, t] : s.kernelTimings()) {
        if (name.rfind("matvec_experts", 0) == 0) {
            bytes += t.bytes;
            dispatches += t.dispatches;
        }
    }
    // Every MoE layer's three expert tensors (all experts), and DeepSeek's per-head attn_k_b / attn_v_b, which
    // go through the same kernel with one "expert" per head and are read whole.
    uint64_t expertBytes = 0, headBytes = 0, moeLayers = 0, headMatrices = 0;
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    QVERIFY(file.isOk());
    for (const GgufTensorInfo& t : file->tensors()) {
        if (t.name.find("_exps.") != std::string::npos)
            expertBytes += t.byteSize;
        if (t.name.find("ffn_gate_exps.") != std::string::npos)
            ++moeLayers;
        if (t.name.find("attn_k_b.") != std::string::npos || t.name.find("attn_v_b.") != std::string::npos) {
            headBytes += t.byteSize;
            ++headMatrices;
        }
    }
    const uint64_t tokens = 16;
    QVERIFY(moeLayers > 0);
    QCOMPARE(dispatches, tokens * (moeLayers * 3 + headMatrices));
    const double perToken = double(bytes) / double(tokens);
    const double chosen = double(expertBytes) * used / experts + double(headBytes);
    qInfo("%s: expert matvecs moved %.0f bytes per token; the chosen experts (+ per-head attention matrices) "
          "hold %.0f, all experts %llu",
          qPrintable(model), perToken, chosen, static_cast<unsigned long long>(expertBytes + headBytes));
    QVERIFY(perToken >= chosen);
    QVERIFY(perToken < chosen * 1.05);  // the weights of the chosen experts and a few activation rows
    CHECK_NO_VALIDATION_ERRORS(lm);
}

void TestLlamaModel::deepseekExpertGroups_data()
{
    QTest::addColumn<int>("groups");
    QTest::addColumn<int>("used");
    QTest::addColumn<QString>("refusal");  // empty: accepted
    QTest::newRow("4 groups, 1 kept") << 4 << 1 << "";
    QTest::newRow("2 groups, both kept") << 2 << 2 << "";
    QTest::newRow("3 groups do not divide 8 experts") << 3 << 1 << "unsupported expert groups";
    QTest::newRow("groups of one expert") << 8 << 2 << "unsupported expert groups";
    QTest::newRow("no group kept") << 4 << 0 << "unsupported expert groups";
}

// DeepSeek-V3's group-limited routing (expert_group_count / expert_group_used_count) on the deepseek2 fixture,
// whose goldens are ungrouped: with 4 groups of 2 experts and 1 group kept, both of a token's experts come from
// one group, so the logits must move away from the golden ones; with every group kept nothing changes.
void TestLlamaModel::deepseekExpertGroups()
{
    QFETCH(int, groups);
    QFETCH(int, used);
    QFETCH(QString, refusal);
    VELA_REQUIRE_FILE(source, "models/synthetic/deepseek2.gguf");
    QTemporaryDir dir;
    const QString path = test::writeModelCopy(source, dir.filePath("grouped.gguf"), [&](GgufWriter& w) {
        w.setUInt32("deepseek2.expert_group_count", uint32_t(groups));
        w.setUInt32("deepseek2.expert_group_used_count", uint32_t(used));
    });
    QVERIFY(!path.isEmpty());
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    if (!refusal.isEmpty()) {
        QVERIFY(!lm);
        QVERIFY2(error.contains(refusal), qPrintable(error));
        return;
    }
    QVERIFY2(lm, qPrintable(error));
    test::LogitsGolden golden;
    QVERIFY(test::readLogitsGolden("deepseek2__p100", golden));
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 256});
    QVERIFY(session.isOk());
    std::vector<float> logits;
    const Status evaluated = (*session)->evaluate(golden.promptIds, Logits::Last, logits);
    QVERIFY2(evaluated.isOk(), evaluated.message().c_str());
    const test::LogitsComparison c = test::compareLogits(logits.data(), golden.logits);
    qInfo("%d groups, %d kept: max|dlogit| relative %.3e, cosine %.7f", groups, used, c.relative(), c.cosine);
    if (used == groups)
        QVERIFY(c.relative() <= test::kMaxRelativeLogitDelta && c.cosine >= test::kMinLogitCosine);
    else
        QVERIFY2(c.relative() > test::kMaxRelativeLogitDelta, "grouping changed nothing: is it wired?");
    CHECK_NO_VALIDATION_ERRORS(lm);
}

void TestLlamaModel::grokDenseFfnBesideExperts_data()
{
    QTest::addColumn<bool>("zeroGate");
    QTest::newRow("zero gate: gelu(0) = 0, the dense FFN adds nothing") << true;
    QTest::newRow("random weights: the dense FFN counts") << false;
}

// Grok with a dense GELU FFN beside its experts (llama.cpp src/models/grok.cpp): (dense + experts)·√2/2, then
// the post-FFN RMSNorm. The grok fixture has none, so copies get one. With a zero gate the dense output is 0 and
// the √2/2 vanishes in the RMSNorm — exactly so only when its epsilon is negligible, so both that copy and the
// plain model it is compared with get epsilon 1e-12. With random weights the golden logits must move: the dense
// FFN is run and added.
void TestLlamaModel::grokDenseFfnBesideExperts()
{
    QFETCH(bool, zeroGate);
    VELA_REQUIRE_FILE(source, "models/synthetic/grok.gguf");
    QTemporaryDir dir;
    const uint64_t embd = 256, ff = 256;
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 0.05f);
    const auto tensor = [&](bool zero) {
        std::vector<uint8_t> bytes(embd * ff * 4);
        auto* values = reinterpret_cast<float*>(bytes.data());
        for (uint64_t i = 0; i < embd * ff; ++i)
            values[i] = zero ? 0.0f : normal(rng);
        return bytes;
    };
    bool added = true;
    const QString path = test::writeModelCopy(source, dir.filePath("grok-dense.gguf"), [&](GgufWriter& w) {
        if (zeroGate)
            w.setFloat32("grok.attention.layer_norm_rms_epsilon", 1e-12f);
        for (int layer = 0; layer < 2; ++layer) {
            const std::string blk = "blk." + std::to_string(layer) + ".";
            added = added && w.addTensor(blk + "ffn_gate.weight", GgmlType::F32, {embd, ff}, tensor(zeroGate)).isOk();
            added = added && w.addTensor(blk + "ffn_up.weight", GgmlType::F32, {embd, ff}, tensor(false)).isOk();
            added = added && w.addTensor(blk + "ffn_down.weight", GgmlType::F32, {ff, embd}, tensor(false)).isOk();
        }
    });
    QVERIFY(!path.isEmpty() && added);
    QString error;
    std::unique_ptr<LanguageModel> lm = loadOrFail(path, error);
    QVERIFY2(lm, qPrintable(error));
    test::LogitsGolden golden;
    QVERIFY(test::readLogitsGolden("grok__p100", golden));
    Result<std::unique_ptr<Session>> session = lm->createSession({.contextLength = 256});
    QVERIFY(session.isOk());
    std::vector<float> logits;
    const Status evaluated = (*session)->evaluate(golden.promptIds, Logits::Last, logits);
    QVERIFY2(evaluated.isOk(), evaluated.message().c_str());
    CHECK_NO_VALIDATION_ERRORS(lm);
    if (!zeroGate) {
        const test::LogitsComparison c = test::compareLogits(logits.data(), golden.logits);
        qInfo("against the golden: max|dlogit| relative %.3e, cosine %.7f", c.relative(), c.cosine);
        QVERIFY2(c.relative() > test::kMaxRelativeLogitDelta, "the dense FFN changed nothing: is it run?");
        return;
    }
    const QString plainPath = test::writeModelCopy(source, dir.filePath("grok-plain.gguf"), [](GgufWriter& w) {
        w.setFloat32("grok.attention.layer_norm_rms_epsilon", 1e-12f);
    });
    std::unique_ptr<LanguageModel> plain = loadOrFail(plainPath, error);
    QVERIFY2(plain, qPrintable(error));
    Result<std::unique_ptr<Session>> plainSession = plain->createSession({.contextLength = 256});
    QVERIFY(plainSession.isOk());
    std::vector<float> plainLogits;
    QVERIFY((*plainSession)->evaluate(golden.promptIds, Logits::Last, plainLogits).isOk());
    std::vector<float> expected(plainLogits.begin(), plainLogits.end());
    const test::LogitsComparison c = test::compareLogits(logits.data(), expected);
    qInfo("against the same model without it: max|dlogit| relative %.3e, cosine %.9f", c.relative(), c.cosine);
    QVERIFY(c.relative() <= 1e-4);
}

namespace {
std::vector<float> lastLogits(LanguageModel& lm, uint32_t context, const std::vector<int32_t>& prompt)
{
    Result<std::unique_ptr<Session>> session = lm.createSession({.contextLength = context});
    std::vector<float> logits;
    if (!session || !(*session)->evaluate(prompt, Logits::Last, logits))
        return {};
    return logits;
}
}  // namespace

// Phi-3's longrope (llama.cpp get_rope_factors): a session whose context exceeds the original training context
// divides the frequencies by rope_factors_long, otherwise by rope_factors_short. The fixture's goldens use the
// short ones (context ≤ 4096); a copy that claims an original context of 64 must match them at context 64 and,
// at context 256, match exactly a copy whose short table holds the long factors.
void TestLlamaModel::longropeSwitchesToLongFactors()
{
    VELA_REQUIRE_FILE(source, "models/synthetic/phi3.gguf");
    QTemporaryDir dir;
    const QString shortOrigin = test::writeModelCopy(source, dir.filePath("phi3-orig64.gguf"), [](GgufWriter& w) {
        w.setUInt32("phi3.rope.scaling.original_context_length", 64);
    });
    const QString longAsShort = test::writeModelCopy(source, dir.filePath("phi3-long.gguf"), {},
                                                     {{"rope_factors_short.weight", "rope_factors_long.weight"}});
    QVERIFY(!shortOrigin.isEmpty() && !longAsShort.isEmpty());
    QString error;
    std::unique_ptr<LanguageModel> a = loadOrFail(shortOrigin, error);
    QVERIFY2(a, qPrintable(error));
    std::unique_ptr<LanguageModel> b = loadOrFail(longAsShort, error);
    QVERIFY2(b, qPrintable(error));
    test::LogitsGolden golden;
    QVERIFY(test::readLogitsGolden("phi3__p8", golden));
    const std::vector<float> within = lastLogits(*a, 64, golden.promptIds);
    const std::vector<float> past = lastLogits(*a, 256, golden.promptIds);
    const std::vector<float> longTable = lastLogits(*b, 256, golden.promptIds);
    QVERIFY(!within.empty() && !past.empty() && !longTable.empty());
    const test::LogitsComparison shortFactors = test::compareLogits(within.data(), golden.logits);
    const test::LogitsComparison longFactors = test::compareLogits(past.data(), longTable);
    const test::LogitsComparison switched = test::compareLogits(past.data(), golden.logits);
    qInfo("context 64 vs golden (short factors): relative %.3e; context 256 vs the long table as short: %.3e; "
          "context 256 vs golden: %.3e",
          shortFactors.relative(), longFactors.relative(), switched.relative());
    QVERIFY(shortFactors.relative() <= test::kMaxRelativeLogitDelta && shortFactors.cosine >= test::kMinLogitCosine);
    QCOMPARE(longFactors.maxDelta, 0.0);
    QVERIFY(switched.relative() > test::kMaxRelativeLogitDelta);
    CHECK_NO_VALIDATION_ERRORS(a);
}

QTEST_GUILESS_MAIN(TestLlamaModel)
#include "tst_llama_model.moc"
