// vela: the desktop application. Stays a few dozen lines: the window does the work.
#include "demo_script.h"
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("Vela");
    QApplication::setOrganizationName("Vela");
    QApplication::setApplicationVersion(VELA_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Chat with local language models on your own GPU.");
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption open("open", "Load MODEL (a .gguf file) at start.", "MODEL");
    const QCommandLineOption send("send", "Send TEXT once the model is loaded (repeat: sent in turn).", "TEXT");
    const QCommandLineOption image("image", "Attach the image FILE to the first --send (repeatable).", "FILE");
    const QCommandLineOption temp("temp", "Temperature of new conversations (0: greedy).", "T");
    const QCommandLineOption maxTokens("max-tokens", "Longest answer of new conversations, in tokens.", "N");
    const QCommandLineOption context("ctx", "Context size of new conversations, in tokens.", "N");
    const QCommandLineOption ignoreEos("ignore-eos", "Keep answering past the end-of-text token (demos, tests).");
    const QCommandLineOption summarize("summarize", "Summarize the document FILE once the model is loaded.", "FILE");
    const QCommandLineOption shotAt("shot-at", "With --summarize and VELA_SCREENSHOT: when to take it (plan, partial, done).",
                                    "WHEN");
    const QCommandLineOption data("data", "Folder of the chat database.", "DIR");
    const QCommandLineOption models("models", "Folder listed in the model panel.", "DIR");
    parser.addOptions({open, send, image, temp, maxTokens, context, ignoreEos, summarize, shotAt, data, models});
    parser.process(app);

    vela::ui::MainWindow window({.dataFolder = parser.value(data), .modelsFolder = parser.value(models)});
    vela::app::ConversationSettings settings = window.chat()->defaultSettings();
    if (parser.isSet(temp))
        settings.temperature = parser.value(temp).toDouble();
    if (parser.isSet(maxTokens))
        settings.maxTokens = parser.value(maxTokens).toInt();
    if (parser.isSet(context))
        settings.contextSize = parser.value(context).toInt();
    window.chat()->setIgnoreEndOfGeneration(parser.isSet(ignoreEos));
    window.chat()->setDefaultSettings(settings);
    window.show();
    auto* script = new vela::ui::DemoScript(&window, {parser.value(open), parser.values(send), parser.values(image),
                                                      qEnvironmentVariable("VELA_SCREENSHOT"), parser.value(summarize),
                                                      parser.value(shotAt)});
    script->start();
    return app.exec();
}
