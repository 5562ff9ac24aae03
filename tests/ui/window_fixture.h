// For the window's tests: conversations written straight into a data folder's ChatStore before a window
// opens it, a window over such a folder with its own settings file, and stories260K loaded into it.
#pragma once

#include "main_window.h"
#include "model_panel.h"
#include "storage/chat_store.h"
#include "support/test_data.h"

#include <QStringList>
#include <QtTest>

#include <memory>

namespace vela::test {

// A conversation of alternating user / assistant messages (the first is the user's), each the child of
// the one before. Conversations seeded later are newer, so the list shows them first.
inline qint64 seedConversation(const QString& dataFolder, const QString& title, const QStringList& texts,
                               const vela::app::ConversationSettings& settings = {})
{
    vela::app::ChatStore store;
    if (!store.open(dataFolder).isOk())
        return 0;
    const Result<qint64> id = store.createConversation(title, settings);
    if (!id.isOk())
        return 0;
    qint64 parent = 0;
    for (int i = 0; i < texts.size(); ++i) {
        const auto role = i % 2 == 0 ? vela::app::MessageRole::User : vela::app::MessageRole::Assistant;
        const Result<qint64> message = store.addMessage(id.value(), parent, role, texts[i]);
        if (!message.isOk())
            return 0;
        parent = message.value();
    }
    QTest::qWait(2);  // "updated" is in milliseconds: the next conversation is strictly newer
    return id.value();
}

inline QStringList texts(const QList<vela::app::Message>& messages)
{
    QStringList result;
    for (const vela::app::Message& m : messages)
        result.append(m.content);
    return result;
}

// A shown, active window over `dataFolder` with the global settings in `settingsFile`.
inline std::unique_ptr<vela::ui::MainWindow> openWindow(const QString& dataFolder, const QString& settingsFile)
{
    auto window = std::make_unique<vela::ui::MainWindow>(
        vela::ui::MainWindow::Options{.dataFolder = dataFolder, .modelsFolder = {}, .settingsFile = settingsFile});
    window->show();
    if (!QTest::qWaitForWindowActive(window.get()))
        return nullptr;
    return window;
}

// Greedy (the answer is known), a small context, a short answer; then stories260K loaded. False if it
// did not load.
inline bool loadStories(vela::ui::MainWindow& window, int contextSize = 256, int maxTokens = 24)
{
    vela::app::ConversationSettings settings = window.chat()->defaultSettings();
    settings.temperature = 0;
    settings.contextSize = contextSize;
    settings.maxTokens = maxTokens;
    window.chat()->setDefaultSettings(settings);
    window.chat()->setConversationSettings(settings);
    QSignalSpy ready(window.chat(), &vela::app::ChatController::modelReady);
    window.modelPanel()->openModel(requireTestFile("models/stories260K.gguf"));
    return ready.wait(120'000) || ready.size() == 1;
}

// Waits for the answer in flight to end (finished or failed).
inline bool waitForAnswer(vela::ui::MainWindow& window, int timeoutMs = 60'000)
{
    QElapsedTimer timer;
    timer.start();
    while (window.chat()->isGenerating() && timer.elapsed() < timeoutMs)
        QTest::qWait(10);
    return !window.chat()->isGenerating();
}

}  // namespace vela::test
