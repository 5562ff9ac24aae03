// The main window's documents: a document dropped on the window or the composer, or chosen with File ›
// Summarize document…, goes to ChatController::openDocument(); the DocumentPanel above the composer shows the
// summary job the controller holds and hands the user's choices (options, Summarize / Resume, Cancel, ×)
// back to it. While a summary runs the controller is generating (generationStarted … generationFinished), so
// the composer's Stop (and Esc) cancel it as they stop an answer, and the chat view streams the partial
// summaries into the answer as assistantText; conversationOpened shows the final summary in their place.
#include "main_window.h"

#include "chat_view.h"
#include "composer.h"
#include "document_panel.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>
#include <QStandardPaths>
#include <QStatusBar>
#include <QVBoxLayout>


namespace vela::ui {

using vela::app::ChatController;
using vela::app::MessageState;
using vela::app::SummaryJob;

void MainWindow::setUpDocuments()
{
    // Directly above the composer, in the chat column.
    m_documentPanel = new DocumentPanel(this);
    auto* column = qobject_cast<QVBoxLayout*>(m_composer->parentWidget()->layout());
    column->insertWidget(column->indexOf(m_composer), m_documentPanel);
    addDocumentAction();
    connectDocumentActions();
}

// File › Summarize document…, above Import.
void MainWindow::addDocumentAction()
{
    QAction* import = findChild<QAction*>("actionImport");
    auto* file = qobject_cast<QMenu*>(import->parent());
    auto* summarize = new QAction(tr("Summari&ze document…"), file);
    summarize->setObjectName("actionSummarizeDocument");
    summarize->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    connect(summarize, &QAction::triggered, this, &MainWindow::chooseDocument);
    file->insertAction(import, summarize);
    file->insertSeparator(import);
}

void MainWindow::connectDocumentActions()
{
    connect(m_composer, &Composer::documentDropped, this, &MainWindow::openDocument);
    connect(m_documentPanel, &DocumentPanel::optionsChanged, &m_chat, &ChatController::setSummaryOptions);
    connect(m_documentPanel, &DocumentPanel::startRequested, this, [this] {
        if (!m_chat.startSummary())
            statusBar()->showMessage(tr("The summary could not start: load a model, and wait for the answer being "
                                        "written to finish."), 10000);
    });
    connect(m_documentPanel, &DocumentPanel::cancelRequested, &m_chat, &ChatController::stop);
    connect(m_documentPanel, &DocumentPanel::closeRequested, this, [this] {
        if (m_chat.summaryJob())
            m_chat.closeDocument();
    });

    connect(&m_chat, &ChatController::summaryJobChanged, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::documentFailed, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::summaryProgress, m_documentPanel, &DocumentPanel::showProgress);
    connect(&m_chat, &ChatController::summaryFinished, this,
            [this] { statusBar()->showMessage(tr("The summary was added to the chat."), 10000); });
    // A resumed run writes on into the stopped answer: it is being written again, not stopped.
    connect(&m_chat, &ChatController::generationStarted, this, [this] {
        if (m_chat.isSummarizing())
            m_chatView->setLastState(MessageState::Partial);
    });
    // Whether Summarize can be pressed follows the model and the answers.
    connect(&m_chat, &ChatController::generationStarted, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::generationFinished, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::generationFailed, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::modelReady, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::modelLost, this, &MainWindow::updateDocumentPanel);
    connect(&m_chat, &ChatController::loadFailed, this, &MainWindow::updateDocumentPanel);
}

void MainWindow::openDocument(const QString& path)
{
    // The panel follows summaryJobChanged; a job that failed at once (no model loaded) says why itself.
    if (m_chat.openDocument(path) || (m_chat.summaryJob() && m_chat.summaryJob()->path == path))
        return;
    QString why;
    if (m_chat.isSummarizing())
        why = tr("A document is being summarized: cancel it, or wait for it to finish, then open this one.");
    else if (m_chat.isLoading())
        why = tr("Wait for the model to finish loading, then open the document again.");
    else if (!m_chat.hasModel())
        why = tr("Load a model first: Vela reads the document with the model's tokenizer to plan the summary, "
                 "then writes the summary with the model.");
    else if (m_chat.isGenerating())
        why = tr("An answer is being written: wait for it to finish (or stop it), then open the document again.");
    else
        why = tr("%1 could not be opened.").arg(QFileInfo(path).fileName());
    m_documentPanel->showRefusal(path, why);
}

void MainWindow::chooseDocument()
{
    const QString path = chooseFile(FileRole::SummarizeDocument,
                                    QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    if (!path.isEmpty())
        openDocument(path);
}

void MainWindow::updateDocumentPanel()
{
    m_documentPanel->showJob(m_chat.summaryJob(), m_chat.hasModel() && !m_chat.isGenerating());
}

}  // namespace vela::ui
