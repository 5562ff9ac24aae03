// A scripted start for demos and screenshots: `vela --open MODEL [--image FILE…] --send TEXT [--send TEXT…]`
// loads the model, sends each text in turn in a new conversation (the next once the answer before it has
// finished; the images go with the first, attached through the composer as a drop would attach them),
// and with VELA_SCREENSHOT=file.png saves the window (QWidget::grab, exact at any display) once the last
// answer has finished, then quits.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

namespace vela::ui {

class MainWindow;

class DemoScript : public QObject {
    Q_OBJECT

public:
    struct Steps {
        QString model;           // loaded at start
        QStringList messages;    // sent one after another once the model is ready
        QStringList images;      // attached to the first message
        QString screenshotPath;  // saved when the script has run; the app then quits
    };

    DemoScript(MainWindow* window, Steps steps);
    void start();

private:
    void onModelReady();
    void onAnswered();
    void finish();
    void sendNext();

    MainWindow* m_window;
    Steps m_steps;
    qsizetype m_sent = 0;
    bool m_done = false;
};

}  // namespace vela::ui
