#include "library/device_catalog.h"

#include "vela/model_info.h"

#include <algorithm>

namespace vela::app {
namespace {

QString bytes(uint64_t n)
{
    return QString::fromStdString(formatBytes(n));
}

}  // namespace

DeviceCatalog::DeviceCatalog(Lister lister)
{
    setLister(std::move(lister));
}

void DeviceCatalog::setLister(Lister lister)
{
    m_lister = lister ? std::move(lister) : Lister(&vela::listDevices);
    refresh();
}

void DeviceCatalog::refresh()
{
    Result<std::vector<DeviceDescription>> listed = m_lister();
    m_devices = listed.isOk() ? std::move(listed).value() : std::vector<DeviceDescription>{};
    m_error = listed.isOk() ? QString() : QString::fromStdString(listed.message());
    if (m_error.isEmpty() && m_devices.empty())
        m_error = tr("no Vulkan device found; install your GPU's Vulkan driver (or mesa-vulkan-drivers)");
}

const DeviceDescription* DeviceCatalog::defaultDevice() const
{
    Result<DeviceDescription> best = chooseDevice(m_devices, "");
    if (!best.isOk())
        return nullptr;
    for (const DeviceDescription& d : m_devices) {
        if (d.index == best->index)
            return &d;
    }
    return nullptr;
}

const DeviceDescription* DeviceCatalog::deviceNamed(const QString& name) const
{
    for (const DeviceDescription& d : m_devices) {
        if (d.usable && QString::fromStdString(d.name) == name)
            return &d;
    }
    return defaultDevice();
}

MemoryFit DeviceCatalog::checkFit(const ModelEntry& entry, const DeviceDescription& device, uint64_t reclaimable)
{
    const uint64_t free = std::min(device.freeBytes + reclaimable, device.deviceLocalBytes);
    const QString name = QString::fromStdString(device.name);
    MemoryFit fit;
    fit.fits = entry.estimatedBytes <= free;
    fit.summary = reclaimable > 0
                      ? tr("needs %1 of %2 free on %3 once the loaded model is freed")
                            .arg(bytes(entry.estimatedBytes), bytes(free), name)
                      : tr("needs %1 of %2 free on %3").arg(bytes(entry.estimatedBytes), bytes(free), name);
    if (fit.fits)
        return fit;
    // Weights and scratch do not shrink with the context; the KV cache does, linearly.
    const uint64_t fixed = entry.estimatedBytes - std::min(entry.kvCacheBytes, entry.estimatedBytes);
    const uint64_t perToken = entry.contextLength ? entry.kvCacheBytes / entry.contextLength : 0;
    const uint64_t tokens = fixed < free && perToken ? (free - fixed) / perToken : 0;
    if (tokens >= 256)
        fit.advice = tr("Try a shorter context (about %1 tokens would fit instead of %2), a smaller quantization "
                        "of this model, or another device.")
                         .arg(tokens / 256 * 256)
                         .arg(entry.contextLength);
    else
        fit.advice = tr("Even with a short context it needs about %1 (weights and working memory): try a smaller "
                        "quantization (fewer bits per weight), a smaller model, or a device with more memory.")
                         .arg(bytes(fixed));
    return fit;
}

}  // namespace vela::app
