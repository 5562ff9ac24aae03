// Small GGUF images built in memory for the reader tests.
#pragma once

#include "vela/gguf.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace vela::test {

// Every *.gguf under the shared models folder (relative paths), sorted.
QStringList sharedModelFiles();

// `n` pseudo-random bytes (deterministic for a seed).
std::vector<uint8_t> randomBytes(size_t n, uint32_t seed);

// A small, valid GGUF image with every metadata value type, a nested array and tensors of several types.
GgufWriter makeRichWriter();

std::vector<uint8_t> readWholeFile(const QString& path);

}  // namespace vela::test
