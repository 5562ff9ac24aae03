#include "device_picker.h"

#include "library/model_preferences.h"

#include "vela/model_info.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace vela::ui {

using vela::DeviceDescription;

namespace {

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}

QLabel* makeNote(QWidget* parent, const char* name)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

}  // namespace

DevicePicker::DevicePicker(QWidget* parent)
    : QWidget(parent),
      m_combo(new QComboBox(this)),
      m_memory(makeNote(this, "deviceMemory")),
      m_skipped(makeNote(this, "skippedDevices"))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_combo->setObjectName("deviceList");
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(12);
    layout->addWidget(m_combo);
    layout->addWidget(m_memory);
    m_skipped->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_skipped);
    connect(m_combo, &QComboBox::activated, this, &DevicePicker::choose);
    fillList();
}

void DevicePicker::setLister(vela::app::DeviceCatalog::Lister lister)
{
    m_catalog.setLister(std::move(lister));
    fillList();
    emit deviceChanged(request());
}

void DevicePicker::refresh()
{
    m_catalog.refresh();
    fillList();
}

void DevicePicker::fillList()
{
    const QSignalBlocker blocker(m_combo);
    m_combo->clear();
    const DeviceDescription* fallback = m_catalog.defaultDevice();
    const DeviceDescription* remembered = m_catalog.deviceNamed(vela::app::ModelPreferences().device());
    QStringList skipped;
    for (const DeviceDescription& d : m_catalog.devices()) {
        if (!d.usable) {
            skipped << tr("%1 — %2").arg(text(d.name), text(d.unusableReason));
            continue;
        }
        const bool isDefault = fallback && fallback->index == d.index;
        m_combo->addItem(isDefault ? tr("%1 (default)").arg(text(d.name)) : text(d.name), d.index);
        m_combo->setItemData(m_combo->count() - 1,
                             tr("%1 · %2 device memory · Vulkan %3\n%4")
                                 .arg(text(deviceKindName(d.kind)), text(formatBytes(d.deviceLocalBytes)),
                                      text(d.apiVersion), text(d.driver)),
                             Qt::ToolTipRole);
        if (remembered && remembered->index == d.index)
            m_combo->setCurrentIndex(m_combo->count() - 1);
    }
    m_combo->setEnabled(m_combo->count() > 0);
    m_skipped->setText(skipped.isEmpty() ? QString() : tr("Skipped: %1").arg(skipped.join(QLatin1String("; "))));
    m_skipped->setVisible(!skipped.isEmpty());
    showChosen();
}

const DeviceDescription* DevicePicker::chosen() const
{
    const QVariant index = m_combo->currentData();
    for (const DeviceDescription& d : m_catalog.devices()) {
        if (index.isValid() && d.index == index.toUInt())
            return &d;
    }
    return nullptr;
}

QString DevicePicker::request() const
{
    const DeviceDescription* device = chosen();
    const DeviceDescription* fallback = m_catalog.defaultDevice();
    if (!device || (fallback && fallback->index == device->index))
        return {};
    return QString::number(device->index);
}

void DevicePicker::choose(int row)
{
    m_combo->setCurrentIndex(row);
    const DeviceDescription* device = chosen();
    const DeviceDescription* fallback = m_catalog.defaultDevice();
    // The default is not written down: a better device added later is then taken by itself.
    const bool isDefault = !device || (fallback && fallback->index == device->index);
    vela::app::ModelPreferences().setDevice(isDefault ? QString() : text(device->name));
    showChosen();
    emit deviceChanged(request());
}

void DevicePicker::showChosen()
{
    const DeviceDescription* d = chosen();
    if (!d) {
        m_memory->setText(m_catalog.error().isEmpty() ? tr("No usable Vulkan device.") : m_catalog.error());
        return;
    }
    m_memory->setText(tr("%1 · %2 free of %3%4")
                          .arg(text(deviceKindName(d->kind)), text(formatBytes(d->freeBytes)),
                               text(formatBytes(d->deviceLocalBytes)),
                               d->memoryBudget ? QString() : tr(" (heap size: the driver reports no budget)")));
}

QString DevicePicker::memoryText() const
{
    return m_memory->text();
}

QString DevicePicker::skippedText() const
{
    return m_skipped->isHidden() ? QString() : m_skipped->text();
}

}  // namespace vela::ui
