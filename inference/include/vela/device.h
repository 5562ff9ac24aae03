// The Vulkan devices Vela can run on, and how one is chosen (DESIGN.md §5): a discrete GPU before an
// integrated one, then virtual, then the CPU (lavapipe); `--device N|NAME` or VELA_DEVICE overrides.
#pragma once

#include "vela/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vela {

enum class DeviceKind { Discrete, Integrated, Virtual, Cpu, Other };

struct DeviceDescription {
    uint32_t index = 0;  // position in the Vulkan enumeration, what --device N takes
    std::string name;
    DeviceKind kind = DeviceKind::Other;
    uint64_t deviceLocalBytes = 0;  // the largest device-local heap
    // Of that heap, what is still free for us: the driver's budget minus its usage (VK_EXT_memory_budget)
    // when the device reports it, else the heap size (`memoryBudget` says which).
    uint64_t freeBytes = 0;
    bool memoryBudget = false;
    std::string apiVersion;         // "1.3.230"
    std::string driver;             // driver name and info, when the driver says
    bool usable = false;            // has every feature Vela needs
    std::string unusableReason;     // why not, when !usable
};

std::string deviceKindName(DeviceKind kind);

// Every Vulkan device on the system; fails only when there is no Vulkan at all.
Result<std::vector<DeviceDescription>> listDevices();

// Device memory this process holds right now through Vela's buffers, over every device and context (bytes
// asked for, not the driver's rounding); what a cancelled load or an unloaded model must give back.
uint64_t allocatedDeviceBytes();

// `request` is "" (best usable device), an index ("1") or part of a device name ("llvmpipe"), case-insensitive.
Result<DeviceDescription> chooseDevice(const std::vector<DeviceDescription>& devices, const std::string& request);

}  // namespace vela

namespace vela {

// Device-to-device copy bandwidth in GB/s (10^9 bytes/s, counting read + write), measured with GPU
// timestamps over a `megabytes` buffer: the ceiling generation speed is compared against.
Result<double> measureCopyBandwidth(const std::string& device, uint32_t megabytes = 256);

}  // namespace vela
