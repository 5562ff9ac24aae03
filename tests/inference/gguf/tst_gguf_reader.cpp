// The GGUF reader on every shared model, on files our writer makes (every value type, nested arrays,
// alignment, split models), and the ggml type table.
#include "gguf_test_files.h"
#include "support/test_data.h"

#include "vela/gguf.h"
#include "vela/model_info.h"

#include <QFile>
#include <QRegularExpression>
#include <QtTest>

using namespace vela;

class TestGgufReader : public QObject {
    Q_OBJECT

private slots:
    void opensSharedModels_data();
    void opensSharedModels();
    void matchesReadmeInventory_data();
    void matchesReadmeInventory();
    void roundTripsEveryValueType_data();
    void roundTripsEveryValueType();
    void honoursAlignment();
    void opensSplitModelFromAnyPart();
    void rejectsBrokenSplitSets();
    void knowsGgmlTypeLayouts();
};

void TestGgufReader::opensSharedModels_data()
{
    QTest::addColumn<QString>("relative");
    const QStringList files = test::sharedModelFiles();
    QVERIFY2(files.size() >= 20, "expected the shared GGUF fixtures (set VELA_TEST_DATA)");
    for (const QString& f : files)
        QTest::newRow(qPrintable(f)) << f;
}

void TestGgufReader::opensSharedModels()
{
    QFETCH(QString, relative);
    VELA_REQUIRE_FILE(path, "models/" + relative);
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    QVERIFY2(file.isOk(), file.message().c_str());
    QVERIFY(file->version() == 2 || file->version() == 3);
    QVERIFY(!file->architecture().empty());
    QCOMPARE(file->fileBytes(), static_cast<uint64_t>(QFile(path).size()));
    uint64_t sum = 0;
    for (const GgufTensorInfo& t : file->tensors()) {
        const std::span<const uint8_t> data = file->tensorData(t);
        QCOMPARE(data.size(), t.byteSize);
        sum += t.byteSize;
    }
    QCOMPARE(describeModel(*file).weightBytes, sum);
}

// models/README.md §4 lists every file's architecture, parameter count and tensor types as stored.
void TestGgufReader::matchesReadmeInventory_data()
{
    QTest::addColumn<QString>("relative");
    QTest::addColumn<QString>("arch");
    QTest::addColumn<qulonglong>("params");
    QTest::addColumn<QString>("types");
    VELA_REQUIRE_FILE(readme, "models/README.md");
    QFile f(readme);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QRegularExpression row(R"(^\| ([\w./-]+\.gguf) \| \d+ \| `[0-9a-f]{64}` \| (\w+) \| (\d+) \| ([^|]+) \|)");
    int rows = 0;
    for (const QString& line : QString::fromUtf8(f.readAll()).split('\n')) {
        const QRegularExpressionMatch m = row.match(line);
        // models/README.md ("Removed for size") lists rows whose files were taken out of shared/.
        if (!m.hasMatch() || !QFile::exists(test::testDataDir() + "/models/" + m.captured(1)))
            continue;
        QTest::newRow(qPrintable(m.captured(1)))
            << m.captured(1) << m.captured(2) << m.captured(3).toULongLong() << m.captured(4).trimmed();
        ++rows;
    }
    QVERIFY2(rows >= 20, "the inventory table of models/README.md was not found");
}

void TestGgufReader::matchesReadmeInventory()
{
    QFETCH(QString, relative);
    QFETCH(QString, arch);
    QFETCH(qulonglong, params);
    QFETCH(QString, types);
    VELA_REQUIRE_FILE(path, "models/" + relative);
    Result<GgufFile> file = GgufFile::open(path.toStdString());
    QVERIFY2(file.isOk(), file.message().c_str());
    const ModelInfo info = describeModel(*file);
    QCOMPARE(QString::fromStdString(info.architecture), arch);
    QCOMPARE(info.parameterCount, static_cast<uint64_t>(params));
    QStringList ours;
    for (const TensorTypeSummary& s : info.tensorTypes)
        ours << QStringLiteral("%1:%2").arg(QString::fromLatin1(ggmlTypeName(s.type).data(), ggmlTypeName(s.type).size())).arg(s.tensorCount);
    QStringList theirs = types.split(", ");
    ours.sort();
    theirs.sort();
    QCOMPARE(ours, theirs);
}

void TestGgufReader::roundTripsEveryValueType_data()
{
    QTest::addColumn<uint32_t>("version");
    QTest::newRow("v2") << 2u;
    QTest::newRow("v3") << 3u;
}

void TestGgufReader::roundTripsEveryValueType()
{
    QFETCH(uint32_t, version);
    GgufWriter writer = test::makeRichWriter();
    GgufWriter versioned(version);
    const std::vector<uint8_t> originalBytes = writer.toBytes();  // parse() keeps pointing into these
    Result<GgufFile> original = GgufFile::parse(originalBytes, "x");
    QVERIFY2(original.isOk(), original.message().c_str());
    for (const GgufKeyValue& kv : original->metadata())
        versioned.set(kv.key, kv.value);
    for (const GgufTensorInfo& t : original->tensors()) {
        const auto data = original->tensorData(t);
        std::vector<uint64_t> dims(t.dims.begin(), t.dims.begin() + t.nDims);
        QVERIFY(versioned.addTensor(t.name, t.type, dims, {data.begin(), data.end()}).isOk());
    }
    const std::vector<uint8_t> bytes = versioned.toBytes();
    Result<GgufFile> file = GgufFile::parse(bytes, "rich.gguf");
    QVERIFY2(file.isOk(), file.message().c_str());
    QCOMPARE(file->version(), version);
    QCOMPARE(*file->getInt("t.u8"), 250);
    QCOMPARE(*file->getInt("t.i8"), -7);
    QCOMPARE(*file->getInt("t.u16"), 65000);
    QCOMPARE(*file->getInt("t.i16"), -30000);
    QCOMPARE(*file->getInt("t.u32"), 4000000000ll);
    QCOMPARE(*file->getInt("t.i32"), -2000000000ll);
    QCOMPARE(*file->getInt("t.u64"), 1ll << 40);
    QCOMPARE(*file->getInt("t.i64"), -(1ll << 40));
    QCOMPARE(*file->getFloat("t.f32"), 0.5);
    QCOMPARE(*file->getFloat("t.f64"), 1e-300);
    QCOMPARE(*file->getBool("t.bool"), true);
    QCOMPARE(file->find("t.u32")->type(), GgufValueType::UInt32);
    QVERIFY(!file->getString("t.u32").has_value());
    QCOMPARE(std::string(*file->getString("general.name")), std::string("rich \xE2\x96\x81 test"));
    const GgufValue* strings = file->find("t.strings");
    QVERIFY(strings && strings->isArray());
    QCOMPARE(strings->items().size(), size_t(3));
    QCOMPARE(std::string(*strings->items()[2].asString()), std::string("\xF0\x9F\xA6\x99"));
    const GgufValue* nested = file->find("t.nested");
    QVERIFY(nested && nested->elementType() == GgufValueType::Array);
    QCOMPARE(nested->items().size(), size_t(2));
    QCOMPARE(*nested->items()[0].items()[1].asInt(), 2);
    QCOMPARE(*nested->items()[1].items()[0].asInt(), 3);
    QCOMPARE(file->find("t.empty")->items().size(), size_t(0));

    QCOMPARE(file->tensors().size(), size_t(4));
    const GgufTensorInfo* q8 = file->findTensor("d.q8_0");
    QVERIFY(q8);
    QCOMPARE(q8->nDims, 4u);
    QCOMPARE(q8->dims[3], uint64_t(2));
    QCOMPARE(q8->byteSize, uint64_t(136));
    for (const GgufTensorInfo& t : file->tensors()) {
        QCOMPARE(t.offset % 32, uint64_t(0));
        const auto a = file->tensorData(t);
        const auto b = original->tensorData(*original->findTensor(t.name));
        QVERIFY(std::equal(a.begin(), a.end(), b.begin(), b.end()));
    }
}

void TestGgufReader::honoursAlignment()
{
    GgufWriter writer = test::makeRichWriter();
    writer.setUInt32("general.alignment", 64);
    const std::vector<uint8_t> bytes = writer.toBytes();
    Result<GgufFile> file = GgufFile::parse(bytes, "aligned.gguf");
    QVERIFY2(file.isOk(), file.message().c_str());
    QCOMPARE(file->alignment(), uint64_t(64));
    for (const GgufTensorInfo& t : file->tensors()) {
        QCOMPARE(t.offset % 64, uint64_t(0));
        QCOMPARE(static_cast<size_t>(file->tensorData(t).data() - bytes.data()) % 64, size_t(0));
    }
}

namespace {

// Writes `tensors` tensors spread over `parts` files named like llama.cpp's gguf-split output.
QString writeSplitModel(const QString& dir, int parts, int tensorsPerPart, std::vector<std::vector<uint8_t>>& datas)
{
    const QString prefix = dir + "/model";
    for (int p = 0; p < parts; ++p) {
        GgufWriter w;
        if (p == 0)
            w.setString("general.architecture", "llama");
        w.set("split.no", GgufValue::fromUInt(GgufValueType::UInt16, p));
        w.set("split.count", GgufValue::fromUInt(GgufValueType::UInt16, parts));
        w.set("split.tensors.count", GgufValue::fromInt(GgufValueType::Int32, parts * tensorsPerPart));
        for (int t = 0; t < tensorsPerPart; ++t) {
            datas.push_back(test::randomBytes(64, p * 100 + t));
            (void)w.addTensor(QStringLiteral("blk.%1.w").arg(p * tensorsPerPart + t).toStdString(), GgmlType::F32,
                              {16}, datas.back());
        }
        const QString path = QString::asprintf("%s-%05d-of-%05d.gguf", qPrintable(prefix), p + 1, parts);
        if (!w.writeFile(path.toStdString()).isOk())
            return {};
    }
    return prefix;
}

}  // namespace

void TestGgufReader::opensSplitModelFromAnyPart()
{
    const QString dir = test::scratchDir() + "/split";
    QDir().mkpath(dir);
    std::vector<std::vector<uint8_t>> datas;
    const QString prefix = writeSplitModel(dir, 3, 2, datas);
    QVERIFY(!prefix.isEmpty());
    for (int part = 1; part <= 3; ++part) {
        const QString path = QString::asprintf("%s-%05d-of-00003.gguf", qPrintable(prefix), part);
        Result<GgufFile> file = GgufFile::open(path.toStdString());
        QVERIFY2(file.isOk(), file.message().c_str());
        QCOMPARE(file->paths().size(), size_t(3));
        QCOMPARE(file->architecture(), std::string("llama"));
        QCOMPARE(file->tensors().size(), size_t(6));
        for (size_t i = 0; i < 6; ++i) {
            const GgufTensorInfo& t = file->tensors()[i];
            QCOMPARE(t.fileIndex, uint32_t(i / 2));
            const auto data = file->tensorData(t);
            QVERIFY(std::equal(data.begin(), data.end(), datas[i].begin(), datas[i].end()));
        }
    }
}

void TestGgufReader::rejectsBrokenSplitSets()
{
    const QString dir = test::scratchDir() + "/split-broken";
    QDir().mkpath(dir);
    std::vector<std::vector<uint8_t>> datas;
    const QString prefix = writeSplitModel(dir, 3, 1, datas);
    QVERIFY(QFile::remove(prefix + "-00002-of-00003.gguf"));
    Result<GgufFile> missing = GgufFile::open((prefix + "-00001-of-00003.gguf").toStdString());
    QVERIFY(!missing.isOk());
    QVERIFY2(missing.message().find("-00002-of-00003.gguf") != std::string::npos, missing.message().c_str());
    QVERIFY2(missing.message().find("part 2 of a split model") != std::string::npos, missing.message().c_str());

    // A part with the wrong split.no (part 3 copied over part 2).
    QVERIFY(QFile::copy(prefix + "-00003-of-00003.gguf", prefix + "-00002-of-00003.gguf"));
    Result<GgufFile> wrong = GgufFile::open((prefix + "-00001-of-00003.gguf").toStdString());
    QVERIFY(!wrong.isOk());
    QVERIFY2(wrong.message().find("split.no 2 of 3, expected part 1") != std::string::npos, wrong.message().c_str());
}

void TestGgufReader::knowsGgmlTypeLayouts()
{
    struct Expected {
        GgmlType type;
        uint32_t block, bytes;
    };
    const Expected expected[] = {
        {GgmlType::F32, 1, 4},      {GgmlType::F16, 1, 2},      {GgmlType::BF16, 1, 2},
        {GgmlType::Q4_0, 32, 18},   {GgmlType::Q4_1, 32, 20},   {GgmlType::Q5_0, 32, 22},
        {GgmlType::Q5_1, 32, 24},   {GgmlType::Q8_0, 32, 34},   {GgmlType::Q8_1, 32, 36},
        {GgmlType::Q2_K, 256, 84},  {GgmlType::Q3_K, 256, 110}, {GgmlType::Q4_K, 256, 144},
        {GgmlType::Q5_K, 256, 176}, {GgmlType::Q6_K, 256, 210}, {GgmlType::Q8_K, 256, 292},
        {GgmlType::IQ2_XXS, 256, 66}, {GgmlType::IQ2_XS, 256, 74}, {GgmlType::IQ3_XXS, 256, 98},
        {GgmlType::IQ1_S, 256, 50}, {GgmlType::IQ4_NL, 32, 18}, {GgmlType::IQ3_S, 256, 110},
        {GgmlType::IQ2_S, 256, 82}, {GgmlType::IQ4_XS, 256, 136}, {GgmlType::IQ1_M, 256, 56},
        {GgmlType::I8, 1, 1},       {GgmlType::I16, 1, 2},      {GgmlType::I32, 1, 4},
        {GgmlType::I64, 1, 8},      {GgmlType::F64, 1, 8},
    };
    for (const Expected& e : expected) {
        const GgmlTypeInfo info = ggmlTypeInfo(e.type);
        QCOMPARE(info.blockSize, e.block);
        QCOMPARE(info.typeSize, e.bytes);
        QCOMPARE(ggmlTypeFromName(info.name), std::optional<GgmlType>(e.type));
    }
    for (uint32_t retired : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 40u, 1000u})
        QVERIFY(!ggmlTypeInfo(retired).has_value());
    QCOMPARE(ggmlRowBytes(GgmlType::Q4_K, 512), std::optional<uint64_t>(288));
    QVERIFY(!ggmlRowBytes(GgmlType::Q4_K, 100).has_value());
}

QTEST_GUILESS_MAIN(TestGgufReader)
#include "tst_gguf_reader.moc"
