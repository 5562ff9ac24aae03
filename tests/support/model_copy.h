// Variants of a fixture model written into a test's own folder: the same tensors, the metadata changed
// (a broken chat template, another architecture, a huge trained context…).
#pragma once

#include "vela/gguf.h"

#include <QString>

#include <functional>

namespace vela::test {

// Copies the GGUF `source` to `target` with `edit` applied to the metadata; returns `target`, or "" when
// the source cannot be read or the copy written.
QString writeModelCopy(const QString& source, const QString& target,
                       const std::function<void(GgufWriter&)>& edit = {});

}  // namespace vela::test
