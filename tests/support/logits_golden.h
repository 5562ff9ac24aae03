// llama.cpp's golden logits (shared/reference/logits, format refdump-v1) and how we compare against them:
// max |Δlogit| relative to max |logit|, cosine, and greedy tokens where llama.cpp's top-1/top-2 margin is
// wide enough to mean something (reference/README.md).
#pragma once

#include <QList>
#include <QPair>
#include <QString>

#include <cstdint>
#include <vector>

namespace vela::test {

constexpr double kMaxRelativeLogitDelta = 0.03;  // max|Δlogit| / max|logit|
constexpr double kMinLogitCosine = 0.9995;
constexpr double kMinGreedyMargin = 0.02;  // compare greedy tokens only where the top-2 gap exceeds this

struct LogitsGolden {
    std::vector<int32_t> promptIds;
    std::vector<float> logits;      // after the last prompt token
    std::vector<int32_t> greedyIds;  // llama.cpp's greedy continuation
    std::vector<double> margins;     // its top-1 minus top-2 logit at each step
    QString greedyText;
};

// Reads reference/logits/<name>.json and .f32; false when missing or inconsistent.
bool readLogitsGolden(const QString& name, LogitsGolden& golden);

struct LogitsComparison {
    double maxDelta = 0;
    double maxLogit = 0;
    double cosine = 0;
    double relative() const { return maxLogit > 0 ? maxDelta / maxLogit : maxDelta; }
};
LogitsComparison compareLogits(const float* ours, const std::vector<float>& theirs);

int32_t argmaxOf(const float* logits, size_t n);  // ties → lowest id

// The llama-architecture models with goldens (name under reference/logits, path under shared/).
QList<QPair<QString, QString>> llamaGoldenModels();
// Those and the rest of the Llama family (qwen2, qwen3 in every quantization, gemma).
QList<QPair<QString, QString>> llamaFamilyGoldenModels();

}  // namespace vela::test
