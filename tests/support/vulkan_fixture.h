// A Vulkan device for kernel tests: the context (validation layer on whenever it is installed), the kernel
// library, one command stream, and upload/download helpers. checkValidation() fails the test on any
// validation error, so a kernel that misuses Vulkan fails even when its numbers are right.
#pragma once

#include "ops/kernel_library.h"
#include "vk/buffer.h"
#include "vk/command_stream.h"
#include "vk/vulkan_context.h"

#include <QString>

#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace vela::test {

class VulkanFixture {
public:
    // Empty with `error` set when no device can be used.
    static std::unique_ptr<VulkanFixture> create(QString& error);

    vk::VulkanContext& context() { return *m_context; }
    ops::KernelLibrary& kernels() { return *m_kernels; }
    vk::CommandStream& stream() { return *m_stream; }

    // A device-local buffer holding `bytes` (at least 4 bytes long).
    vk::Buffer upload(const void* data, size_t bytes);
    template <class T>
    vk::Buffer upload(std::span<const T> values)
    {
        return upload(values.data(), values.size_bytes());
    }
    template <class T>
    vk::Buffer upload(const std::vector<T>& values)
    {
        return upload(values.data(), values.size() * sizeof(T));
    }
    vk::Buffer allocate(size_t bytes);
    // Submits the stream and copies `count` values back; QVERIFY-friendly: empty on failure (see lastError()).
    template <class T>
    std::vector<T> download(const vk::Buffer& buffer, size_t count, size_t byteOffset = 0)
    {
        std::vector<T> out(count);
        if (!downloadBytes(buffer, out.data(), count * sizeof(T), byteOffset))
            out.clear();
        return out;
    }
    bool run();  // submitAndWait; false on failure (lastError())
    const QString& lastError() const { return m_lastError; }

    // Validation-layer errors since the last call, cleared; empty when clean.
    QString takeValidationErrors();

private:
    bool downloadBytes(const vk::Buffer& buffer, void* out, size_t bytes, size_t byteOffset);
    std::unique_ptr<vk::VulkanContext> m_context;
    std::unique_ptr<ops::KernelLibrary> m_kernels;
    std::optional<vk::CommandStream> m_stream;
    QString m_lastError;
};

}  // namespace vela::test

// In a test slot: fails when the Vulkan validation layer reported an error during the test.
#define VELA_CHECK_VALIDATION(fixture)                                                        \
    do {                                                                                      \
        const QString velaValidationErrors_ = (fixture).takeValidationErrors();                \
        if (!velaValidationErrors_.isEmpty())                                                  \
            QFAIL(qPrintable("Vulkan validation errors:\n" + velaValidationErrors_));          \
    } while (0)
