// vela-cli devices: the Vulkan devices and whether Vela can use them.
#include "cli/cli_support.h"

#include "vela/device.h"
#include "vela/model_info.h"

#include <iostream>

namespace vela::cli {

int runDevices(const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption json("json", "Print JSON.");
    parser.addOption(json);
    if (std::optional<int> exit = parseArguments(parser, args, "List the Vulkan devices."))
        return *exit;
    Result<std::vector<DeviceDescription>> devices = listDevices();
    if (!devices)
        return reportError(devices.message());
    Result<DeviceDescription> preferred = chooseDevice(*devices, "");
    if (parser.isSet(json)) {
        std::cout << "[";
        for (size_t i = 0; i < devices->size(); ++i) {
            const DeviceDescription& d = (*devices)[i];
            std::cout << (i ? ",\n " : "") << "{\"index\": " << d.index << ", \"name\": " << jsonString(d.name)
                      << ", \"type\": " << jsonString(deviceKindName(d.kind)) << ", \"memory\": " << d.deviceLocalBytes
                      << ", \"api\": " << jsonString(d.apiVersion) << ", \"driver\": " << jsonString(d.driver)
                      << ", \"usable\": " << (d.usable ? "true" : "false")
                      << ", \"default\": " << (preferred && preferred->index == d.index ? "true" : "false") << "}";
        }
        std::cout << "]\n";
        return kExitOk;
    }
    for (const DeviceDescription& d : *devices) {
        std::cout << d.index << ": " << d.name << " (" << deviceKindName(d.kind) << ", "
                  << formatBytes(d.deviceLocalBytes) << " device-local, Vulkan " << d.apiVersion;
        if (!d.driver.empty())
            std::cout << ", " << d.driver;
        std::cout << ")";
        if (preferred && preferred->index == d.index)
            std::cout << " [default]";
        if (!d.usable)
            std::cout << " [unusable: " << d.unusableReason << "]";
        std::cout << '\n';
    }
    if (devices->empty())
        std::cout << "no Vulkan devices\n";
    return kExitOk;
}

}  // namespace vela::cli
