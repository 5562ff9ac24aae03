// For the image tests: drops and pastes on the window's widgets as a user makes them, and the vision fixtures
// (models/vision/README.md) loaded through the model panel.
#pragma once

#include "attachment_strip.h"
#include "composer.h"
#include "main_window.h"
#include "support/test_data.h"
#include "window_fixture.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QUrl>

namespace vela::test {

inline QString gemma3Model()
{
    return requireTestFile("models/vision/gemma3-vision-tiny.gguf");
}

inline QString gemma3Projector()
{
    return requireTestFile("models/vision/gemma3-vision-tiny-mmproj.gguf");
}

inline QString testImage(const QString& name)
{
    return requireTestFile("images/" + name);
}

// Drags `mime` over `target` and drops it there; whether the drop was accepted.
inline bool dropOn(QWidget* target, const QMimeData& mime)
{
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QDragMoveEvent move(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &move);
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

// Image files dropped on the composer's text box, as from a file manager.
inline bool dropFiles(vela::ui::MainWindow& window, const QStringList& paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& path : paths)
        urls << QUrl::fromLocalFile(path);
    mime.setUrls(urls);
    return dropOn(window.composer()->editor()->viewport(), mime);
}

// Greedy, a short answer that runs its full length (as vela-cli generate -n), then `model` loaded.
inline bool loadGreedy(vela::ui::MainWindow& window, const QString& model, int maxTokens = 16)
{
    vela::app::ConversationSettings settings = window.chat()->defaultSettings();
    settings.temperature = 0;
    settings.contextSize = 512;
    settings.maxTokens = maxTokens;
    window.chat()->setDefaultSettings(settings);
    window.chat()->setConversationSettings(settings);
    window.chat()->setIgnoreEndOfGeneration(true);
    return loadModel(window, model);
}

}  // namespace vela::test
