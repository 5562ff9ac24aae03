#include "gguf_test_files.h"

#include "support/test_data.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <random>

namespace vela::test {

QStringList sharedModelFiles()
{
    const QString root = testDataDir() + "/models";
    QStringList files;
    QDirIterator it(root, {"*.gguf"}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(root).relativeFilePath(it.next());
    files.sort();
    return files;
}

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<uint8_t> bytes(n);
    for (uint8_t& b : bytes)
        b = static_cast<uint8_t>(rng());
    return bytes;
}

GgufWriter makeRichWriter()
{
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setString("general.name", "rich \xE2\x96\x81 test");
    w.set("t.u8", GgufValue::fromUInt(GgufValueType::UInt8, 250));
    w.set("t.i8", GgufValue::fromInt(GgufValueType::Int8, -7));
    w.set("t.u16", GgufValue::fromUInt(GgufValueType::UInt16, 65000));
    w.set("t.i16", GgufValue::fromInt(GgufValueType::Int16, -30000));
    w.setUInt32("t.u32", 4000000000u);
    w.set("t.i32", GgufValue::fromInt(GgufValueType::Int32, -2000000000));
    w.set("t.u64", GgufValue::fromUInt(GgufValueType::UInt64, 1ull << 40));
    w.set("t.i64", GgufValue::fromInt(GgufValueType::Int64, -(1ll << 40)));
    w.setFloat32("t.f32", 0.5f);
    w.set("t.f64", GgufValue::fromFloat(GgufValueType::Float64, 1e-300));
    w.setBool("t.bool", true);
    w.set("t.strings", GgufValue::fromStrings({"a", "", "\xF0\x9F\xA6\x99"}));
    std::vector<GgufValue> inner1{GgufValue::fromInt(GgufValueType::Int32, 1), GgufValue::fromInt(GgufValueType::Int32, 2)};
    std::vector<GgufValue> inner2{GgufValue::fromInt(GgufValueType::Int32, 3)};
    std::vector<GgufValue> outer{GgufValue::fromArray(GgufValueType::Int32, inner1),
                                 GgufValue::fromArray(GgufValueType::Int32, inner2)};
    w.set("t.nested", GgufValue::fromArray(GgufValueType::Array, outer));
    w.set("t.empty", GgufValue::fromArray(GgufValueType::Float32, {}));
    (void)w.addTensor("a.f32", GgmlType::F32, {3, 2}, randomBytes(24, 1));
    (void)w.addTensor("b.q4_k", GgmlType::Q4_K, {256, 2}, randomBytes(288, 2));
    (void)w.addTensor("c.f16", GgmlType::F16, {5}, randomBytes(10, 3));
    (void)w.addTensor("d.q8_0", GgmlType::Q8_0, {64, 1, 1, 2}, randomBytes(136, 4));
    return w;
}

std::vector<uint8_t> readWholeFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = f.readAll();
    return std::vector<uint8_t>(data.begin(), data.end());
}

}  // namespace vela::test
