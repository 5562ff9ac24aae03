// MainWindow, continued: what a user does with conversations rather than inside one — the File menu (new,
// import, export, settings, quit), rename, delete with undo and search in the list, the settings dialog
// and the appearance (font size, theme). Kept apart from main_window.cpp, which wires the chat itself.
#include "main_window.h"

#include "chat_view.h"
#include "composer.h"
#include "conversation_list.h"
#include "document_panel.h"
#include "settings_dialog.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QShortcut>
#include <QStandardPaths>
#include <QStatusBar>

namespace vela::ui {

namespace {

constexpr int kPurgeAfterDays = 30;       // a deleted conversation can be restored until then (by hand)
constexpr int kMessageTimeoutMs = 15000;  // errors and confirmations in the status bar

QString fromStatus(const Status& status)
{
    return QString::fromStdString(status.message());
}

// A file name from the title: letters, digits, spaces and dashes.
QString fileNameFor(const QString& title, const QString& extension)
{
    QString name;
    for (const QChar c : title)
        name += c.isLetterOrNumber() || c == QLatin1Char(' ') || c == QLatin1Char('-') ? c : QLatin1Char('_');
    name = name.simplified();
    if (name.isEmpty())
        name = QStringLiteral("conversation");
    return name.left(80) + QLatin1Char('.') + extension;
}

}  // namespace

void MainWindow::setUpConversationActions(const QString& settingsFile)
{
    m_appSettings = settingsFile.isEmpty() ? std::make_unique<vela::app::AppSettings>()
                                           : std::make_unique<vela::app::AppSettings>(settingsFile);
    m_chat.setDefaultSettings(m_appSettings->defaultSettings());
    buildFileMenu();
    connectConversationActions();
    applyAppearance();
}

void MainWindow::buildFileMenu()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    auto add = [this, file](const QString& text, const char* name, const QKeySequence& keys, auto slot) {
        QAction* action = file->addAction(text);
        action->setObjectName(name);
        action->setShortcut(keys);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    add(tr("&New chat"), "actionNewChat", QKeySequence::New, [this] { m_chat.newConversation(); });
    file->addSeparator();
    add(tr("&Import conversation…"), "actionImport", QKeySequence::Open, [this] { importConversation(); });
    m_exportMarkdownAction = add(tr("Export as &Markdown…"), "actionExportMarkdown", QKeySequence(Qt::CTRL | Qt::Key_E),
                                 [this] { exportMarkdown(); });
    m_exportJsonAction = add(tr("Export as &JSON…"), "actionExportJson", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                             [this] { exportJson(); });
    file->addSeparator();
    add(tr("&Settings…"), "actionSettings", QKeySequence(Qt::CTRL | Qt::Key_Comma), [this] { openSettings(); });
    file->addSeparator();
    QAction* quit = add(tr("&Quit"), "actionQuit", QKeySequence::Quit, [this] { close(); });
    quit->setMenuRole(QAction::QuitRole);
}

void MainWindow::connectConversationActions()
{
    connect(m_conversations, &ConversationList::renameRequested, this, [this](qint64 id, const QString& title) {
        if (const Status renamed = m_chat.renameConversation(id, title); !renamed.isOk()) {
            showError(tr("Renaming failed: %1").arg(fromStatus(renamed)));
            refreshConversations();  // the edited item shows the old title again
        }
    });
    connect(&m_chat, &vela::app::ChatController::conversationDeleted, m_conversations,
            &ConversationList::offerUndoDelete);
    connect(m_conversations, &ConversationList::restoreRequested, this, [this](qint64 id) {
        if (const Status restored = m_chat.restoreConversation(id); !restored.isOk())
            showError(tr("Undo failed: %1").arg(fromStatus(restored)));
    });
    connect(m_conversations, &ConversationList::searchChanged, this, &MainWindow::refreshConversations);
    connect(&m_chat, &vela::app::ChatController::conversationOpened, this, &MainWindow::updateFileActions);

    // The chat takes its colors (code backgrounds) from the palette as it renders: render again.
    whenPaletteChanges(m_chatView, [this] { m_chatView->setMessages(m_chat.messages()); });

    auto* find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, m_conversations, &ConversationList::focusSearch);
}

void MainWindow::purgeOldDeletions()
{
    const Result<int> purged = m_chat.purgeDeleted(QDateTime::currentDateTimeUtc().addDays(-kPurgeAfterDays));
    if (!purged.isOk())
        showError(tr("Old deleted chats could not be removed: %1").arg(fromStatus(purged.status())));
}

void MainWindow::updateFileActions()
{
    const bool saved = m_chat.currentConversation() > 0;
    m_exportMarkdownAction->setEnabled(saved);
    m_exportJsonAction->setEnabled(saved);
}

void MainWindow::showError(const QString& message)
{
    statusBar()->showMessage(message, kMessageTimeoutMs);
}

// ---- import and export ----

QString MainWindow::chooseFile(FileRole role, const QString& suggestedPath)
{
    if (m_chooseFile)
        return m_chooseFile(role, suggestedPath);
    switch (role) {
    case FileRole::ImportJson:
        return QFileDialog::getOpenFileName(this, tr("Import conversation"), suggestedPath,
                                            tr("Vela conversations (*.json);;All files (*)"));
    case FileRole::ExportMarkdown:
        return QFileDialog::getSaveFileName(this, tr("Export as Markdown"), suggestedPath, tr("Markdown (*.md)"));
    case FileRole::ExportJson:
        return QFileDialog::getSaveFileName(this, tr("Export as JSON"), suggestedPath, tr("JSON (*.json)"));
    case FileRole::SummarizeDocument:
        return QFileDialog::getOpenFileName(this, tr("Summarize document"), suggestedPath, documentFileFilter());
    }
    return {};
}

QString MainWindow::suggestedExportPath(const QString& extension) const
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return QDir(folder).filePath(fileNameFor(m_chat.currentTitle(), extension));
}

bool MainWindow::writeExport(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        showError(tr("Export failed: cannot write %1 (%2)").arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    statusBar()->showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(path)), kMessageTimeoutMs);
    return true;
}

void MainWindow::exportMarkdown()
{
    const Result<QString> markdown = m_chat.exportMarkdown();
    if (!markdown.isOk()) {
        showError(tr("Export failed: %1").arg(fromStatus(markdown.status())));
        return;
    }
    const QString path = chooseFile(FileRole::ExportMarkdown, suggestedExportPath("md"));
    if (!path.isEmpty())
        writeExport(path, markdown.value().toUtf8());
}

void MainWindow::exportJson()
{
    const Result<QByteArray> json = m_chat.exportJson();
    if (!json.isOk()) {
        showError(tr("Export failed: %1").arg(fromStatus(json.status())));
        return;
    }
    const QString path = chooseFile(FileRole::ExportJson, suggestedExportPath("json"));
    if (!path.isEmpty())
        writeExport(path, json.value());
}

void MainWindow::importConversation()
{
    const QString path =
        chooseFile(FileRole::ImportJson, QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showError(tr("Import failed: cannot read %1 (%2)").arg(QDir::toNativeSeparators(path), file.errorString()));
        return;
    }
    const Result<qint64> id = m_chat.importConversation(file.readAll());
    if (!id.isOk()) {
        showError(tr("Import of %1 failed: %2").arg(QFileInfo(path).fileName(), fromStatus(id.status())));
        return;
    }
    statusBar()->showMessage(tr("Imported “%1”").arg(m_chat.currentTitle()), kMessageTimeoutMs);
}

// ---- settings and appearance ----

SettingsDialog* MainWindow::settingsDialog() const
{
    return m_settingsDialog;
}

SettingsDialog* MainWindow::openSettings()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        return m_settingsDialog;
    }
    m_settingsDialog = new SettingsDialog(this);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    m_settingsDialog->setGlobalDefaults(m_chat.defaultSettings());
    m_settingsDialog->setLoadedContext(m_chat.hasModel() ? static_cast<int>(m_chat.model().context) : 0);
    m_settingsDialog->setValues({.conversation = m_chat.conversationSettings(),
                                 .saveAsDefaults = false,
                                 .fontSize = m_appSettings->fontSize(),
                                 .theme = m_appSettings->theme()});
    connect(m_settingsDialog, &QDialog::accepted, this, [this] { applySettings(*m_settingsDialog); });
    // open(), not exec(): the window keeps its event loop (a streaming answer goes on meanwhile).
    m_settingsDialog->open();
    return m_settingsDialog;
}

void MainWindow::applySettings(const SettingsDialog& dialog)
{
    const SettingsDialog::Values values = dialog.values();
    const vela::app::ConversationSettings settings = vela::app::clampedSettings(values.conversation);
    if (const Status saved = m_chat.setConversationSettings(settings); !saved.isOk())
        showError(tr("The conversation's settings were not saved: %1").arg(fromStatus(saved)));
    if (values.saveAsDefaults) {
        m_appSettings->setDefaultSettings(settings);
        m_chat.setDefaultSettings(m_appSettings->defaultSettings());
    }
    m_appSettings->setFontSize(values.fontSize);
    m_appSettings->setTheme(values.theme);
    applyAppearance();
}

void MainWindow::applyAppearance()
{
    const vela::app::Theme theme = m_appSettings->theme();
    if (theme != m_appliedTheme) {
        applyTheme(theme);
        m_appliedTheme = theme;
    }
    QFont font = QApplication::font();
    if (const int points = m_appSettings->fontSize(); points > 0)
        font.setPointSize(points);
    m_chatView->setFont(font);
    m_composer->editor()->setFont(font);
}

}  // namespace vela::ui
