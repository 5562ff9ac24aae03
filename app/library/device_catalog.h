// The Vulkan devices a model can be loaded on, as the model panel shows them (usable ones to choose from,
// skipped ones with the reason), and whether a model's memory estimate fits a device's free memory.
// The listing is a function so a test can pretend a device (a small one, one without a compute queue…).
#pragma once

#include "library/model_library.h"

#include "vela/device.h"

#include <QCoreApplication>
#include <QString>

#include <functional>
#include <vector>

namespace vela::app {

struct MemoryFit {
    bool fits = true;
    QString summary;  // "needs 1.2 GB of 7.8 GB free on llvmpipe"
    QString advice;   // when it does not fit: what would help, in words
};

class DeviceCatalog {
    Q_DECLARE_TR_FUNCTIONS(DeviceCatalog)

public:
    using Lister = std::function<Result<std::vector<DeviceDescription>>()>;

    explicit DeviceCatalog(Lister lister = {});  // {} = vela::listDevices
    void setLister(Lister lister);               // and lists again
    void refresh();

    const std::vector<DeviceDescription>& devices() const { return m_devices; }
    QString error() const { return m_error; }  // why no device is listed
    // The device Vela takes when none is chosen (chooseDevice("")); null when none is usable.
    const DeviceDescription* defaultDevice() const;
    // The usable device called `name`, else the default one.
    const DeviceDescription* deviceNamed(const QString& name) const;

    // `entry`'s estimate against `device`'s free memory. `reclaimable` is device memory the load frees
    // first (the model loaded now), counted as free.
    static MemoryFit checkFit(const ModelEntry& entry, const DeviceDescription& device, uint64_t reclaimable = 0);

private:
    Lister m_lister;
    std::vector<DeviceDescription> m_devices;
    QString m_error;
};

}  // namespace vela::app
