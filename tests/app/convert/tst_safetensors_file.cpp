// SafetensorsFile: the PaliGemma fixture's tensors, F32/F16/BF16 read exactly, and hostile or truncated files
// refused with a message naming the problem (never a crash, never a read outside the file).
#include "support/test_data.h"

#include "convert/safetensors_file.h"

#include "vela/half.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cstring>

using namespace vela;

namespace {

// An 8-byte little-endian length, the header text, the data.
QByteArray safetensorsBytes(const QByteArray& header, const QByteArray& data)
{
    QByteArray out(8, '\0');
    const uint64_t length = static_cast<uint64_t>(header.size());
    std::memcpy(out.data(), &length, 8);
    return out + header + data;
}

QByteArray headerOf(const QJsonObject& tensors)
{
    return QJsonDocument(tensors).toJson(QJsonDocument::Compact);
}

QJsonObject entry(const QString& dtype, const QJsonArray& shape, qint64 begin, qint64 end)
{
    return {{"dtype", dtype}, {"shape", shape}, {"data_offsets", QJsonArray{begin, end}}};
}

QString writeScratch(const QString& name, const QByteArray& bytes)
{
    const QString path = test::scratchDir() + "/" + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

template <class T>
QByteArray rawBytes(const std::vector<T>& values)
{
    return QByteArray(reinterpret_cast<const char*>(values.data()), qsizetype(values.size() * sizeof(T)));
}

}  // namespace

class TestSafetensorsFile : public QObject {
    Q_OBJECT

private slots:
    void readsTheFixture()
    {
        VELA_REQUIRE_FILE(path, "models/vision/paligemma-hf-tiny/model.safetensors");
        Result<SafetensorsFile> file = SafetensorsFile::open(path.toStdString());
        QVERIFY2(file.isOk(), file.message().c_str());
        QCOMPARE(file->tensors().size(), size_t(59));
        const SafetensorsTensor& first = file->tensors().front();  // data order
        QCOMPARE(first.name, std::string("language_model.model.embed_tokens.weight"));
        QCOMPARE(first.shape, (std::vector<uint64_t>{2153, 160}));
        QCOMPARE(first.dtype, std::string("F32"));
        const SafetensorsTensor* patch = file->find("vision_tower.vision_model.embeddings.patch_embedding.weight");
        QVERIFY(patch);
        QCOMPARE(patch->shape, (std::vector<uint64_t>{128, 3, 14, 14}));
        QCOMPARE(patch->elementCount(), uint64_t(128 * 3 * 14 * 14));
        QVERIFY(!file->find("lm_head.weight"));

        // A range read gives the bytes at its place in the data section.
        std::vector<float> values(10);
        QVERIFY(file->readFloat32(*patch, 500, values).isOk());
        QCOMPARE(std::memcmp(values.data(), file->data(*patch).data() + 2000, 40), 0);
        QVERIFY(!file->readFloat32(*patch, patch->elementCount() - 5, values).isOk());
    }

    void readsHalfPrecisionExactly()
    {
        const std::vector<float> expected{1.5f, -2.25f, 65504.0f, 0x1p-24f, 0.0f, -0.0f};
        std::vector<uint16_t> f16, bf16;
        for (float v : expected) {
            f16.push_back(fp32ToFp16(v));
            bf16.push_back(fp32ToBf16(v));
        }
        const qint64 n = qint64(expected.size());
        const QJsonObject tensors{{"__metadata__", QJsonObject{{"format", "pt"}}},
                                  {"a32", entry("F32", {2, 3}, 0, 4 * n)},
                                  {"b16", entry("F16", {3, 2}, 4 * n, 6 * n)},
                                  {"c16", entry("BF16", {n}, 6 * n, 8 * n)},
                                  {"ids", entry("I64", {1}, 8 * n, 8 * n + 8)}};
        const QByteArray data = rawBytes(expected) + rawBytes(f16) + rawBytes(bf16) + QByteArray(8, '\1');
        const QString path = writeScratch("half.safetensors", safetensorsBytes(headerOf(tensors), data));
        Result<SafetensorsFile> file = SafetensorsFile::open(path.toStdString());
        QVERIFY2(file.isOk(), file.message().c_str());
        QCOMPARE(file->tensors().size(), size_t(4));
        for (const char* name : {"a32", "b16"}) {
            std::vector<float> values(expected.size());
            QVERIFY(file->readFloat32(*file->find(name), 0, values).isOk());
            QCOMPARE(rawBytes(values), rawBytes(expected));  // bit for bit, -0 included
        }
        // bf16 keeps 8 mantissa bits: 1.5, -2.25, 0 and -0 are exact, 65504 rounds to 65536.
        std::vector<float> values(expected.size());
        QVERIFY(file->readFloat32(*file->find("c16"), 0, values).isOk());
        QCOMPARE(values[0], 1.5f);
        QCOMPARE(values[1], -2.25f);
        QCOMPARE(values[2], 65536.0f);
        QVERIFY(std::signbit(values[5]));

        std::vector<float> one(1);
        const Status refused = file->readFloat32(*file->find("ids"), 0, one);
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.message().find("tensor 'ids' has dtype I64; the converter reads F32, F16 and BF16") !=
                     std::string::npos,
                 refused.message().c_str());
    }

    void refusesHostileFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const QByteArray eight(8, '\0');
        const QJsonObject good{{"w", entry("F32", {2}, 0, 8)}};
        QTest::newRow("empty") << QByteArray() << "too short for the 8-byte header length";
        QTest::newRow("four bytes") << QByteArray("abcd") << "too short for the 8-byte header length";
        QByteArray huge = safetensorsBytes("{}", {});
        const uint64_t big = uint64_t(1) << 40;
        std::memcpy(huge.data(), &big, 8);
        QTest::newRow("header length 1 TB") << huge << "the format allows at most 100 MB";
        QTest::newRow("header cut") << safetensorsBytes(headerOf(good), eight).left(20) << "truncated safetensors file: the header needs";
        QTest::newRow("not JSON") << safetensorsBytes("{\"w\": [", eight) << "the header is not a JSON object";
        QTest::newRow("JSON array") << safetensorsBytes("[1, 2]", eight) << "the header is not a JSON object";
        QTest::newRow("no dtype") << safetensorsBytes(R"({"w": {"shape": [2], "data_offsets": [0, 8]}})", eight)
                                  << "tensor 'w': needs dtype, shape and data_offsets";
        QTest::newRow("data cut") << safetensorsBytes(headerOf(good), eight.left(5))
                                  << "tensor 'w': its data ends at byte 8 of the data section, but the file holds 5";
        QTest::newRow("offsets reversed") << safetensorsBytes(headerOf({{"w", entry("F32", {2}, 8, 0)}}), eight)
                                          << "data_offsets must be [begin, end] with begin <= end";
        QTest::newRow("three offsets")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4, 8]}})", eight)
            << "data_offsets must be [begin, end]";
        QTest::newRow("negative offset") << safetensorsBytes(headerOf({{"w", entry("F32", {2}, -8, 8)}}), eight)
                                         << "data_offsets must be";
        QTest::newRow("fractional size")
            << safetensorsBytes(R"({"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 8]}})", eight)
            << "the shape holds something other than a size";
        QTest::newRow("shape and bytes disagree") << safetensorsBytes(headerOf({{"w", entry("F32", {3}, 0, 8)}}), eight)
                                                  << "a F32 tensor of this shape does not take the 8 bytes";
        QTest::newRow("shape overflows")
            << safetensorsBytes(headerOf({{"w", entry("F32", {4294967296.0, 4294967296.0}, 0, 8)}}), eight)
            << "a F32 tensor of this shape does not take the 8 bytes";
        VELA_REQUIRE_FILE(path, "models/vision/paligemma-hf-tiny/model.safetensors");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray whole = f.readAll();
        QTest::newRow("fixture cut in the header") << whole.left(3000) << "truncated safetensors file";
        QTest::newRow("fixture cut in the data") << whole.left(whole.size() - 1000)
                                                 << "(truncated file?)";
    }

    void refusesHostileFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString path = writeScratch("hostile.safetensors", bytes);
        Result<SafetensorsFile> file = SafetensorsFile::open(path.toStdString());
        QVERIFY(!file.isOk());
        QVERIFY2(file.message().starts_with(path.toStdString() + ": "), file.message().c_str());
        QVERIFY2(QString::fromStdString(file.message()).contains(expected), file.message().c_str());
    }

    // A dtype newer than this reader still opens (its range is checked against the file); reading it fails.
    void keepsUnknownDtypesUnread()
    {
        const QString path = writeScratch("f4.safetensors",
                                          safetensorsBytes(headerOf({{"q", entry("F4", {16}, 0, 8)}}), QByteArray(8, 'x')));
        Result<SafetensorsFile> file = SafetensorsFile::open(path.toStdString());
        QVERIFY2(file.isOk(), file.message().c_str());
        std::vector<float> values(16);
        QVERIFY(!file->readFloat32(*file->find("q"), 0, values).isOk());
        const Result<SafetensorsFile> missing = SafetensorsFile::open("/nonexistent/model.safetensors");
        QVERIFY(!missing.isOk());
        QVERIFY2(missing.message().find("cannot open") != std::string::npos, missing.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsFile)
#include "tst_safetensors_file.moc"
