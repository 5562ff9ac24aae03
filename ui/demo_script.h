// A scripted start for demos and screenshots: `vela --open MODEL --send TEXT` loads the model, sends the
// text in a new conversation, and with VELA_SCREENSHOT=file.png saves the window (QWidget::grab, exact at
// any display) once the answer has finished, then quits.
#pragma once

#include <QObject>
#include <QString>

namespace vela::ui {

class MainWindow;

class DemoScript : public QObject {
    Q_OBJECT

public:
    struct Steps {
        QString model;           // loaded at start
        QString message;         // sent once the model is ready
        QString screenshotPath;  // saved when the script has run; the app then quits
    };

    DemoScript(MainWindow* window, Steps steps);
    void start();

private:
    void onModelReady();
    void finish();

    MainWindow* m_window;
    Steps m_steps;
    bool m_done = false;
};

}  // namespace vela::ui
