#include "ops/elementwise.h"

#include "ops/elementwise_dispatch.h"

#include <cmath>
#include <string>

namespace vela::ops {

Status add(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange a, vk::BufferRange b,
           vk::BufferRange out, uint32_t n, uint32_t bLength)
{
    return dispatchPerElement(kernels, stream, "add", {a, b, out}, abi::ElementwisePush{n, bLength}, n);
}

Status addScaled(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange a, vk::BufferRange b,
                 vk::BufferRange out, uint32_t n, float factor)
{
    if (n == 0)
        return Status::failure("addScaled: no elements");
    return dispatchPerElement(kernels, stream, "add_scaled", {a, b, out}, abi::ScalePush{n, factor}, n);
}

Status addRows(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange bias,
               vk::BufferRange y, uint32_t rows, uint32_t cols)
{
    const uint64_t n = uint64_t(rows) * cols;
    if (n == 0 || n > UINT32_MAX)
        return Status::failure("addRows: unsupported shape (" + std::to_string(rows) + " × " + std::to_string(cols) +
                               ")");
    // A bias row is add's repeating b.
    return add(kernels, stream, x, bias, y, static_cast<uint32_t>(n), cols);
}

Status scale(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange y, uint32_t n,
             float factor)
{
    if (n == 0)
        return Status::failure("scale: no elements");
    return dispatchPerElement(kernels, stream, "scale", {x, y}, abi::ScalePush{n, factor}, n);
}

Status softCap(KernelLibrary& kernels, vk::CommandStream& stream, vk::BufferRange x, vk::BufferRange y, uint32_t n,
               float cap)
{
    if (n == 0)
        return Status::failure("soft-cap: no elements");
    if (!(cap > 0.0f) || std::isinf(cap))
        return Status::failure("soft-cap: the cap must be a finite value > 0");
    return dispatchPerElement(kernels, stream, "soft_cap", {x, y}, abi::ScalePush{n, cap}, n);
}

}  // namespace vela::ops
