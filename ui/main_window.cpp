#include "main_window.h"

#include "chat_view.h"
#include "composer.h"
#include "conversation_list.h"
#include "device_picker.h"
#include "model_panel.h"
#include "template_box.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QVBoxLayout>

namespace vela::ui {

using vela::app::MessageState;

namespace {

QString firstDroppedModel(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
            return url.toLocalFile();
    }
    return {};
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : MainWindow(Options{}, parent) {}

MainWindow::MainWindow(const Options& options, QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("Vela");
    setAcceptDrops(true);
    resize(1200, 760);
    buildLayout();
    connectChat();
    connectMessageActions();
    setUpConversationActions(options.settingsFile);
    connectModelChoices();
    connectImageActions();
    setUpDocuments();

    QString dataFolder = options.dataFolder;
    if (dataFolder.isEmpty())
        dataFolder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dataFolder);
    const Status opened = m_chat.openStore(dataFolder);
    if (!opened.isOk())
        statusBar()->showMessage(tr("Chats are not saved: %1").arg(QString::fromStdString(opened.message())));
    purgeOldDeletions();
    m_modelPanel->setModelsFolder(options.modelsFolder.isEmpty() ? QDir(dataFolder).filePath("models") : options.modelsFolder);
    refreshConversations();
    showConversation();
    updateStatus();
    updateComposer();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildLayout()
{
    m_conversations = new ConversationList(this);
    m_chatView = new ChatView(this);
    m_composer = new Composer(this);
    m_modelPanel = new ModelPanel(this);

    auto* chatColumn = new QWidget(this);
    auto* column = new QVBoxLayout(chatColumn);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    column->addWidget(m_chatView, 1);
    m_notice = new QLabel(this);
    m_notice->setObjectName("chatNotice");
    m_notice->setWordWrap(true);
    m_notice->setContentsMargins(14, 6, 14, 0);
    m_notice->hide();
    column->addWidget(m_notice);
    column->addWidget(m_composer);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_conversations);
    splitter->addWidget(chatColumn);
    splitter->addWidget(m_modelPanel);
    m_conversations->setMinimumWidth(160);
    m_modelPanel->setMinimumWidth(240);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setSizes({230, 660, 300});
    setCentralWidget(splitter);

    m_speedLabel = new QLabel(this);
    m_contextLabel = new QLabel(this);
    m_deviceLabel = new QLabel(this);
    m_speedLabel->setObjectName("speed");
    m_contextLabel->setObjectName("contextUsed");
    m_deviceLabel->setObjectName("device");
    for (QLabel* label : {m_speedLabel, m_contextLabel, m_deviceLabel})
        label->setContentsMargins(10, 0, 10, 0);
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_contextLabel);
    statusBar()->addPermanentWidget(m_deviceLabel);
    m_composer->editor()->setFocus();
}

void MainWindow::connectChat()
{
    using vela::app::ChatController;
    connect(m_modelPanel, &ModelPanel::loadRequested, this, [this](const QString& path) { m_chat.loadModel(path); });
    connect(m_modelPanel, &ModelPanel::cancelRequested, &m_chat, &ChatController::cancelLoad);
    connect(&m_chat, &ChatController::loadProgress, m_modelPanel, &ModelPanel::setProgress);
    connect(&m_chat, &ChatController::modelReady, this, [this](const vela::app::ModelSummary& summary) {
        m_modelPanel->showModel(summary);
        m_chatView->setAssistantName(summary.name);
        m_chatView->setModelLoaded(true);
        m_contextUsed = 0;
        updateStatus();
        updateComposer();
        m_composer->editor()->setFocus();
    });
    connect(&m_chat, &ChatController::loadFailed, this, [this](const QString& message) {
        m_modelPanel->showNoModel();
        m_chatView->setModelLoaded(false);
        if (message == QLatin1String("loading cancelled"))
            m_modelPanel->showCancelled();
        else
            m_modelPanel->showError(tr("Loading failed: %1").arg(message));
        updateStatus();
        updateComposer();
    });

    connect(m_composer, &Composer::sendRequested, &m_chat, &ChatController::send);
    connect(m_composer, &Composer::stopRequested, &m_chat, &ChatController::stop);
    connect(&m_chat, &ChatController::messageAdded, m_chatView, &ChatView::addMessage);
    connect(&m_chat, &ChatController::messageRemoved, m_chatView, &ChatView::removeMessage);
    connect(&m_chat, &ChatController::assistantText, m_chatView, &ChatView::appendText);
    connect(&m_chat, &ChatController::generationStarted, this, [this] {
        m_speedLabel->setText(tr("Generating…"));
        updateComposer();
    });
    connect(&m_chat, &ChatController::generationFinished, this, &MainWindow::onGenerationFinished);
    connect(&m_chat, &ChatController::generationFailed, this, [this](const QString& message) {
        m_chatView->setLastState(MessageState::Failed);
        statusBar()->showMessage(tr("Generation failed: %1").arg(message), 10000);
        updateStatus();
        updateComposer();
    });
    connect(&m_chat, &ChatController::promptWarning, this,
            [this](const QString& message) { statusBar()->showMessage(message, 15000); });
    connect(&m_chat, &ChatController::storeError, this,
            [this](const QString& message) { statusBar()->showMessage(tr("Saving failed: %1").arg(message), 10000); });

    // Esc anywhere in the window: cancels a load, else stops the answer, else leaves an edit (the window's
    // shortcut sees the key before the composer does).
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(escape, &QShortcut::activated, this, [this] {
        if (m_chat.isLoading())
            m_chat.cancelLoad();
        else if (m_chat.isGenerating())
            m_chat.stop();
        else
            m_composer->cancelEdit();
    });

    auto* regenerate = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_R), this);
    connect(regenerate, &QShortcut::activated, this, [this] { m_chat.regenerate(); });

    connect(&m_chat, &ChatController::conversationsChanged, this, &MainWindow::refreshConversations);
    connect(&m_chat, &ChatController::conversationOpened, this, &MainWindow::showConversation);
    connect(m_conversations, &ConversationList::conversationChosen, &m_chat, &ChatController::openConversation);
    connect(m_conversations, &ConversationList::newConversationRequested, &m_chat, &ChatController::newConversation);
    connect(m_conversations, &ConversationList::deleteRequested, &m_chat, &ChatController::deleteConversation);
}

// The model panel's choices reach the controller: the device for the next load, the context the estimates
// are made at, a template override, LoRA adapters; the controller's prompt format comes back to the panel.
void MainWindow::connectModelChoices()
{
    using vela::app::ChatController;
    m_chat.setDevice(m_modelPanel->devicePicker()->request());
    connect(m_modelPanel->devicePicker(), &DevicePicker::deviceChanged, &m_chat, &ChatController::setDevice);
    connect(m_modelPanel->templateBox(), &TemplateBox::overrideApplied, &m_chat,
            &ChatController::applyTemplateOverride);
    connect(&m_chat, &ChatController::promptFormatChanged, m_modelPanel, &ModelPanel::showPromptFormat);
    connect(m_modelPanel, &ModelPanel::adaptersRequested, &m_chat, &ChatController::setAdapters);
    connect(&m_chat, &ChatController::conversationOpened, this,
            [this] { m_modelPanel->setContextLength(m_chat.requestedContext()); });
    m_modelPanel->setContextLength(m_chat.requestedContext());
}

void MainWindow::refreshConversations()
{
    m_conversations->setConversations(m_chat.searchConversations(m_conversations->searchText()),
                                      m_chat.currentConversation());
}

void MainWindow::showConversation()
{
    m_chatView->setMessages(m_chat.messages());
    m_conversations->setCurrent(m_chat.currentConversation());
    m_contextUsed = 0;
    updateStatus();
}

void MainWindow::onGenerationFinished(const vela::app::GenerationStats& stats)
{
    const bool stopped = stats.stopReason == vela::app::StopReason::Cancelled;
    m_chatView->setLastState(stopped ? MessageState::Stopped : MessageState::Complete);
    m_contextUsed = stats.promptTokens + stats.generatedTokens;
    updateStatus();
    m_speedLabel->setText(tr("%1 tokens · %2 tokens/s").arg(stats.generatedTokens).arg(stats.tokensPerSecond, 0, 'f', 1));
    updateComposer();
}

void MainWindow::updateStatus()
{
    if (!m_chat.hasModel()) {
        m_speedLabel->clear();
        m_contextLabel->clear();
        m_deviceLabel->setText(tr("No model loaded"));
        return;
    }
    const vela::app::ModelSummary& model = m_chat.model();
    m_contextLabel->setText(tr("context %1 / %2").arg(m_contextUsed).arg(model.context));
    m_deviceLabel->setText(model.device);
}

void MainWindow::updateComposer()
{
    m_composer->setGenerating(m_chat.isGenerating());
    m_composer->setCanSend(m_chat.hasModel());
    // The answer streams into the open conversation: switching away meanwhile is not offered.
    m_conversations->setEnabled(!m_chat.isGenerating());
}

QString MainWindow::statusText() const
{
    return QStringList{m_speedLabel->text(), m_contextLabel->text(), m_deviceLabel->text()}.join(QLatin1String(" | "));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!firstDroppedModel(event->mimeData()).isEmpty() || ComposerEditor::holdsImages(event->mimeData())
        || !ComposerEditor::droppedDocument(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    if (const QString document = ComposerEditor::droppedDocument(event->mimeData()); !document.isEmpty()) {
        event->acceptProposedAction();
        openDocument(document);  // summarized, not attached
        return;
    }
    const QString path = firstDroppedModel(event->mimeData());
    if (path.isEmpty()) {
        if (m_composer->addImagesFrom(event->mimeData()))  // an image dropped anywhere joins the message
            event->acceptProposedAction();
        return;
    }
    event->acceptProposedAction();
    m_modelPanel->openModel(path);
}

}  // namespace vela::ui
