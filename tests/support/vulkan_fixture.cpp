#include "support/vulkan_fixture.h"

#include "support/test_data.h"

namespace vela::test {

std::unique_ptr<VulkanFixture> VulkanFixture::create(QString& error)
{
    auto fixture = std::make_unique<VulkanFixture>();
    vk::ContextOptions options;
    options.validation = true;  // used when the Khronos layer is installed (the test command installs it)
    Result<std::unique_ptr<vk::VulkanContext>> context = vk::VulkanContext::create(options);
    if (!context) {
        error = QString::fromStdString(context.message());
        return nullptr;
    }
    fixture->m_context = std::move(context).value();
    fixture->m_kernels = std::make_unique<ops::KernelLibrary>(*fixture->m_context, scratchDir().toStdString());
    Result<vk::CommandStream> stream = vk::CommandStream::create(*fixture->m_context);
    if (!stream) {
        error = QString::fromStdString(stream.message());
        return nullptr;
    }
    fixture->m_stream.emplace(std::move(stream).value());
    return fixture;
}

vk::Buffer VulkanFixture::allocate(size_t bytes)
{
    Result<vk::Buffer> buffer = vk::Buffer::create(*m_context, bytes, vk::BufferUsage::DeviceLocal);
    if (!buffer) {
        m_lastError = QString::fromStdString(buffer.message());
        return {};
    }
    return std::move(buffer).value();
}

vk::Buffer VulkanFixture::upload(const void* data, size_t bytes)
{
    // At least 4 bytes: the copy below moves whole words, and Vulkan forbids empty buffers.
    vk::Buffer device = allocate(std::max<size_t>(bytes, 4));
    Result<vk::Buffer> staging = vk::Buffer::create(*m_context, std::max<size_t>(bytes, 4), vk::BufferUsage::Upload);
    if (!device.isValid() || !staging) {
        m_lastError = staging ? m_lastError : QString::fromStdString(staging.message());
        return {};
    }
    if (bytes)
        std::memcpy(staging->mapped(), data, bytes);
    m_stream->copy(*staging, 0, device, 0, std::max<size_t>(bytes, 4));
    m_stream->barrier();
    if (!run())
        return {};
    return device;
}

bool VulkanFixture::run()
{
    const Status s = m_stream->submitAndWait();
    if (!s)
        m_lastError = QString::fromStdString(s.message());
    return s.isOk();
}

bool VulkanFixture::downloadBytes(const vk::Buffer& buffer, void* out, size_t bytes, size_t byteOffset)
{
    Result<vk::Buffer> readback = vk::Buffer::create(*m_context, bytes, vk::BufferUsage::Readback);
    if (!readback) {
        m_lastError = QString::fromStdString(readback.message());
        return false;
    }
    m_stream->barrier();
    m_stream->copy(buffer, byteOffset, *readback, 0, bytes);
    m_stream->barrier();
    if (!run())
        return false;
    std::memcpy(out, readback->mapped(), bytes);
    return true;
}

QString VulkanFixture::takeValidationErrors()
{
    QString errors;
    for (const std::string& m : m_context->validationMessages()) {
        if (m.rfind("error:", 0) == 0)
            errors += QString::fromStdString(m) + "\n";
        else
            qWarning("Vulkan validation: %s", m.c_str());
    }
    m_context->clearValidationMessages();
    return errors;
}

}  // namespace vela::test
