#include "support/logits_golden.h"

#include "support/test_data.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace vela::test {
namespace {

std::vector<int32_t> idsFromJson(const QJsonArray& array)
{
    std::vector<int32_t> ids;
    for (const QJsonValue& v : array)
        ids.push_back(v.toInt());
    return ids;
}

}  // namespace

bool readLogitsGolden(const QString& name, LogitsGolden& golden)
{
    const QString base = testDataDir() + "/reference/logits/" + name;
    QFile json(base + ".json"), logits(base + ".f32");
    if (!json.open(QIODevice::ReadOnly) || !logits.open(QIODevice::ReadOnly))
        return false;
    const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
    golden.promptIds = idsFromJson(root["prompt_ids"].toArray());
    const QJsonObject greedy = root["greedy"].toObject();
    golden.greedyIds = idsFromJson(greedy["ids"].toArray());
    golden.greedyText = greedy["text"].toString();
    golden.margins.clear();
    for (const QJsonValue& step : greedy["steps"].toArray())
        golden.margins.push_back(step.toObject()["margin"].toDouble());
    const QByteArray bytes = logits.readAll();
    golden.logits.resize(static_cast<size_t>(bytes.size()) / sizeof(float));
    std::memcpy(golden.logits.data(), bytes.data(), golden.logits.size() * sizeof(float));
    return root["n_vocab"].toInt() == static_cast<int>(golden.logits.size()) && !golden.promptIds.empty();
}

LogitsComparison compareLogits(const float* ours, const std::vector<float>& theirs)
{
    LogitsComparison c;
    double dot = 0, normOurs = 0, normTheirs = 0;
    for (size_t i = 0; i < theirs.size(); ++i) {
        c.maxDelta = std::max(c.maxDelta, std::fabs(double(ours[i]) - theirs[i]));
        c.maxLogit = std::max(c.maxLogit, std::fabs(double(theirs[i])));
        dot += double(ours[i]) * theirs[i];
        normOurs += double(ours[i]) * ours[i];
        normTheirs += double(theirs[i]) * theirs[i];
    }
    c.cosine = dot / std::sqrt(normOurs * normTheirs);
    return c;
}

int32_t argmaxOf(const float* logits, size_t n)
{
    return static_cast<int32_t>(std::max_element(logits, logits + n) - logits);
}

QList<QPair<QString, QString>> llamaGoldenModels()
{
    return {
        {"stories260K", "models/stories260K.gguf"},
        {"llama-2-tiny-random", "models/llama-2-tiny-random.gguf"},
        {"llama-gqa-Q4_0", "models/synthetic/llama-gqa-Q4_0.gguf"},
        {"llama-gqa-Q4_K_M", "models/synthetic/llama-gqa-Q4_K_M.gguf"},
        {"llama-gqa-Q5_K_M", "models/synthetic/llama-gqa-Q5_K_M.gguf"},
        {"llama-gqa-Q6_K", "models/synthetic/llama-gqa-Q6_K.gguf"},
        {"llama-gqa-Q8_0", "models/synthetic/llama-gqa-Q8_0.gguf"},
        {"llama-yarn", "models/synthetic/llama-yarn.gguf"},
    };
}

QList<QPair<QString, QString>> llamaFamilyGoldenModels()
{
    return llamaGoldenModels() + QList<QPair<QString, QString>>{
        // The rest of the Llama family: NeoX rope, biases, QK-norm, GeGLU, embedding scale.
        {"qwen2", "models/synthetic/qwen2.gguf"},
        {"qwen3", "models/synthetic/qwen3.gguf"},
        {"qwen3-BF16", "models/synthetic/qwen3-BF16.gguf"},
        {"qwen3-Q4_0", "models/synthetic/qwen3-Q4_0.gguf"},
        {"qwen3-Q4_K_M", "models/synthetic/qwen3-Q4_K_M.gguf"},
        {"qwen3-Q5_K_M", "models/synthetic/qwen3-Q5_K_M.gguf"},
        {"qwen3-Q6_K", "models/synthetic/qwen3-Q6_K.gguf"},
        {"qwen3-Q8_0", "models/synthetic/qwen3-Q8_0.gguf"},
        {"gemma", "models/synthetic/gemma.gguf"},
        {"gemma2", "models/synthetic/gemma2.gguf"},
        {"gemma3", "models/synthetic/gemma3.gguf"},
        {"phi2", "models/synthetic/phi2.gguf"},
        {"phi3", "models/synthetic/phi3.gguf"},
        // Mixture-of-Experts: Mixtral-style llama, Qwen2-MoE with its shared expert, Qwen3-MoE.
        {"llama-moe", "models/synthetic/llama-moe.gguf"},
        {"qwen2moe", "models/synthetic/qwen2moe.gguf"},
        {"qwen3moe", "models/synthetic/qwen3moe.gguf"},
        {"grok", "models/synthetic/grok.gguf"},
        {"deepseek2", "models/synthetic/deepseek2.gguf"},
    };
}

}  // namespace vela::test
