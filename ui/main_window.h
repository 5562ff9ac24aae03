// The main window. For now an empty frame with a placeholder; the chat UI arrives with the desktop-app issue.
#pragma once

#include <QMainWindow>

namespace vela::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace vela::ui
