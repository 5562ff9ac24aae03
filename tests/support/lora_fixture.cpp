#include "support/lora_fixture.h"

#include "ref/dequantize.h"
#include "ref/quantize.h"

#include <cstring>
#include <map>
#include <random>

namespace vela::test {
namespace {

// `rows` rows of `cols` values ~ N(0, sigma), rounded to `type` as its file bytes would hold them.
std::vector<float> randomRows(GgmlType type, uint32_t rows, uint32_t cols, float sigma, std::mt19937& rng)
{
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> values(size_t(rows) * cols);
    std::vector<uint8_t> bytes(*ggmlRowBytes(type, cols));
    for (uint32_t r = 0; r < rows; ++r) {
        float* row = values.data() + size_t(r) * cols;
        for (uint32_t c = 0; c < cols; ++c)
            row[c] = dist(rng);
        ref::quantizeRow(type, row, bytes.data(), cols);
        ref::dequantizeRow(type, bytes.data(), row, cols);
    }
    return values;
}

std::vector<uint8_t> encodeRows(GgmlType type, const std::vector<float>& values, uint32_t cols)
{
    const uint64_t rowBytes = *ggmlRowBytes(type, cols);
    const size_t rows = values.size() / cols;
    std::vector<uint8_t> bytes(rowBytes * rows);
    for (size_t r = 0; r < rows; ++r)
        ref::quantizeRow(type, values.data() + r * cols, bytes.data() + r * rowBytes, cols);
    return bytes;
}

// Σ factor·B·A for every adapted tensor, in double: (nOut, nIn) row-major like the model's rows.
std::map<std::string, std::vector<double>> mergedDeltas(const std::vector<LoraMerge>& merges)
{
    std::map<std::string, std::vector<double>> deltas;
    for (const LoraMerge& merge : merges) {
        for (const LoraPairData& p : *merge.pairs) {
            std::vector<double>& d = deltas[p.base];
            d.resize(size_t(p.nOut) * p.nIn, 0.0);
            for (uint32_t r = 0; r < p.nOut; ++r) {
                for (uint32_t k = 0; k < p.rank; ++k) {
                    const double bk = double(merge.factor) * p.b[size_t(r) * p.rank + k];
                    for (uint32_t c = 0; c < p.nIn; ++c)
                        d[size_t(r) * p.nIn + c] += bk * p.a[size_t(k) * p.nIn + c];
                }
            }
        }
    }
    return deltas;
}

}  // namespace

LoraPairData randomLoraPair(const std::string& base, uint32_t nIn, uint32_t nOut, uint32_t rank, GgmlType type,
                            float sigma, uint32_t seed)
{
    std::mt19937 rng(seed);
    LoraPairData pair{base, nIn, nOut, rank, type, {}, {}};
    pair.a = randomRows(type, rank, nIn, sigma, rng);
    pair.b = randomRows(type, nOut, rank, sigma, rng);
    return pair;
}

LoraPairData randomLoraPair(const GgufFile& model, const std::string& base, uint32_t rank, GgmlType type, float sigma,
                            uint32_t seed)
{
    const GgufTensorInfo* t = model.findTensor(base);
    if (!t)
        return {};
    return randomLoraPair(base, static_cast<uint32_t>(t->dims[0]), static_cast<uint32_t>(t->dims[1]), rank, type, sigma,
                          seed);
}

GgufWriter loraAdapterWriter(const std::string& architecture, float alpha)
{
    GgufWriter writer;
    writer.setString("general.architecture", architecture);
    writer.setString("general.type", "adapter");
    writer.setString("adapter.type", "lora");
    writer.setFloat32("adapter.lora.alpha", alpha);
    return writer;
}

Status addLoraPair(GgufWriter& writer, const LoraPairData& pair, bool withA, bool withB)
{
    if (withA) {
        const Status added = writer.addTensor(pair.base + ".lora_a", pair.type, {pair.nIn, pair.rank},
                                              encodeRows(pair.type, pair.a, pair.nIn));
        if (!added)
            return added;
    }
    if (!withB)
        return {};
    return writer.addTensor(pair.base + ".lora_b", pair.type, {pair.rank, pair.nOut},
                            encodeRows(pair.type, pair.b, pair.rank));
}

std::string writeLoraAdapter(const std::string& path, const std::string& architecture, float alpha,
                             const std::vector<LoraPairData>& pairs)
{
    GgufWriter writer = loraAdapterWriter(architecture, alpha);
    for (const LoraPairData& pair : pairs) {
        if (Status s = addLoraPair(writer, pair); !s)
            return s.message();
    }
    const Status written = writer.writeFile(path);
    return written ? std::string() : written.message();
}

std::string writeMergedModel(const std::string& modelPath, const std::string& path, const std::vector<LoraMerge>& merges)
{
    Result<GgufFile> model = GgufFile::open(modelPath);
    if (!model)
        return model.message();
    const std::map<std::string, std::vector<double>> deltas = mergedDeltas(merges);
    GgufWriter writer;
    for (const GgufKeyValue& kv : model->metadata())
        writer.set(kv.key, kv.value);
    for (const GgufTensorInfo& t : model->tensors()) {
        const std::span<const uint8_t> bytes = model->tensorData(t);
        std::vector<uint8_t> data(bytes.begin(), bytes.end());
        if (const auto it = deltas.find(t.name); it != deltas.end()) {
            if (t.type != GgmlType::F32 || it->second.size() != t.elementCount())
                return "cannot merge into '" + t.name + "' (an F32 matrix of the adapter's shape is needed)";
            std::vector<float> w(t.elementCount());
            std::memcpy(w.data(), data.data(), data.size());
            for (size_t i = 0; i < w.size(); ++i)
                w[i] = static_cast<float>(double(w[i]) + it->second[i]);
            std::memcpy(data.data(), w.data(), data.size());
        }
        const std::vector<uint64_t> dims(t.dims.begin(), t.dims.begin() + t.nDims);
        if (Status s = writer.addTensor(t.name, t.type, dims, std::move(data)); !s)
            return s.message();
    }
    const Status written = writer.writeFile(path);
    return written ? std::string() : written.message();
}

}  // namespace vela::test
