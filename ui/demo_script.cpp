#include "demo_script.h"

#include "composer.h"
#include "document_panel.h"
#include "main_window.h"
#include "model_panel.h"

#include <QApplication>
#include <QPushButton>
#include <QTimer>

#include <cstdio>

namespace vela::ui {

namespace {
constexpr int kSettleMs = 400;      // lets the last render tick and the status line land before the grab
constexpr int kGiveUpMs = 120'000;  // a screenshot even if the model never answers
}  // namespace

DemoScript::DemoScript(MainWindow* window, Steps steps) : QObject(window), m_window(window), m_steps(std::move(steps))
{
}

void DemoScript::start()
{
    auto* chat = m_window->chat();
    connect(chat, &vela::app::ChatController::modelReady, this, &DemoScript::onModelReady);
    connect(chat, &vela::app::ChatController::loadFailed, this, &DemoScript::finish);
    connect(chat, &vela::app::ChatController::generationFinished, this, &DemoScript::onAnswered);
    connect(chat, &vela::app::ChatController::generationFailed, this, &DemoScript::finish);
    connect(chat, &vela::app::ChatController::summaryJobChanged, this, &DemoScript::onSummaryJobChanged);
    connect(chat, &vela::app::ChatController::summaryPartial, this, &DemoScript::onSummaryPartial);
    connect(chat, &vela::app::ChatController::summaryFinished, this, &DemoScript::onSummaryFinished);
    if (!m_steps.screenshotPath.isEmpty())
        QTimer::singleShot(kGiveUpMs, this, &DemoScript::finish);
    if (!m_steps.model.isEmpty())
        m_window->modelPanel()->openModel(m_steps.model);
    else
        finish();
}

void DemoScript::onModelReady()
{
    if (!m_steps.document.isEmpty()) {
        m_window->chat()->newConversation();
        m_window->openDocument(m_steps.document);
        if (!m_window->chat()->summaryJob())
            finish();  // refused: the screenshot shows why
        return;
    }
    if (m_steps.messages.isEmpty()) {
        finish();
        return;
    }
    m_window->chat()->newConversation();
    for (const QString& image : m_steps.images)
        m_window->composer()->addImageFile(image);
    sendNext();
}

void DemoScript::sendNext()
{
    Composer* composer = m_window->composer();
    const QString text = m_steps.messages[m_sent++];
    if (composer->images().isEmpty()) {
        m_window->chat()->send(text);
    } else if (m_window->chat()->sendWithImages(text, composer->images())) {
        composer->clearAfterSend();
    } else {
        finish();  // refused: the screenshot shows why
    }
}

void DemoScript::onAnswered()
{
    if (!m_steps.document.isEmpty() && m_sent == 0)
        return;  // the summary's own end: summaryFinished goes on
    if (m_sent >= m_steps.messages.size()) {
        finish();
        return;
    }
    // After the answer's own signal handlers have run.
    QTimer::singleShot(0, this, &DemoScript::sendNext);
}

// The plan shows: screenshot it, or press Summarize as a user would. A failure ends the script.
void DemoScript::onSummaryJobChanged()
{
    const vela::app::SummaryJob* job = m_window->chat()->summaryJob();
    if (!job || m_steps.document.isEmpty())
        return;
    if (job->stage == vela::app::SummaryJob::Stage::Failed) {
        finish();
    } else if (job->stage == vela::app::SummaryJob::Stage::Ready && !m_summaryStarted) {
        if (m_steps.shotAt == QLatin1String("plan")) {
            finish();
            return;
        }
        m_summaryStarted = true;
        QTimer::singleShot(0, m_window->documentPanel()->startButton(), &QPushButton::click);
    }
}

void DemoScript::onSummaryPartial()
{
    if (m_steps.shotAt == QLatin1String("partial"))
        finish();
}

// The summary is in the chat: the --send texts follow as questions about the document, or the script ends.
void DemoScript::onSummaryFinished()
{
    if (m_steps.messages.isEmpty())
        finish();
    else
        QTimer::singleShot(0, this, &DemoScript::sendNext);
}

void DemoScript::finish()
{
    if (m_done || m_steps.screenshotPath.isEmpty())
        return;
    m_done = true;
    QTimer::singleShot(kSettleMs, this, [this] {
        const bool saved = m_window->grab().save(m_steps.screenshotPath);
        std::fprintf(stderr, "vela: screenshot %s %s\n", qPrintable(m_steps.screenshotPath), saved ? "saved" : "FAILED");
        QApplication::exit(saved ? 0 : 1);
    });
}

}  // namespace vela::ui
