// Enumerating devices and choosing one (DESIGN.md §5).
#include "vela/device.h"

#include "vk/device_support.h"
#include "vk/shared_instance.h"
#include "vk/vk_status.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace vela {

std::string deviceKindName(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Discrete: return "discrete GPU";
    case DeviceKind::Integrated: return "integrated GPU";
    case DeviceKind::Virtual: return "virtual GPU";
    case DeviceKind::Cpu: return "CPU";
    case DeviceKind::Other: return "other";
    }
    return "other";
}

Result<std::vector<DeviceDescription>> listDevices()
{
    Result<vk::SharedInstance> shared = vk::sharedInstance(false);
    if (!shared)
        return shared.status();
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(shared->instance, &count, nullptr);
    std::vector<VkPhysicalDevice> physical(count);
    vkEnumeratePhysicalDevices(shared->instance, &count, physical.data());
    std::vector<DeviceDescription> devices;
    for (uint32_t i = 0; i < count; ++i)
        devices.push_back(vk::describeDevice(physical[i], i));
    return devices;
}

namespace {

int kindRank(DeviceKind kind)
{
    switch (kind) {
    case DeviceKind::Discrete: return 0;
    case DeviceKind::Integrated: return 1;
    case DeviceKind::Virtual: return 2;
    case DeviceKind::Cpu: return 3;
    case DeviceKind::Other: return 4;
    }
    return 5;
}

std::string lowered(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

}  // namespace

Result<DeviceDescription> chooseDevice(const std::vector<DeviceDescription>& devices, const std::string& request)
{
    if (devices.empty())
        return Status::failure("no Vulkan device found; install your GPU's Vulkan driver (or mesa-vulkan-drivers)");
    if (request.empty()) {
        const DeviceDescription* best = nullptr;
        for (const DeviceDescription& d : devices) {
            if (d.usable && (!best || kindRank(d.kind) < kindRank(best->kind)))
                best = &d;
        }
        if (!best)
            return Status::failure("no usable Vulkan device: " + devices.front().name + " " +
                                   devices.front().unusableReason);
        return *best;
    }
    const bool numeric = std::all_of(request.begin(), request.end(), [](unsigned char c) { return std::isdigit(c); });
    for (const DeviceDescription& d : devices) {
        const bool matches = numeric ? std::to_string(d.index) == request
                                     : lowered(d.name).find(lowered(request)) != std::string::npos;
        if (!matches)
            continue;
        if (!d.usable)
            return Status::failure("device " + std::to_string(d.index) + " (" + d.name + ") cannot run Vela: " +
                                   d.unusableReason);
        return d;
    }
    std::string known;
    for (const DeviceDescription& d : devices)
        known += (known.empty() ? "" : ", ") + std::to_string(d.index) + ": " + d.name;
    return Status::failure("no Vulkan device matches '" + request + "' (devices: " + known + ")");
}

}  // namespace vela
