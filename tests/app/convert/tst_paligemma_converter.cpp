// convertPaliGemma on the tiny Hugging Face fixture (shared/models/vision/paligemma-hf-tiny) against the pair
// the reference converter wrote from it (paligemma-tiny.gguf, paligemma-tiny-mmproj.gguf): every key and every
// tensor (name, type, ne, bytes); then both pairs through VisionEncoder + LanguageModel on one image and prompt,
// which must give the same logits; the F16 option; and folders it must refuse, leaving no file behind.
#include "support/test_data.h"

#include "convert/paligemma_converter.h"
#include "convert/safetensors_file.h"
#include "convert/sentencepiece_model.h"

#include "vela/gguf.h"
#include "vela/half.h"
#include "vela/language_model.h"
#include "vela/vision_encoder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

#include <bit>
#include <cmath>
#include <cstring>

using namespace vela;

namespace {

const QString kFixture = QStringLiteral("models/vision/paligemma-hf-tiny");

bool sameValue(const GgufValue& a, const GgufValue& b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case GgufValueType::Array:
        return a.elementType() == b.elementType() &&
               std::equal(a.items().begin(), a.items().end(), b.items().begin(), b.items().end(), sameValue);
    case GgufValueType::String: return a.asString() == b.asString();
    case GgufValueType::Bool: return a.asBool() == b.asBool();
    case GgufValueType::Float32:
    case GgufValueType::Float64: return std::bit_cast<uint64_t>(*a.asFloat()) == std::bit_cast<uint64_t>(*b.asFloat());
    default: return a.asInt() == b.asInt();
    }
}

// For two arrays of the same type: where they first part, so a message about 2153 token types is useful.
std::string firstItemDifference(const GgufValue& a, const GgufValue& b)
{
    if (!a.isArray() || !b.isArray())
        return {};
    for (size_t i = 0; i < std::min(a.items().size(), b.items().size()); ++i) {
        if (!sameValue(a.items()[i], b.items()[i]))
            return " (item " + std::to_string(i) + ": " + a.items()[i].toDisplayString() + ", expected " +
                   b.items()[i].toDisplayString() + ")";
    }
    return " (lengths " + std::to_string(a.items().size()) + ", " + std::to_string(b.items().size()) + ")";
}

// Every difference between two GGUF files, one line each; general.name and general.description are free text.
QStringList differences(const GgufFile& ours, const GgufFile& theirs)
{
    QStringList out;
    if (ours.metadata().size() != theirs.metadata().size())
        out << QStringLiteral("%1 keys, expected %2").arg(ours.metadata().size()).arg(theirs.metadata().size());
    for (size_t i = 0; i < std::min(ours.metadata().size(), theirs.metadata().size()); ++i) {
        const GgufKeyValue& a = ours.metadata()[i];
        const GgufKeyValue& b = theirs.metadata()[i];
        const bool freeText = b.key == "general.name" || b.key == "general.description";
        if (a.key != b.key || (freeText ? !a.value.isString() : !sameValue(a.value, b.value)))
            out << QString::fromStdString("key " + std::to_string(i) + " " + a.key + " = " + a.value.toDisplayString() +
                                          ", expected " + b.key + " = " + b.value.toDisplayString() +
                                          firstItemDifference(a.value, b.value));
    }
    if (ours.tensors().size() != theirs.tensors().size())
        out << QStringLiteral("%1 tensors, expected %2").arg(ours.tensors().size()).arg(theirs.tensors().size());
    for (size_t i = 0; i < std::min(ours.tensors().size(), theirs.tensors().size()); ++i) {
        const GgufTensorInfo& a = ours.tensors()[i];
        const GgufTensorInfo& b = theirs.tensors()[i];
        const std::span<const uint8_t> da = ours.tensorData(a), db = theirs.tensorData(b);
        if (a.name != b.name || a.type != b.type || a.nDims != b.nDims || a.dims != b.dims)
            out << QString::fromStdString("tensor " + std::to_string(i) + " " + a.name + " differs in name, type or ne");
        else if (!std::equal(da.begin(), da.end(), db.begin(), db.end()))
            out << QString::fromStdString("tensor " + a.name + ": the bytes differ");
    }
    return out;
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

// The first golden run of reference/vision/paligemma: its pixels and its text ids ([<bos>, prompt, "\n"]).
struct GoldenRun {
    std::vector<float> pixels;
    std::vector<TokenId> textIds;
    std::vector<float> logits;
};

GoldenRun firstGoldenRun()
{
    GoldenRun run;
    const QString folder = test::requireTestFile("reference/vision/paligemma");
    QFile f(folder + "/index.json");
    if (folder.isEmpty() || !f.open(QIODevice::ReadOnly))
        return run;
    const QJsonObject index = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject r = index.value("runs").toArray().first().toObject();
    for (const QJsonValue& v : index.value("images").toArray()) {
        if (v.toObject().value("image") == r.value("image"))
            run.pixels = readFloats(folder + "/" + v.toObject().value("pixels").toString());
    }
    for (const QJsonValue& id : r.value("text_ids").toArray())
        run.textIds.push_back(id.toInt());
    run.logits = readFloats(folder + "/" + r.value("logits").toString());
    return run;
}

// PaliGemma's prefill through a pair: the image rows, then the text, one bidirectional block.
Result<std::vector<float>> prefixLogits(const QString& textPath, const QString& mmprojPath, const GoldenRun& run)
{
    QString error;
    auto encoder = loadOrFail(VisionEncoder::load(mmprojPath.toStdString()), error);
    auto model = encoder ? loadOrFail(LanguageModel::load(textPath.toStdString()), error) : nullptr;
    auto session = model ? loadOrFail(model->createSession({.contextLength = 512}), error) : nullptr;
    if (!session)
        return Status::failure(error.toStdString());
    Result<std::vector<float>> rows = encoder->encode(run.pixels);
    if (!rows)
        return rows.status();
    std::vector<TokenId> ids(encoder->tokensPerImage(), -1000);
    ids.insert(ids.end(), run.textIds.begin(), run.textIds.end());
    std::vector<float> logits;
    if (Status s = session->evaluateBlock(ids, *rows, true, Logits::Last, logits); !s)
        return s;
    return logits;
}

double maxAbsDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    double d = a.size() == b.size() ? 0 : INFINITY;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        d = std::max(d, double(std::fabs(a[i] - b[i])));
    return d;
}

Result<PaliGemmaConversion> convert(const QString& input, const QString& outDir, GgmlType type = GgmlType::F32)
{
    PaliGemmaConvertOptions options;
    options.inputFolder = input.toStdString();
    options.outputFolder = outDir.toStdString();
    options.name = "tiny";
    options.matrixType = type;
    return convertPaliGemma(options);
}

// model.safetensors with its JSON header edited (offsets are relative to the data, which stays as it is).
bool editSafetensorsHeader(const QString& path, const std::function<void(QJsonObject&)>& edit)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray bytes = f.readAll();
    f.close();
    uint64_t length = 0;
    std::memcpy(&length, bytes.constData(), 8);
    QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, qsizetype(length))).object();
    edit(header);
    const QByteArray text = QJsonDocument(header).toJson(QJsonDocument::Compact);
    QByteArray out(8, '\0');
    const uint64_t newLength = uint64_t(text.size());
    std::memcpy(out.data(), &newLength, 8);
    out += text + bytes.mid(8 + qsizetype(length));
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(out) == out.size();
}

bool editConfig(const QString& path, const std::function<void(QJsonObject&)>& edit)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    QJsonObject config = QJsonDocument::fromJson(f.readAll()).object();
    f.close();
    edit(config);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(QJsonDocument(config).toJson()) > 0;
}

void setTextConfig(QJsonObject& config, const QString& key, const QJsonValue& value)
{
    QJsonObject text = config.value("text_config").toObject();
    text[key] = value;
    config["text_config"] = text;
}

// A writable copy of the fixture folder with one thing broken (`kind`, a row name of refusesBrokenFolders).
QString brokenCopy(const QString& kind)
{
    const QDir source(test::requireTestFile(kFixture));
    const QString dir = test::scratchDir() + "/broken/" + QString(kind).replace(' ', '-');
    QDir().mkpath(dir);
    for (const QString& name : source.entryList(QDir::Files)) {
        QFile::remove(dir + "/" + name);
        QFile::copy(source.filePath(name), dir + "/" + name);
        QFile::setPermissions(dir + "/" + name, QFile::ReadOwner | QFile::WriteOwner);
    }
    const QString weights = dir + "/model.safetensors", config = dir + "/config.json";
    bool ok = true;
    if (kind == "no config.json") {
        ok = QFile::remove(config);
    } else if (kind == "no tokenizer.model") {
        ok = QFile::remove(dir + "/tokenizer.model");
    } else if (kind == "truncated safetensors") {
        ok = QFile::resize(weights, 2'000'000);
    } else if (kind == "wrong architecture") {
        ok = editConfig(config, [](QJsonObject& c) {
            c["model_type"] = "llava";
            c["architectures"] = QJsonArray{"LlavaForConditionalGeneration"};
        });
    } else if (kind == "PaliGemma 2") {
        ok = editConfig(config, [](QJsonObject& c) { setTextConfig(c, "model_type", "gemma2"); });
    } else if (kind == "shape mismatch") {
        ok = editConfig(config, [](QJsonObject& c) { setTextConfig(c, "intermediate_size", 512); });
    } else if (kind == "projection_dim") {
        ok = editConfig(config, [](QJsonObject& c) { c["projection_dim"] = 128; });
    } else if (kind == "missing tensor") {
        ok = editSafetensorsHeader(weights, [](QJsonObject& h) { h.remove("language_model.model.layers.1.mlp.up_proj.weight"); });
    } else if (kind == "unexpected tensor") {
        ok = editSafetensorsHeader(weights, [](QJsonObject& h) {
            h["language_model.model.layers.0.pre_feedforward_layernorm.weight"] =
                h.value("language_model.model.layers.0.input_layernorm.weight");
        });
    } else if (kind == "unsupported dtype") {
        ok = editSafetensorsHeader(weights, [](QJsonObject& h) {
            QJsonObject bias = h.value("multi_modal_projector.linear.bias").toObject();
            bias["dtype"] = "I32";
            h["multi_modal_projector.linear.bias"] = bias;
        });
    }
    return ok ? dir : QString();
}


// The fixture's weights as a recent transformers saves them: `model.language_model.…` names, an lm_head copy of
// the embeddings, two shards and their index; the text tensors in BF16, the vision ones in F16.
bool writeModernShards(const QString& dir)
{
    Result<SafetensorsFile> original = SafetensorsFile::open(test::requireTestFile(kFixture + "/model.safetensors").toStdString());
    if (!original)
        return false;
    QJsonObject headers[2], weightMap;
    QByteArray data[2];
    const auto add = [&](int shard, const QString& name, const SafetensorsTensor& t) {
        const bool text = t.name.starts_with("language_model.");
        std::vector<float> values(t.elementCount());
        if (!original->readFloat32(t, 0, values).isOk())
            return;
        QJsonArray shape;
        for (uint64_t d : t.shape)
            shape.append(qint64(d));
        const qint64 begin = data[shard].size();
        for (float v : values) {
            const uint16_t h = text ? fp32ToBf16(v) : fp32ToFp16(v);
            data[shard].append(reinterpret_cast<const char*>(&h), 2);
        }
        headers[shard][name] = QJsonObject{{"dtype", text ? "BF16" : "F16"}, {"shape", shape},
                                           {"data_offsets", QJsonArray{begin, qint64(data[shard].size())}}};
        weightMap[name] = QStringLiteral("model-0000%1-of-00002.safetensors").arg(shard + 1);
    };
    int i = 0;
    for (const SafetensorsTensor& t : original->tensors()) {
        QString name = QString::fromStdString(t.name);
        name.replace(QRegularExpression("^language_model\\.model\\."), "model.language_model.");
        name.replace(QRegularExpression("^(vision_tower|multi_modal_projector)\\."), "model.\\1.");
        add(i++ % 2, name, t);
        if (t.name == "language_model.model.embed_tokens.weight")
            add(1, "lm_head.weight", t);
    }
    for (int shard = 0; shard < 2; ++shard) {
        const QByteArray header = QJsonDocument(headers[shard]).toJson(QJsonDocument::Compact);
        QByteArray bytes(8, '\0');
        const uint64_t length = uint64_t(header.size());
        std::memcpy(bytes.data(), &length, 8);
        QFile f(dir + QStringLiteral("/model-0000%1-of-00002.safetensors").arg(shard + 1));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes + header + data[shard]) != bytes.size() + header.size() + data[shard].size())
            return false;
    }
    QFile index(dir + "/model.safetensors.index.json");
    return index.open(QIODevice::WriteOnly) &&
           index.write(QJsonDocument(QJsonObject{{"metadata", QJsonObject{}}, {"weight_map", weightMap}}).toJson()) > 0;
}

// tokenizer.model without its last `drop` pieces (the other top-level fields kept), as a checkpoint whose
// tokenizer.model is shorter than its embedding, the rest named only by tokenizer_config.json.
bool truncateTokenizer(const QString& path, int drop)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray bytes = f.readAll();
    f.close();
    std::vector<std::pair<int, QByteArray>> fields;  // (field number, whole field bytes); all are length-delimited
    for (qsizetype at = 0; at < bytes.size();) {
        const qsizetype start = at;
        const int field = uint8_t(bytes[at++]) >> 3;
        uint64_t length = 0;
        for (int shift = 0;; shift += 7) {
            const uint8_t b = uint8_t(bytes[at++]);
            length |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                break;
        }
        at += qsizetype(length);
        fields.emplace_back(field, bytes.mid(start, at - start));
    }
    int keep = int(std::count_if(fields.begin(), fields.end(), [](const auto& entry) { return entry.first == 1; })) - drop;
    QByteArray out;
    for (const auto& [field, whole] : fields) {
        if (field == 1 && keep-- <= 0)
            continue;
        out += whole;
    }
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(out) == out.size();
}

}  // namespace

class TestPaliGemmaConverter : public QObject {
    Q_OBJECT

private slots:
    void convertsLikeTheReference()
    {
        VELA_REQUIRE_FILE(input, kFixture);
        VELA_REQUIRE_FILE(text, "models/vision/paligemma-tiny.gguf");
        VELA_REQUIRE_FILE(mmproj, "models/vision/paligemma-tiny-mmproj.gguf");
        const QString out = test::scratchDir() + "/f32";
        Result<PaliGemmaConversion> done = convert(input, out);
        QVERIFY2(done.isOk(), done.message().c_str());
        QCOMPARE(done->textPath, (out + "/tiny.gguf").toStdString());
        QCOMPARE(done->mmprojPath, (out + "/tiny-mmproj.gguf").toStdString());
        QCOMPARE(done->textTensors, size_t(20));
        QCOMPARE(done->mmprojTensors, size_t(39));
        for (const auto& [ours, theirs] : {std::pair{done->textPath, text}, {done->mmprojPath, mmproj}}) {
            Result<GgufFile> a = GgufFile::open(ours);
            Result<GgufFile> b = GgufFile::open(theirs.toStdString());
            QVERIFY2(a.isOk() && b.isOk(), (a.message() + b.message()).c_str());
            const QStringList diff = differences(*a, *b);
            QVERIFY2(diff.isEmpty(), qPrintable(diff.join('\n')));
        }
        Result<GgufFile> ours = GgufFile::open(done->textPath);
        QCOMPARE(*ours->getString("general.name"), std::string_view("tiny"));
    }

    // The strongest check: the converted pair runs, and gives exactly what the shipped pair gives.
    void runsLikeTheShippedPair()
    {
        VELA_REQUIRE_FILE(input, kFixture);
        VELA_REQUIRE_FILE(text, "models/vision/paligemma-tiny.gguf");
        VELA_REQUIRE_FILE(mmproj, "models/vision/paligemma-tiny-mmproj.gguf");
        const GoldenRun run = firstGoldenRun();
        QCOMPARE(run.pixels.size(), size_t(3 * 224 * 224));
        QCOMPARE(run.textIds, (std::vector<TokenId>{2, 724, 335, 14}));  // <bos> "caption en\n"
        const QString out = test::scratchDir() + "/run";
        Result<PaliGemmaConversion> done = convert(input, out);
        QVERIFY2(done.isOk(), done.message().c_str());

        Result<std::vector<float>> ours = prefixLogits(QString::fromStdString(done->textPath),
                                                       QString::fromStdString(done->mmprojPath), run);
        Result<std::vector<float>> shipped = prefixLogits(text, mmproj, run);
        QVERIFY2(ours.isOk() && shipped.isOk(), (ours.message() + shipped.message()).c_str());
        QCOMPARE(ours->size(), size_t(2153));
        QCOMPARE(maxAbsDifference(*ours, *shipped), 0.0);
        const double golden = maxAbsDifference(*ours, run.logits);
        qInfo("logits vs the numpy golden: max|Δ| %.4g", golden);
        QVERIFY(golden <= 2e-2);  // tst_vision_encoder's tolerance for this fixture

        // The vocabulary as the engine reads it: the prompt's ids, and a location token matched literally.
        QString error;
        auto model = loadOrFail(LanguageModel::load(done->textPath), error);
        QVERIFY2(model, qPrintable(error));
        QCOMPARE(model->tokenizer().tokenize("caption en\n", true, false), (std::vector<TokenId>{2, 724, 335, 14}));
        QCOMPARE(model->tokenizer().tokenize("<loc0512>", false, false), (std::vector<TokenId>{1513}));
    }

    // --type f16: matrices F16, norms, biases and the vision embeddings F32; the model still runs.
    void writesF16Matrices()
    {
        VELA_REQUIRE_FILE(input, kFixture);
        const GoldenRun run = firstGoldenRun();
        Result<PaliGemmaConversion> done = convert(input, test::scratchDir() + "/f16", GgmlType::F16);
        QVERIFY2(done.isOk(), done.message().c_str());
        Result<GgufFile> text = GgufFile::open(done->textPath);
        Result<GgufFile> mmproj = GgufFile::open(done->mmprojPath);
        QVERIFY(text.isOk() && mmproj.isOk());
        QCOMPARE(*text->getInt("general.file_type"), int64_t(1));
        QCOMPARE(*mmproj->getInt("general.file_type"), int64_t(1));
        const std::pair<const GgufFile*, const char*> f16[] = {
            {&*text, "token_embd.weight"}, {&*text, "blk.1.attn_q.weight"}, {&*text, "blk.0.ffn_down.weight"},
            {&*mmproj, "v.blk.0.attn_q.weight"}, {&*mmproj, "v.blk.1.ffn_up.weight"}, {&*mmproj, "mm.0.weight"}};
        for (const auto& [file, name] : f16)
            QVERIFY2(file->findTensor(name)->type == GgmlType::F16, name);
        const std::pair<const GgufFile*, const char*> f32[] = {
            {&*text, "output_norm.weight"}, {&*text, "blk.0.attn_norm.weight"}, {&*mmproj, "v.patch_embd.weight"},
            {&*mmproj, "v.position_embd.weight"}, {&*mmproj, "v.blk.0.ln1.weight"}, {&*mmproj, "mm.0.bias"}};
        for (const auto& [file, name] : f32)
            QVERIFY2(file->findTensor(name)->type == GgmlType::F32, name);

        Result<std::vector<float>> logits = prefixLogits(QString::fromStdString(done->textPath),
                                                         QString::fromStdString(done->mmprojPath), run);
        QVERIFY2(logits.isOk(), logits.message().c_str());
        const double d = maxAbsDifference(*logits, run.logits);
        qInfo("F16 logits vs the numpy golden: max|Δ| %.4g", d);
        QVERIFY(d <= 0.1);
        QCOMPARE(std::max_element(logits->begin(), logits->end()) - logits->begin(),
                 std::max_element(run.logits.begin(), run.logits.end()) - run.logits.begin());
    }

    // A folder as the released checkpoints and recent transformers write it: a sparse config.json (what
    // transformers defaults left out), new tensor names, lm_head, shards, BF16/F16 weights, and a tokenizer.model
    // shorter than the embedding. Same keys as the reference; the tensors are the reference's values rounded
    // through the half types (the +1 norms within that rounding).
    void convertsReleasedCheckpointLayouts()
    {
        VELA_REQUIRE_FILE(input, kFixture);
        VELA_REQUIRE_FILE(text, "models/vision/paligemma-tiny.gguf");
        VELA_REQUIRE_FILE(mmproj, "models/vision/paligemma-tiny-mmproj.gguf");
        const QString dir = brokenCopy("modern layout");
        QVERIFY(!dir.isEmpty());
        QVERIFY(QFile::remove(dir + "/model.safetensors"));
        QVERIFY(writeModernShards(dir));
        QVERIFY(truncateTokenizer(dir + "/tokenizer.model", 128));  // the <segNNN> pieces
        QCOMPARE(SentencePieceModel::load((dir + "/tokenizer.model").toStdString())->pieces.size(), size_t(2025));
        QVERIFY(editConfig(dir + "/config.json", [](QJsonObject& c) {
            QJsonObject t = c.value("text_config").toObject(), v = c.value("vision_config").toObject();
            for (const char* key : {"rope_theta", "max_position_embeddings", "rms_norm_eps", "hidden_act",
                                    "hidden_activation", "tie_word_embeddings", "model_type"})
                t.remove(key);
            for (const char* key : {"image_size", "layer_norm_eps", "hidden_act", "num_channels"})
                v.remove(key);
            c["text_config"] = t;
            c["vision_config"] = v;
        }));
        Result<PaliGemmaConversion> done = convert(dir, test::scratchDir() + "/modern");
        QVERIFY2(done.isOk(), done.message().c_str());
        for (const auto& [ours, theirs] : {std::pair{done->textPath, text}, {done->mmprojPath, mmproj}}) {
            Result<GgufFile> a = GgufFile::open(ours);
            Result<GgufFile> b = GgufFile::open(theirs.toStdString());
            QVERIFY2(a.isOk() && b.isOk(), (a.message() + b.message()).c_str());
            QStringList diff;
            for (const QString& line : differences(*a, *b)) {
                if (!line.endsWith(": the bytes differ"))
                    diff << line;
            }
            QVERIFY2(diff.isEmpty(), qPrintable(diff.join('\n')));
            for (const GgufTensorInfo& t : b->tensors()) {
                const bool bf16 = a->architecture() == "gemma";
                const std::span<const uint8_t> da = a->tensorData(*a->findTensor(t.name)), db = b->tensorData(t);
                for (size_t i = 0; i < t.elementCount(); ++i) {
                    float x = 0, y = 0;
                    std::memcpy(&x, da.data() + 4 * i, 4);
                    std::memcpy(&y, db.data() + 4 * i, 4);
                    const bool plusOne = t.name.find("norm") != std::string::npos && bf16;
                    const float rounded = plusOne ? y : bf16 ? bf16ToFp32(fp32ToBf16(y)) : fp16ToFp32(fp32ToFp16(y));
                    if (plusOne ? std::fabs(x - y) > std::fabs(y - 1) * 0x1p-8f + 1e-7f : x != rounded)
                        QFAIL(qPrintable(QStringLiteral("%1[%2] = %3, expected %4").arg(QString::fromStdString(t.name)).arg(i).arg(x).arg(rounded)));
                }
            }
        }
    }

    void refusesBrokenFolders_data()
    {
        QTest::addColumn<QString>("expected");
        QTest::newRow("no config.json") << "is not a Hugging Face model folder: it has no config.json";
        QTest::newRow("no tokenizer.model") << "cannot open '";
        QTest::newRow("truncated safetensors") << "truncated file?";
        QTest::newRow("wrong architecture") << "not a PaliGemma checkpoint: config.json has model_type 'llava'";
        QTest::newRow("PaliGemma 2") << "PaliGemma 2 checkpoints (text model 'gemma2') are not supported yet";
        QTest::newRow("shape mismatch")
            << "tensor 'language_model.model.layers.0.mlp.gate_proj.weight' has shape [256, 160], but config.json implies [512, 160]";
        QTest::newRow("projection_dim") << "projection_dim 128 differs from the text model's hidden_size 160";
        QTest::newRow("missing tensor") << "the checkpoint has no tensor 'language_model.model.layers.1.mlp.up_proj.weight'";
        QTest::newRow("unexpected tensor")
            << "unexpected tensor 'language_model.model.layers.0.pre_feedforward_layernorm.weight'";
        QTest::newRow("unsupported dtype")
            << "tensor 'multi_modal_projector.linear.bias' has dtype I32; the converter reads F32, F16 and BF16";
    }

    void refusesBrokenFolders()
    {
        QFETCH(QString, expected);
        const QString input = brokenCopy(QTest::currentDataTag());
        QVERIFY2(!input.isEmpty(), "could not prepare the broken copy");
        const QString out = test::scratchDir() + "/refused";
        Result<PaliGemmaConversion> done = convert(input, out);
        QVERIFY(!done.isOk());
        QVERIFY2(QString::fromStdString(done.message()).contains(expected), done.message().c_str());
        QVERIFY2(QDir(out).entryList({"*.gguf*"}, QDir::Files).isEmpty(), "a refused conversion left a file");
    }

    void refusesOtherOutputTypes()
    {
        VELA_REQUIRE_FILE(input, kFixture);
        Result<PaliGemmaConversion> done = convert(input, test::scratchDir() + "/q8", GgmlType::Q8_0);
        QVERIFY(!done.isOk());
        QCOMPARE(done.message(), std::string("the converter writes F32 or F16 matrices, not Q8_0"));
    }
};

QTEST_GUILESS_MAIN(TestPaliGemmaConverter)
#include "tst_paligemma_converter.moc"
