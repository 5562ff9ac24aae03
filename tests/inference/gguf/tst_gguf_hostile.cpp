// Hostile and broken GGUF files: every one must give a clean error naming the file, the byte offset and the
// problem — never a crash, an out-of-bounds read (run under AddressSanitizer too) or a huge allocation.
#include "gguf_test_files.h"
#include "support/test_data.h"

#include "vela/gguf.h"

#include <QtTest>

#include <cstring>
#include <functional>
#include <random>

using namespace vela;

namespace {

// Assembles a GGUF image field by field so a test can put any value into any field.
class HeaderBuilder {
public:
    template <class T>
    HeaderBuilder& put(T v)
    {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        m_bytes.insert(m_bytes.end(), p, p + sizeof(T));
        return *this;
    }
    HeaderBuilder& str(std::string_view s)
    {
        put<uint64_t>(s.size());
        m_bytes.insert(m_bytes.end(), s.begin(), s.end());
        return *this;
    }
    HeaderBuilder& start(uint32_t version, uint64_t tensors, uint64_t kvs)
    {
        m_bytes.insert(m_bytes.end(), {'G', 'G', 'U', 'F'});
        return put(version).put(tensors).put(kvs);
    }
    HeaderBuilder& kvU32(std::string_view key, uint32_t v) { return str(key).put<uint32_t>(4).put(v); }
    HeaderBuilder& tensor(std::string_view name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset)
    {
        str(name).put<uint32_t>(static_cast<uint32_t>(dims.size()));
        for (uint64_t d : dims)
            put(d);
        return put(type).put(offset);
    }
    HeaderBuilder& padData(size_t dataBytes)
    {
        while (m_bytes.size() % 32)
            m_bytes.push_back(0);
        m_bytes.resize(m_bytes.size() + dataBytes);
        return *this;
    }
    std::vector<uint8_t> bytes() const { return m_bytes; }

private:
    std::vector<uint8_t> m_bytes;
};

// Parses from an exactly sized heap copy, so AddressSanitizer sees any read past the end.
Result<GgufFile> parseCopy(const std::vector<uint8_t>& image, std::vector<uint8_t>& keepAlive, const char* name)
{
    keepAlive.assign(image.begin(), image.end());
    keepAlive.shrink_to_fit();
    return GgufFile::parse(keepAlive, name);
}

}  // namespace

class TestGgufHostile : public QObject {
    Q_OBJECT

private slots:
    void rejectsCorruptField_data();
    void rejectsCorruptField();
    void rejectsTruncationAtEveryHeaderByte_data();
    void rejectsTruncationAtEveryHeaderByte();
    void survivesRandomCorruption();
    void reportsFilesItCannotOpen();
};

void TestGgufHostile::rejectsCorruptField_data()
{
    QTest::addColumn<QByteArray>("image");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<qlonglong>("offset");  // -1: any
    auto add = [](const char* name, const HeaderBuilder& b, const char* expected, qlonglong offset) {
        const std::vector<uint8_t> bytes = b.bytes();
        QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()))
                            << QString(expected) << offset;
    };
    const uint64_t kHuge = 1ull << 60;
    add("empty file", HeaderBuilder(), "file ends inside the GGUF magic", 0);
    add("wrong magic", HeaderBuilder().put<uint32_t>(0x4c4d4747).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0),
        "not a GGUF file", 0);
    add("version 1", HeaderBuilder().start(1, 0, 0), "GGUF version 1 is not supported", 4);
    add("version 7", HeaderBuilder().start(7, 0, 0), "unsupported GGUF version 7", 4);
    add("big-endian", HeaderBuilder().start(0x03000000, 0, 0), "big-endian", 4);
    add("huge tensor count", HeaderBuilder().start(3, kHuge, 0), "tensor count", 8);
    add("huge metadata count", HeaderBuilder().start(3, 0, kHuge), "metadata count", 16);
    add("huge key length", HeaderBuilder().start(3, 0, 1).put<uint64_t>(kHuge).put<uint32_t>(0).put<uint64_t>(0),
        "metadata key claims", 24);
    add("huge string value", HeaderBuilder().start(3, 0, 1).str("k").put<uint32_t>(8).put<uint64_t>(kHuge),
        "string value claims", 37);
    add("huge array", HeaderBuilder().start(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(6).put<uint64_t>(kHuge),
        "array length", 41);
    add("huge string array",
        HeaderBuilder().start(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(1000).put<uint64_t>(1),
        "array length 1000 is impossible", 41);
    add("unknown value type", HeaderBuilder().start(3, 0, 1).str("k").put<uint32_t>(13), "unknown metadata value type 13",
        33);
    add("bool 2", HeaderBuilder().start(3, 0, 1).str("k").put<uint32_t>(7).put<uint8_t>(2), "neither 0 nor 1", 37);
    add("duplicate key", HeaderBuilder().start(3, 0, 2).kvU32("k", 1).kvU32("k", 2), "duplicate metadata key 'k'", 41);
    add("alignment 0", HeaderBuilder().start(3, 0, 1).kvU32("general.alignment", 0), "general.alignment must be", 0);
    add("alignment 48", HeaderBuilder().start(3, 0, 1).kvU32("general.alignment", 48), "power of two", 0);
    add("alignment as string", HeaderBuilder().start(3, 0, 1).str("general.alignment").put<uint32_t>(8).str("32"),
        "general.alignment must be", 0);
    {
        HeaderBuilder nested;
        nested.start(3, 0, 1).str("k").put<uint32_t>(9);
        for (int i = 0; i < 20; ++i)
            nested.put<uint32_t>(9).put<uint64_t>(1);
        nested.put<uint32_t>(0).put<uint64_t>(0);
        add("nesting bomb", nested, "nested deeper than", -1);
    }
    add("unknown ggml type", HeaderBuilder().start(3, 1, 0).tensor("w", {32}, 4, 0).padData(64), "unknown ggml type id 4",
        45);
    add("type id past the table", HeaderBuilder().start(3, 1, 0).tensor("w", {32}, 99, 0).padData(64),
        "unknown ggml type id 99", 45);
    add("misaligned offset", HeaderBuilder().start(3, 1, 0).tensor("w", {4}, 0, 8).padData(64),
        "is not a multiple of the alignment 32", 24);
    add("data outside the file", HeaderBuilder().start(3, 1, 0).tensor("w", {64}, 0, 0).padData(100),
        "lies outside the file", 24);
    add("offset far past the end", HeaderBuilder().start(3, 1, 0).tensor("w", {4}, 0, 1ull << 62).padData(16),
        "lies outside the file", 24);
    add("shape overflow", HeaderBuilder().start(3, 1, 0).tensor("w", {1ull << 40, 1ull << 40}, 0, 0).padData(16),
        "absurd shape", -1);
    add("zero dimensions", HeaderBuilder().start(3, 1, 0).tensor("w", {}, 0, 0).padData(16), "has 0 dimensions", 33);
    add("five dimensions", HeaderBuilder().start(3, 1, 0).tensor("w", {1, 1, 1, 1, 1}, 0, 0).padData(16),
        "has 5 dimensions", 33);
    add("row not a whole block", HeaderBuilder().start(3, 1, 0).tensor("w", {48}, 8, 0).padData(64),
        "not a multiple of its block size 32", 33);
    add("duplicate tensor", HeaderBuilder().start(3, 2, 0).tensor("w", {8}, 0, 0).tensor("w", {8}, 0, 32).padData(64),
        "duplicate tensor name 'w'", 57);
    add("long tensor name", HeaderBuilder().start(3, 1, 0).tensor(std::string(200, 'x'), {8}, 0, 0).padData(64),
        "longer than 63", 24);
    add("truncated tensor info", HeaderBuilder().start(3, 1, 0).str("a_long_tensor_name").put<uint32_t>(2).put<uint64_t>(8),
        "file ends inside a tensor dimension", -1);
}

void TestGgufHostile::rejectsCorruptField()
{
    QFETCH(QByteArray, image);
    QFETCH(QString, expected);
    QFETCH(qlonglong, offset);
    std::vector<uint8_t> keep;
    Result<GgufFile> file = parseCopy(std::vector<uint8_t>(image.begin(), image.end()), keep, "hostile.gguf");
    QVERIFY2(!file.isOk(), "a broken file was accepted");
    const QString message = QString::fromStdString(file.message());
    QVERIFY2(message.startsWith("hostile.gguf: at byte "), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
    if (offset >= 0)
        QVERIFY2(message.startsWith(QStringLiteral("hostile.gguf: at byte %1:").arg(offset)), qPrintable(message));
}

void TestGgufHostile::rejectsTruncationAtEveryHeaderByte_data()
{
    QTest::addColumn<QString>("relative");
    QTest::newRow("stories260K") << "models/stories260K.gguf";
    QTest::newRow("llama-gqa-Q4_K_M") << "models/synthetic/llama-gqa-Q4_K_M.gguf";
    QTest::newRow("gemma3-vision-mmproj") << "models/vision/gemma3-vision-tiny-mmproj.gguf";
}

// Cut the file at every byte of its header and at strides through its tensor data: each prefix is refused.
void TestGgufHostile::rejectsTruncationAtEveryHeaderByte()
{
    QFETCH(QString, relative);
    VELA_REQUIRE_FILE(path, relative);
    const std::vector<uint8_t> whole = test::readWholeFile(path);
    Result<GgufFile> full = GgufFile::parse(whole, "whole");
    QVERIFY2(full.isOk(), full.message().c_str());
    const size_t dataStart = static_cast<size_t>(full->tensorData(full->tensors().front()).data() - whole.data()) -
                             full->tensors().front().offset;
    std::vector<uint8_t> keep;
    int refused = 0;
    for (size_t length = 0; length < whole.size(); length += (length < dataStart ? 1 : 4093)) {
        Result<GgufFile> cut = parseCopy(std::vector<uint8_t>(whole.begin(), whole.begin() + length), keep, "cut.gguf");
        if (cut.isOk())
            QFAIL(qPrintable(QStringLiteral("a file cut at %1 of %2 bytes was accepted").arg(length).arg(whole.size())));
        QVERIFY2(cut.message().rfind("cut.gguf: at byte ", 0) == 0, cut.message().c_str());
        ++refused;
    }
    QVERIFY(refused > int(dataStart));
}

// Seeded random byte corruption of a rich header: any outcome but a crash or an out-of-range tensor is fine.
void TestGgufHostile::survivesRandomCorruption()
{
    const std::vector<uint8_t> image = test::makeRichWriter().toBytes();
    Result<GgufFile> clean = GgufFile::parse(image, "clean");
    QVERIFY(clean.isOk());
    const size_t headerBytes = static_cast<size_t>(clean->tensorData(clean->tensors().front()).data() - image.data());
    std::mt19937 rng(20261126);
    std::vector<uint8_t> keep;
    int accepted = 0;
    for (int round = 0; round < 4000; ++round) {
        std::vector<uint8_t> mutated = image;
        const int flips = 1 + int(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            const size_t at = rng() % headerBytes;
            mutated[at] = (rng() % 3 == 0) ? uint8_t(0xff) : static_cast<uint8_t>(rng());
        }
        if (rng() % 5 == 0)
            mutated.resize(rng() % mutated.size());
        Result<GgufFile> file = parseCopy(mutated, keep, "fuzz.gguf");
        if (!file.isOk())
            continue;
        ++accepted;
        for (const GgufTensorInfo& t : file->tensors()) {
            const auto data = file->tensorData(t);
            QVERIFY(data.data() >= keep.data() && data.data() + data.size() <= keep.data() + keep.size());
        }
    }
    QVERIFY2(accepted < 4000, "no corruption was ever detected");
}

void TestGgufHostile::reportsFilesItCannotOpen()
{
    Result<GgufFile> missing = GgufFile::open("/nonexistent/model.gguf");
    QVERIFY(!missing.isOk());
    QVERIFY2(missing.message().find("/nonexistent/model.gguf") != std::string::npos, missing.message().c_str());
    Result<GgufFile> directory = GgufFile::open(test::scratchDir().toStdString());
    QVERIFY(!directory.isOk());
    QVERIFY2(directory.message().find("not a regular file") != std::string::npos, directory.message().c_str());
}

QTEST_GUILESS_MAIN(TestGgufHostile)
#include "tst_gguf_hostile.moc"
