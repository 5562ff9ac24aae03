#include "gguf/tensor_shape.h"

#include <algorithm>

namespace vela {

std::string shapeText(const std::vector<uint64_t>& dims)
{
    std::string text = "[";
    for (size_t i = 0; i < dims.size(); ++i)
        text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + "]";
}

Status checkTensorShape(const GgufFile& file, const std::string& name, const std::vector<uint64_t>& dims,
                        bool required)
{
    const GgufTensorInfo* t = file.findTensor(name);
    if (!t)
        return required ? Status::failure("missing tensor " + name + " " + shapeText(dims)) : Status{};
    bool same = true;
    for (size_t i = 0; i < 4; ++i)
        same = same && t->dims[i] == (i < dims.size() ? dims[i] : 1);
    if (!same) {
        std::vector<uint64_t> found(t->dims.begin(), t->dims.begin() + std::max<uint32_t>(t->nDims, 1));
        return Status::failure("tensor " + name + " has shape " + shapeText(found) + ", expected " + shapeText(dims));
    }
    return {};
}

}  // namespace vela
