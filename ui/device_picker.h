// The model panel's device row: the usable Vulkan devices to load on (name, kind, memory; the one Vela
// would take by itself marked "default"), the chosen one's free memory, and the devices that were skipped
// with the reason. The choice is remembered (ModelPreferences) and handed on as a chooseDevice() request.
#pragma once

#include "library/device_catalog.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace vela::ui {

class DevicePicker : public QWidget {
    Q_OBJECT

public:
    explicit DevicePicker(QWidget* parent = nullptr);

    // Tests pretend devices through this; it lists again.
    void setLister(vela::app::DeviceCatalog::Lister lister);
    void refresh();

    // The chosen usable device; null when there is none.
    const vela::DeviceDescription* chosen() const;
    // For LoadRequest::device: "" while the default device is in use (so VELA_DEVICE still applies), else
    // the chosen device's index.
    QString request() const;
    void choose(int row);  // what picking a row of the list does

    QComboBox* list() const { return m_combo; }
    QString memoryText() const;
    QString skippedText() const;

signals:
    void deviceChanged(const QString& request);

private:
    void fillList();
    void showChosen();

    vela::app::DeviceCatalog m_catalog;
    QComboBox* m_combo;
    QLabel* m_memory;
    QLabel* m_skipped;
};

}  // namespace vela::ui
