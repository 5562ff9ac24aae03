// Session::evaluateBlock, the way images enter a decoder: rows the caller computed replace token rows without the
// embedding scale, a block can attend both ways within itself, and bad blocks are refused with a reason.
#include "support/test_data.h"

#include "ref/dequantize.h"

#include "vela/gguf.h"
#include "vela/language_model.h"

#include <QtTest>

#include <cmath>

using namespace vela;

namespace {

struct Loaded {
    std::unique_ptr<LanguageModel> model;
    std::unique_ptr<Session> session;
};

Loaded open(const QString& path, QString& error)
{
    LoadOptions options;
    options.validation = true;
    Result<std::unique_ptr<LanguageModel>> model = LanguageModel::load(path.toStdString(), options);
    if (!model) {
        error = QString::fromStdString(model.message());
        return {};
    }
    Result<std::unique_ptr<Session>> session = (*model)->createSession({.contextLength = 128, .batchSize = 32});
    if (!session) {
        error = QString::fromStdString(session.message());
        return {};
    }
    return {std::move(model).value(), std::move(session).value()};
}

// token_embd rows of `ids` as floats, times `scale` (what the model's own lookup and scale produce).
std::vector<float> embeddingRows(const QString& path, const std::vector<TokenId>& ids, float scale)
{
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    const GgufTensorInfo* t = file ? file->findTensor("token_embd.weight") : nullptr;
    if (!t)
        return {};
    const int64_t width = int64_t(t->dims[0]);
    const size_t rowBytes = t->byteSize / t->dims[1];
    std::vector<float> rows(ids.size() * width);
    for (size_t i = 0; i < ids.size(); ++i) {
        ref::dequantizeRow(t->type, file->tensorData(*t).data() + ids[i] * rowBytes, rows.data() + i * width, width);
        for (int64_t c = 0; c < width; ++c)
            rows[i * width + c] *= scale;
    }
    return rows;
}

}  // namespace

class TestEvaluateBlock : public QObject {
    Q_OBJECT

private slots:
    // Supplying a token's own (scaled) embedding as a row gives exactly the token's logits: the rows land in
    // the right places, and are not scaled a second time (gemma scales its lookups by sqrt(n_embd) = 16).
    void suppliedRowsEqualTheirTokens_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<float>("scale");
        QTest::newRow("stories260K (no scale)") << "models/stories260K.gguf" << 1.0f;
        QTest::newRow("gemma (× sqrt(256))") << "models/synthetic/gemma.gguf" << 16.0f;
    }
    void suppliedRowsEqualTheirTokens()
    {
        QFETCH(QString, model);
        QFETCH(float, scale);
        VELA_REQUIRE_FILE(path, model);
        QString error;
        Loaded a = open(path, error);
        QVERIFY2(a.session, qPrintable(error));
        Loaded b = open(path, error);
        QVERIFY2(b.session, qPrintable(error));
        const std::vector<TokenId> prompt = {1, 403, 407, 261, 378, 432, 290, 17, 300};
        std::vector<float> expected, got;
        QVERIFY(a.session->evaluate(prompt, Logits::All, expected).isOk());
        // Rows 2, 3 and 6 supplied (two runs), the rest tokens.
        const std::vector<TokenId> supplied = {prompt[2], prompt[3], prompt[6]};
        std::vector<TokenId> ids = prompt;
        ids[2] = -5;
        ids[3] = -6;
        ids[6] = -7;
        const std::vector<float> rows = embeddingRows(path, supplied, scale);
        QVERIFY(!rows.empty());
        const Status s = b.session->evaluateBlock(ids, rows, false, Logits::All, got);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(got.size(), expected.size());
        double maxDelta = 0;
        for (size_t i = 0; i < got.size(); ++i)
            maxDelta = std::max(maxDelta, double(std::fabs(got[i] - expected[i])));
        qInfo("max |Δ| against the token path: %.3g", maxDelta);
        QCOMPARE(maxDelta, 0.0);
        QCOMPARE(b.session->cachedTokens(), ids);  // the negative ids stand for the supplied rows
        QVERIFY(a.model->validationErrors().empty() && b.model->validationErrors().empty());
    }

    // Within a bidirectional block, an early row sees the later ones: its logits move; the block's last row
    // sees the same keys as under the causal mask in layer 0, but the earlier rows it reads in later layers
    // changed, so it moves too. A one-row block is the same either way.
    void bidirectionalBlockSeesAhead()
    {
        VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
        QString error;
        Loaded causal = open(path, error);
        QVERIFY2(causal.session, qPrintable(error));
        Loaded both = open(path, error);
        QVERIFY2(both.session, qPrintable(error));
        const std::vector<TokenId> head = {1, 403, 407}, block = {261, 378, 432, 290};
        std::vector<float> a, b, ignored;
        QVERIFY(causal.session->evaluate(head, Logits::None, ignored).isOk());
        QVERIFY(both.session->evaluate(head, Logits::None, ignored).isOk());
        QVERIFY(causal.session->evaluateBlock(block, {}, false, Logits::All, a).isOk());
        QVERIFY(both.session->evaluateBlock(block, {}, true, Logits::All, b).isOk());
        const size_t vocab = a.size() / block.size();
        auto rowDelta = [&](size_t row) {
            double d = 0;
            for (size_t i = row * vocab; i < (row + 1) * vocab; ++i)
                d = std::max(d, double(std::fabs(a[i] - b[i])));
            return d;
        };
        qInfo("first row moves by %.3g, last row by %.3g", rowDelta(0), rowDelta(block.size() - 1));
        QVERIFY(rowDelta(0) > 1e-3);
        // Generation goes on causally after the block on both.
        std::vector<float> nextCausal, nextBoth;
        QVERIFY(causal.session->evaluate(std::vector<TokenId>{300}, Logits::Last, nextCausal).isOk());
        QVERIFY(both.session->evaluate(std::vector<TokenId>{300}, Logits::Last, nextBoth).isOk());
        QCOMPARE(both.session->position(), uint32_t(head.size() + block.size() + 1));

        Loaded one = open(path, error);
        Loaded oneBoth = open(path, error);
        QVERIFY(one.session && oneBoth.session);
        std::vector<float> c, d;
        QVERIFY(one.session->evaluateBlock(std::vector<TokenId>{1}, {}, false, Logits::Last, c).isOk());
        QVERIFY(oneBoth.session->evaluateBlock(std::vector<TokenId>{1}, {}, true, Logits::Last, d).isOk());
        QCOMPARE(c, d);
        QVERIFY(both.model->validationErrors().empty());
    }

    void refusesBadBlocks()
    {
        VELA_REQUIRE_FILE(path, "models/stories260K.gguf");
        QString error;
        Loaded m = open(path, error);
        QVERIFY2(m.session, qPrintable(error));
        std::vector<float> logits;
        const std::vector<TokenId> ids = {1, -2, 5};
        Status s = m.session->evaluateBlock(ids, std::vector<float>(63), false, Logits::Last, logits);
        QVERIFY(!s.isOk());
        QVERIFY2(s.message().find("needs 1 rows of 64 values, got 63") != std::string::npos, s.message().c_str());
        s = m.session->evaluateBlock(std::vector<TokenId>(33, 1), {}, true, Logits::Last, logits);
        QVERIFY(!s.isOk());
        QVERIFY2(s.message().find("does not fit one batch of 32") != std::string::npos, s.message().c_str());
        s = m.session->evaluateBlock(std::vector<TokenId>{1, -1}, {}, false, Logits::Last, logits);
        QVERIFY(!s.isOk());
        QCOMPARE(m.session->position(), 0u);  // nothing ran
        s = m.session->evaluateBlock(std::vector<TokenId>{1, 600}, {}, false, Logits::Last, logits);
        QVERIFY2(!s.isOk() && s.message().find("outside the vocabulary") != std::string::npos, s.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestEvaluateBlock)
#include "tst_evaluate_block.moc"
