// Variants of a fixture model written into a test's own folder: the same tensors, the metadata changed
// (a broken chat template, another architecture, a huge trained context…).
#pragma once

#include "vela/gguf.h"

#include <QString>

#include <functional>
#include <map>
#include <string>

namespace vela::test {

// Copies the GGUF `source` to `target` with `edit` applied to the metadata (it may also add tensors); returns
// `target`, or "" when the source cannot be read or the copy written. `dataFrom` maps a tensor's name to
// another tensor of the same shape and type whose data it takes instead (e.g. swapping two factor tables).
QString writeModelCopy(const QString& source, const QString& target,
                       const std::function<void(GgufWriter&)>& edit = {},
                       const std::map<std::string, std::string>& dataFrom = {});

}  // namespace vela::test
