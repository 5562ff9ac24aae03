// A scripted start for demos and screenshots: `vela --open MODEL [--image FILE…] --send TEXT [--send TEXT…]`
// loads the model, sends each text in turn in a new conversation (the next once the answer before it has
// finished; the images go with the first, attached through the composer as a drop would attach them),
// and with VELA_SCREENSHOT=file.png saves the window (QWidget::grab, exact at any display) once the last
// answer has finished, then quits. `vela --open MODEL --summarize FILE [--shot-at plan|partial|done]` opens the
// document instead, presses Summarize once its plan shows, and takes the screenshot when the plan shows, when
// the first partial summary has finished, or when the summary is done (the default); --send texts given with it
// are asked about the document once its summary is in the chat, and the screenshot waits for their answers.
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
        QString document;        // summarized instead of sending messages
        QString shotAt;          // with `document`: "plan", "partial" or "done" ("": done)
    };

    DemoScript(MainWindow* window, Steps steps);
    void start();

private:
    void onModelReady();
    void onAnswered();
    void finish();
    void sendNext();
    void onSummaryJobChanged();
    void onSummaryPartial();
    void onSummaryFinished();

    MainWindow* m_window;
    Steps m_steps;
    qsizetype m_sent = 0;
    bool m_done = false;
    bool m_summaryStarted = false;
};

}  // namespace vela::ui
