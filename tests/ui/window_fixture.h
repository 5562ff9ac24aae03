// For the window's tests: conversations written straight into a data folder's ChatStore before a window
// opens it, a window over such a folder with its own settings file, and stories260K loaded into it.
#pragma once

#include "composer.h"
#include "main_window.h"
#include "model_panel.h"
#include "storage/chat_store.h"
#include "support/test_data.h"

#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStringList>
#include <QtTest>

#include <memory>
#include <optional>

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

// Loads `path` through the model panel, as a user picking it would; false if no model came up in time.
inline bool loadModel(vela::ui::MainWindow& window, const QString& path, int timeoutMs = 120'000)
{
    QSignalSpy ready(window.chat(), &vela::app::ChatController::modelReady);
    window.modelPanel()->openModel(path);
    return ready.wait(timeoutMs) || ready.size() == 1;
}

inline bool loadStories(vela::ui::MainWindow& window)
{
    return loadModel(window, requireTestFile("models/stories260K.gguf"));
}

// Keys into the composer, then Enter.
inline void typeAndSend(vela::ui::MainWindow& window, const QString& text)
{
    QPlainTextEdit* editor = window.composer()->editor();
    editor->setFocus();
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
}

// Sends `text` and waits for the answer: its stats, or nothing when no answer finished in time.
inline std::optional<vela::app::GenerationStats> sendAndWait(vela::ui::MainWindow& window, const QString& text,
                                                             int timeoutMs = 60'000)
{
    QSignalSpy finished(window.chat(), &vela::app::ChatController::generationFinished);
    typeAndSend(window, text);
    if (!finished.wait(timeoutMs) && finished.isEmpty())
        return std::nullopt;
    return finished.front().front().value<vela::app::GenerationStats>();
}

// Greedy (the answer is known), a small context, a short answer; then stories260K loaded. False if it
// did not load.
inline bool loadStoriesGreedy(vela::ui::MainWindow& window, int contextSize = 256, int maxTokens = 24)
{
    vela::app::ConversationSettings settings = window.chat()->defaultSettings();
    settings.temperature = 0;
    settings.contextSize = contextSize;
    settings.maxTokens = maxTokens;
    window.chat()->setDefaultSettings(settings);
    window.chat()->setConversationSettings(settings);
    return loadStories(window);
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
