// The model panel's LoRA section: the adapters applied to the loaded model, each with its scale, and Add… /
// Remove. An adapter is checked against the model before it is added (a mismatched one shows its reason here
// and nothing is reloaded: the model stays as it was); every accepted change asks for a reload with the new
// list (adaptersChanged), scale edits once the spin box has been left alone for a moment.
#pragma once

#include "worker/generation_request.h"

#include <QList>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <functional>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace vela::ui {

class AdapterBox : public QWidget {
    Q_OBJECT

public:
    static constexpr int kScaleSettleMs = 600;  // a scale is applied this long after its last change

    explicit AdapterBox(QWidget* parent = nullptr);

    // The loaded model's file and the adapters applied to it; no model ("") hides the box.
    void setModel(const QString& modelPath, const QList<vela::app::LoraChoice>& adapters);
    // Why adapters were left out or refused ("<adapter path>: <reason>" each); none hides the message.
    void showProblems(const QStringList& problems);
    // The open-file dialog; tests replace it (a modal dialog would block them).
    void setFileChooser(std::function<QString()> chooser) { m_fileChooser = std::move(chooser); }

    QList<vela::app::LoraChoice> adapters() const;
    QTableWidget* table() const { return m_table; }
    QDoubleSpinBox* scaleBox(int row) const;
    QPushButton* addButton() const { return m_add; }
    QPushButton* removeButton() const { return m_remove; }
    QString problemText() const;
    bool isProblemShown() const;

signals:
    void adaptersChanged(const QList<vela::app::LoraChoice>& adapters);

private:
    void chooseFile();
    void addAdapter(const QString& path);
    void removeSelected();
    void appendRow(const vela::app::LoraChoice& adapter);
    void updateButtons();

    QString m_modelPath;
    std::function<QString()> m_fileChooser;
    QTableWidget* m_table;
    QLabel* m_hint;
    QLabel* m_problem;
    QPushButton* m_add;
    QPushButton* m_remove;
    QTimer m_scaleSettle;
};

}  // namespace vela::ui
