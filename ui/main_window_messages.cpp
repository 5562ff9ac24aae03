// The main window's per-message actions: the chat view's links (copy, edit, regenerate, Reflect, branch
// arrows) wired to the ChatController, the composer's edit mode, and the notices a chat can need — the
// oldest turns left out of a long conversation's prompt, and a model lost with its device.
#include "main_window.h"

#include "chat_view.h"
#include "composer.h"
#include "model_panel.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QStatusBar>

namespace vela::ui {

using vela::app::ChatController;

void MainWindow::connectMessageActions()
{
    m_chatView->setBranchProvider([this](qint64 id) { return m_chat.branchPosition(id); });
    connect(m_chatView, &ChatView::copyRequested, this, [this](const QString& text) {
        QGuiApplication::clipboard()->setText(text);
        statusBar()->showMessage(tr("Copied to the clipboard"), 3000);
    });
    connect(m_chatView, &ChatView::editRequested, this, [this](qint64 id, const QString& text) {
        if (!m_chat.isGenerating())
            m_composer->beginEdit(id, text);
    });
    connect(m_composer, &Composer::editSubmitted, this, [this](qint64 id, const QString& text) {
        if (!m_chat.editAndResend(id, text))
            statusBar()->showMessage(tr("The edit could not be sent (load a model first)."), 8000);
    });
    connect(m_chatView, &ChatView::regenerateRequested, this, [this](qint64 id) { m_chat.regenerate(id); });
    connect(m_chatView, &ChatView::reflectRequested, this, [this](qint64 id) { m_chat.reflect(id); });
    connect(m_chatView, &ChatView::branchRequested, this,
            [this](qint64 id, int step) { m_chat.switchBranch(id, step); });

    connect(&m_chat, &ChatController::critiqueText, m_chatView, &ChatView::appendCritique);
    connect(&m_chat, &ChatController::generationStarted, this, [this] { m_chatView->setStreaming(true); });
    connect(&m_chat, &ChatController::generationFinished, this, [this] { m_chatView->setStreaming(false); });
    connect(&m_chat, &ChatController::generationFailed, this, [this] { m_chatView->setStreaming(false); });
    connect(&m_chat, &ChatController::conversationOpened, this, [this] {
        m_notice->hide();
        m_composer->cancelEdit();
    });
    connect(&m_chat, &ChatController::contextTrimmed, this, [this](int, const QString& notice) { showNotice(notice); });
    connect(&m_chat, &ChatController::modelLost, this, [this](const QString& message) {
        m_modelPanel->showNoModel();
        m_chatView->setModelLoaded(false);
        m_modelPanel->showError(message);
        showNotice(message);
        updateStatus();
        updateComposer();
    });
}

void MainWindow::showNotice(const QString& text)
{
    m_notice->setText(text);
    m_notice->show();
}

QString MainWindow::noticeText() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

}  // namespace vela::ui
