// The vision encoders against the goldens in reference/vision (README there): each image file decoded and
// preprocessed (equal to the reference pixels), then Gemma 3 (llama.cpp mtmd, CPU) image embeddings, then the whole prompt — text, a bidirectional block of 16 image
// rows, text — through the gemma3 decoder: last-prompt logits and the greedy continuation; PaliGemma (numpy
// reference, HF semantics): projector output, then the prefix-LM prefill (256 image rows, <bos>, prompt, all
// bidirectional) through the gemma decoder: logits and greedy continuation for every image and prompt.
#include "support/test_data.h"

#include "vela/image.h"
#include "vela/image_preprocess.h"
#include "vela/language_model.h"
#include "vela/multimodal_prompt.h"
#include "vela/vision_encoder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace vela;

namespace {

std::vector<float> readFloats(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.constData(), out.size() * 4);
    return out;
}

QJsonObject readIndex(const QString& folder)
{
    QFile f(vela::test::requireTestFile("reference/vision/" + folder + "/index.json"));
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

struct Difference {
    double maxAbs = 0;
    double cosine = 0;
    double rms = 0;  // of the reference
};

Difference compare(const std::vector<float>& ours, const std::vector<float>& theirs)
{
    Difference d;
    double dot = 0, a2 = 0, b2 = 0;
    for (size_t i = 0; i < ours.size() && i < theirs.size(); ++i) {
        d.maxAbs = std::max(d.maxAbs, double(std::fabs(ours[i] - theirs[i])));
        dot += double(ours[i]) * theirs[i];
        a2 += double(ours[i]) * ours[i];
        b2 += double(theirs[i]) * theirs[i];
    }
    d.cosine = dot / std::sqrt(a2 * b2);
    d.rms = std::sqrt(b2 / std::max<size_t>(theirs.size(), 1));
    return d;
}

std::vector<TokenId> idsOf(const QJsonArray& array)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& v : array)
        ids.push_back(v.toInt());
    return ids;
}

// Greedy decoding after the prompt: each step's argmax must equal the golden while the golden margin exceeds
// twice the logit error we measured (the README's rule); returns how many steps were compared.
int compareGreedy(Session& session, const std::vector<float>& firstLogits, const QJsonArray& goldenIds,
                  const QJsonArray& steps, double logitError, QString& failure)
{
    std::vector<float> logits = firstLogits;
    int compared = 0;
    for (int step = 0; step < goldenIds.size(); ++step) {
        const double margin = steps[step].toObject().value("margin").toDouble();
        if (margin <= 2 * logitError)
            break;  // past a near-tie the continuations may part; the golden itself says so
        const auto best = std::max_element(logits.begin(), logits.end()) - logits.begin();
        if (best != goldenIds[step].toInt()) {
            failure = QStringLiteral("step %1: %2, golden %3 (margin %4)").arg(step).arg(best).arg(goldenIds[step].toInt()).arg(margin);
            return compared;
        }
        ++compared;
        if (!session.evaluate(std::vector<TokenId>{TokenId(best)}, Logits::Last, logits).isOk()) {
            failure = "evaluate failed";
            return compared;
        }
    }
    return compared;
}

// The image file as the encoder takes it (decode, then this encoder's preprocessing), checked against the
// reference pixels of the same image: the whole path from the file, not just the encoder, is under test.
std::vector<float> pixelsOf(const VisionEncoder& encoder, const QString& image, const std::vector<float>& reference,
                            QString& failure)
{
    Result<Image> decoded = decodeImageFile(vela::test::requireTestFile("images/" + image).toStdString());
    if (!decoded) {
        failure = QString::fromStdString(decoded.message());
        return {};
    }
    Result<ImageTensor> tensor = preprocessImage(*decoded, encoder.preprocessing());
    if (!tensor) {
        failure = QString::fromStdString(tensor.message());
        return {};
    }
    double maxDelta = 0;
    for (size_t i = 0; i < reference.size() && i < tensor->chw.size(); ++i)
        maxDelta = std::max(maxDelta, double(std::fabs(tensor->chw[i] - reference[i])));
    if (tensor->chw.size() != reference.size() || maxDelta > 1e-6)
        failure = QStringLiteral("pixels differ from the reference by %1").arg(maxDelta);
    return std::move(tensor->chw);
}

template <class T>
std::unique_ptr<T> loadOrFail(Result<std::unique_ptr<T>> r, QString& error)
{
    if (!r) {
        error = QString::fromStdString(r.message());
        return nullptr;
    }
    return std::move(r).value();
}

LoadOptions validated()
{
    LoadOptions o;
    o.validation = true;
    return o;
}

}  // namespace

class TestVisionEncoder : public QObject {
    Q_OBJECT

private slots:
    void gemma3_data()
    {
        QTest::addColumn<int>("index");
        const QJsonArray images = readIndex("gemma3").value("images").toArray();
        QVERIFY(!images.isEmpty());
        for (int i = 0; i < images.size(); ++i)
            QTest::newRow(qPrintable(images[i].toObject().value("image").toString())) << i;
    }
    void gemma3()
    {
        QFETCH(int, index);
        const QJsonObject image = readIndex("gemma3").value("images").toArray()[index].toObject();
        VELA_REQUIRE_FILE(mmproj, "models/vision/gemma3-vision-tiny-mmproj.gguf");
        VELA_REQUIRE_FILE(text, "models/vision/gemma3-vision-tiny.gguf");
        QString error;
        auto encoder = loadOrFail(VisionEncoder::load(mmproj.toStdString(), validated()), error);
        QVERIFY2(encoder, qPrintable(error));
        QCOMPARE(encoder->tokensPerImage(), 16u);
        QCOMPARE(encoder->outputLength(), 128u);
        const QString folder = "reference/vision/gemma3/";
        const std::vector<float> reference = readFloats(test::requireTestFile(folder + image.value("pixels").toString()));
        const std::vector<float> pixels = pixelsOf(*encoder, image.value("image").toString(), reference, error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::vector<float> golden = readFloats(test::requireTestFile(folder + image.value("embd").toString()));
        Result<std::vector<float>> embd = encoder->encode(pixels);
        QVERIFY2(embd.isOk(), embd.message().c_str());
        const Difference e = compare(*embd, golden);
        qInfo("embeddings: max|Δ| %.4f (rms %.3f), cosine %.7f", e.maxAbs, e.rms, e.cosine);
        QVERIFY(e.maxAbs <= 0.03 && e.cosine >= 0.9999);
        QVERIFY(encoder->validationErrors().empty());

        // The prompt as mtmd lays it out: text chunk, image chunk (non-causal among its rows), text chunk — the
        // same ids as the golden's chunks.
        auto model = loadOrFail(LanguageModel::load(text.toStdString(), validated()), error);
        QVERIFY2(model, qPrintable(error));
        auto session = loadOrFail(model->createSession({.contextLength = 256}), error);
        QVERIFY2(session, qPrintable(error));
        const EncodedImage encoded{*embd, imageRowId(*embd)};
        const std::string promptText = readIndex("gemma3").value("prompt_text").toString().toStdString();
        Result<std::vector<PromptChunk>> chunks = layoutMultimodalPrompt(
            model->tokenizer(), encoder->projector(), promptText, std::span(&encoded, 1), 16, 128);
        QVERIFY2(chunks.isOk(), chunks.message().c_str());
        const QJsonArray goldenChunks = image.value("chunks").toArray();
        QCOMPARE(int(chunks->size()), goldenChunks.size());
        for (int c = 0; c < goldenChunks.size(); ++c) {
            const QJsonObject g = goldenChunks[c].toObject();
            const bool isImage = g.value("type").toString() == "image";
            QCOMPARE((*chunks)[c].bidirectional, isImage);
            if (!isImage)
                QCOMPARE((*chunks)[c].ids, idsOf(g.value("ids").toArray()));
            else
                QCOMPARE(int((*chunks)[c].ids.size()), g.value("n_tokens").toInt());
        }
        std::vector<float> logits;
        const Status evaluated = evaluatePromptChunks(*session, *chunks, logits);
        QVERIFY2(evaluated.isOk(), evaluated.message().c_str());
        QCOMPARE(session->position(), uint32_t(image.value("n_prompt_pos").toInt()));
        const std::vector<float> goldenLogits = readFloats(test::requireTestFile(folder + image.value("logits").toString()));
        const Difference l = compare(logits, goldenLogits);
        QString failure;
        const QJsonObject greedy = image.value("greedy").toObject();
        const int steps = compareGreedy(*session, logits, greedy.value("ids").toArray(), greedy.value("steps").toArray(),
                                        l.maxAbs, failure);
        qInfo("logits: max|Δ| %.4f (rms %.3f), cosine %.7f; greedy: %d of 16 steps compared and equal", l.maxAbs,
              l.rms, l.cosine, steps);
        QVERIFY(l.maxAbs <= 0.06 && l.cosine >= 0.9999);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(steps >= 1);
        QVERIFY(model->validationErrors().empty());
    }

    void paligemma_data()
    {
        QTest::addColumn<int>("run");
        const QJsonArray runs = readIndex("paligemma").value("runs").toArray();
        QVERIFY(!runs.isEmpty());
        for (int i = 0; i < runs.size(); ++i) {
            const QJsonObject r = runs[i].toObject();
            QTest::newRow(qPrintable(r.value("image").toString() + " / " + r.value("prompt").toString())) << i;
        }
    }
    void paligemma()
    {
        QFETCH(int, run);
        const QJsonObject index = readIndex("paligemma");
        const QJsonObject r = index.value("runs").toArray()[run].toObject();
        QJsonObject image;
        for (const QJsonValue& v : index.value("images").toArray())
            if (v.toObject().value("image") == r.value("image"))
                image = v.toObject();
        VELA_REQUIRE_FILE(mmproj, "models/vision/paligemma-tiny-mmproj.gguf");
        VELA_REQUIRE_FILE(text, "models/vision/paligemma-tiny.gguf");
        QString error;
        auto encoder = loadOrFail(VisionEncoder::load(mmproj.toStdString(), validated()), error);
        QVERIFY2(encoder, qPrintable(error));
        QCOMPARE(encoder->tokensPerImage(), 256u);
        const QString folder = "reference/vision/paligemma/";
        const std::vector<float> reference = readFloats(test::requireTestFile(folder + image.value("pixels").toString()));
        const std::vector<float> pixels = pixelsOf(*encoder, image.value("image").toString(), reference, error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::vector<float> proj = readFloats(test::requireTestFile(folder + image.value("proj").toString()));
        Result<std::vector<float>> rows = encoder->encode(pixels);
        QVERIFY2(rows.isOk(), rows.message().c_str());
        const Difference e = compare(*rows, proj);
        qInfo("projector: max|Δ| %.4f (rms %.3f, relative %.2e), cosine %.7f", e.maxAbs, e.rms, e.maxAbs / e.rms,
              e.cosine);
        QVERIFY(e.maxAbs <= 2e-2 * e.rms && e.cosine >= 0.9999);  // the README: relative, f16 activations

        // Prefix-LM: image rows, <bos>, prompt and "\n" in one bidirectional block; the rows enter unscaled.
        auto model = loadOrFail(LanguageModel::load(text.toStdString(), validated()), error);
        QVERIFY2(model, qPrintable(error));
        auto session = loadOrFail(model->createSession({.contextLength = 512}), error);
        QVERIFY2(session, qPrintable(error));
        const EncodedImage encoded{*rows, imageRowId(*rows)};
        Result<std::vector<PromptChunk>> chunks = layoutMultimodalPrompt(
            model->tokenizer(), encoder->projector(), r.value("prompt").toString().toStdString(), std::span(&encoded, 1),
            256, 160);
        QVERIFY2(chunks.isOk(), chunks.message().c_str());
        QCOMPARE(chunks->size(), size_t(1));
        QVERIFY(chunks->front().bidirectional);
        const std::vector<TokenId> textIds = idsOf(r.value("text_ids").toArray());
        const std::vector<TokenId>& ids = chunks->front().ids;
        QCOMPARE(int(ids.size()), r.value("n_prompt").toInt());
        QCOMPARE(std::vector<TokenId>(ids.end() - textIds.size(), ids.end()), textIds);
        std::vector<float> logits;
        const Status s = evaluatePromptChunks(*session, *chunks, logits);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<float> golden = readFloats(test::requireTestFile(folder + r.value("logits").toString()));
        const Difference l = compare(logits, golden);
        QString failure;
        const int steps = compareGreedy(*session, logits, r.value("greedy_ids").toArray(),
                                        r.value("greedy_steps").toArray(), l.maxAbs, failure);
        qInfo("logits: max|Δ| %.4f (rms %.3f), cosine %.7f; greedy: %d of 16 steps compared and equal", l.maxAbs,
              l.rms, l.cosine, steps);
        QVERIFY(l.maxAbs <= 2e-2 && l.cosine >= 0.9999);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(steps >= 1);
        QVERIFY(model->validationErrors().empty() && encoder->validationErrors().empty());
    }

    // Markers and images must agree; PaliGemma takes one image; an image must fit the decoder's width.
    void refusesBadLayouts()
    {
        VELA_REQUIRE_FILE(text, "models/vision/gemma3-vision-tiny.gguf");
        QString error;
        auto model = loadOrFail(LanguageModel::load(text.toStdString()), error);
        QVERIFY2(model, qPrintable(error));
        std::vector<float> rows(16 * 128, 0.5f);
        const EncodedImage image{rows, imageRowId(rows)};
        const std::vector<EncodedImage> two = {image, image};
        const Tokenizer& t = model->tokenizer();
        auto layout = [&](VisionProjector p, const std::string& prompt, std::span<const EncodedImage> images,
                          uint32_t width) { return layoutMultimodalPrompt(t, p, prompt, images, 16, width); };
        Result<std::vector<PromptChunk>> r = layout(VisionProjector::Gemma3, "a <__media__> b <__media__>", std::span(&image, 1), 128);
        QVERIFY2(!r.isOk() && r.message().find("2 image markers") != std::string::npos, r.message().c_str());
        r = layout(VisionProjector::PaliGemma, "caption en", two, 128);
        QVERIFY2(!r.isOk() && r.message().find("exactly one image") != std::string::npos, r.message().c_str());
        r = layout(VisionProjector::Gemma3, "hi", std::span(&image, 1), 160);
        QVERIFY2(!r.isOk() && r.message().find("does not fit") != std::string::npos, r.message().c_str());
        // Two images without markers go first, each wrapped; the text follows.
        r = layout(VisionProjector::Gemma3, "What?", two, 128);
        QVERIFY2(r.isOk(), r.message().c_str());
        QCOMPARE(r->size(), size_t(5));  // [BOS <start>] [img] [<end> <start>] [img] [<end> What?]
        QCOMPARE((*r)[0].ids, (std::vector<TokenId>{1, 512}));
        QCOMPARE((*r)[2].ids, (std::vector<TokenId>{513, 512}));
        QCOMPARE((*r)[4].ids.front(), 513);
        QVERIFY((*r)[1].bidirectional && (*r)[3].bidirectional && !(*r)[4].bidirectional);
        // The same rows give the same id, other rows another.
        std::vector<float> other = rows;
        other[7] = 0.25f;
        QCOMPARE(imageRowId(rows), image.id);
        QVERIFY(imageRowId(other) != image.id && imageRowId(other) < 0);
    }

    void refusesWhatIsNotAProjector()
    {
        VELA_REQUIRE_FILE(text, "models/vision/gemma3-vision-tiny.gguf");
        Result<std::unique_ptr<VisionEncoder>> r = VisionEncoder::load(text.toStdString());
        QVERIFY(!r.isOk());
        QVERIFY2(r.message().find("not a vision projector (mmproj) file") != std::string::npos, r.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestVisionEncoder)
#include "tst_vision_encoder.moc"
