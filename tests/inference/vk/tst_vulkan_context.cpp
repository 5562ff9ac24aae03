// The Vulkan runtime itself: device listing and choice, the validation layer really reporting misuse (so
// the kernel tests' VELA_CHECK_VALIDATION means something), allocation limits, the on-disk pipeline cache.
#include "support/test_data.h"
#include "support/vulkan_fixture.h"

#include "ops/elementwise.h"
#include "vela/device.h"
#include "vela/model_info.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

using namespace vela;

class TestVulkanContext : public QObject {
    Q_OBJECT

private slots:
    void listsAndChoosesDevices()
    {
        Result<std::vector<DeviceDescription>> devices = listDevices();
        QVERIFY2(devices.isOk(), devices.message().c_str());
        QVERIFY(!devices->empty());
        Result<DeviceDescription> best = chooseDevice(*devices, "");
        QVERIFY2(best.isOk(), best.message().c_str());
        QVERIFY(best->usable);
        Result<DeviceDescription> byIndex = chooseDevice(*devices, std::to_string(best->index));
        QVERIFY(byIndex.isOk());
        QCOMPARE(byIndex->name, best->name);
        Result<DeviceDescription> byName = chooseDevice(*devices, best->name.substr(0, 4));
        QVERIFY(byName.isOk());
        Result<DeviceDescription> missing = chooseDevice(*devices, "no-such-gpu");
        QVERIFY(!missing.isOk());
        QVERIFY2(missing.message().find("no Vulkan device matches 'no-such-gpu' (devices: ") == 0,
                 missing.message().c_str());
        QVERIFY(!chooseDevice({}, "").isOk());
    }

    // A binding past the end of its buffer must produce a validation error that the fixture reports.
    void validationReportsMisuse()
    {
        QString error;
        std::unique_ptr<test::VulkanFixture> gpu = test::VulkanFixture::create(error);
        QVERIFY2(gpu, qPrintable(error));
        QVERIFY2(gpu->context().validationEnabled(),
                 "the Khronos validation layer is not active (install vulkan-validationlayers)");
        vk::Buffer a = gpu->allocate(64), out = gpu->allocate(64);
        QVERIFY(ops::add(gpu->kernels(), gpu->stream(), vk::BufferRange{&a, 0, 4096}, vk::wholeBuffer(a),
                         vk::wholeBuffer(out), 16).isOk());
        gpu->run();
        const QString errors = gpu->takeValidationErrors();
        QVERIFY2(!errors.isEmpty(), "an out-of-range binding went unreported");
        QVERIFY2(errors.contains("range"), qPrintable(errors));
    }

    void refusesImpossibleAllocations()
    {
        QString error;
        std::unique_ptr<test::VulkanFixture> gpu = test::VulkanFixture::create(error);
        QVERIFY2(gpu, qPrintable(error));
        const VkDeviceSize tooBig = gpu->context().limits().maxMemoryAllocationSize + 1;
        Result<vk::Buffer> buffer = vk::Buffer::create(gpu->context(), tooBig, vk::BufferUsage::DeviceLocal);
        QVERIFY(!buffer.isOk());
        QVERIFY2(buffer.message().find("exceeds the device's largest allocation") != std::string::npos,
                 buffer.message().c_str());
        VELA_CHECK_VALIDATION(*gpu);
    }

    // Free memory comes with the listing (the budget when the driver has one), never more than the heap.
    void reportsFreeMemory()
    {
        Result<std::vector<DeviceDescription>> devices = listDevices();
        QVERIFY2(devices.isOk(), devices.message().c_str());
        for (const DeviceDescription& d : *devices) {
            QVERIFY2(d.deviceLocalBytes > 0, d.name.c_str());
            QVERIFY2(d.freeBytes > 0 && d.freeBytes <= d.deviceLocalBytes, d.name.c_str());
            qInfo("%s: %s free of %s (%s)", d.name.c_str(), formatBytes(d.freeBytes).c_str(),
                  formatBytes(d.deviceLocalBytes).c_str(), d.memoryBudget ? "memory budget" : "heap size");
        }
    }

    // The process-wide count of device memory follows every buffer's life, moves included.
    void countsAllocatedDeviceMemory()
    {
        QString error;
        std::unique_ptr<test::VulkanFixture> gpu = test::VulkanFixture::create(error);
        QVERIFY2(gpu, qPrintable(error));
        const uint64_t before = allocatedDeviceBytes();
        {
            Result<vk::Buffer> a = vk::Buffer::create(gpu->context(), 1 << 20, vk::BufferUsage::DeviceLocal);
            QVERIFY(a.isOk());
            QCOMPARE(allocatedDeviceBytes(), before + (1 << 20));
            Result<vk::Buffer> b = vk::Buffer::create(gpu->context(), 4096, vk::BufferUsage::Readback);
            QVERIFY(b.isOk());
            QCOMPARE(allocatedDeviceBytes(), before + (1 << 20) + 4096);
            vk::Buffer moved = std::move(a).value();
            *b = std::move(moved);  // b's 4 KiB are freed, the 1 MiB changes owner
            QCOMPARE(allocatedDeviceBytes(), before + (1 << 20));
        }
        QCOMPARE(allocatedDeviceBytes(), before);
        const VkDeviceSize tooBig = gpu->context().limits().maxMemoryAllocationSize + 1;
        QVERIFY(!vk::Buffer::create(gpu->context(), tooBig, vk::BufferUsage::DeviceLocal).isOk());
        QCOMPARE(allocatedDeviceBytes(), before);
    }

    void writesPipelineCache()
    {
        const QString dir = test::scratchDir() + "/pipeline-cache";
        QString error;
        std::unique_ptr<test::VulkanFixture> gpu = test::VulkanFixture::create(error);
        QVERIFY2(gpu, qPrintable(error));
        {
            ops::KernelLibrary kernels(gpu->context(), dir.toStdString());
            QVERIFY(kernels.get("add", 3, 8).isOk());
            QVERIFY(!kernels.get("no_such_shader", 1, 0).isOk());
        }
        const QFileInfoList files = QDir(dir).entryInfoList({"pipelines-*.bin"}, QDir::Files);
        QCOMPARE(files.size(), 1);
        QVERIFY(files.front().size() > 0);
        // A second library starts from that file (a corrupt one would be ignored, not fatal).
        ops::KernelLibrary again(gpu->context(), dir.toStdString());
        QVERIFY(again.get("add", 3, 8).isOk());
        VELA_CHECK_VALIDATION(*gpu);
    }
};

QTEST_GUILESS_MAIN(TestVulkanContext)
#include "tst_vulkan_context.moc"
