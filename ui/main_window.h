// The main window (DESIGN.md §2): conversations on the left, the chat in the middle (ChatView over the
// Composer), the model on the right, and a status line (speed, context used, device). A .gguf dropped
// anywhere on the window is loaded. The window only wires widgets to the ChatController, which holds the
// state and does the work.
#pragma once

#include "chat/chat_controller.h"
#include "settings/app_settings.h"

#include <QMainWindow>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>

class QAction;
class QLabel;

namespace vela::ui {

class ChatView;
class Composer;
class ConversationList;
class DocumentPanel;
class ModelPanel;
class SettingsDialog;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    struct Options {
        QString dataFolder;    // where chats.sqlite lives; "" = the platform's app data folder
        QString modelsFolder;  // listed in the model panel; "" = <data folder>/models
        QString settingsFile;  // an INI file for the global defaults; "" = the platform's QSettings
    };

    explicit MainWindow(QWidget* parent = nullptr);
    explicit MainWindow(const Options& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    vela::app::ChatController* chat() { return &m_chat; }
    ChatView* chatView() const { return m_chatView; }
    Composer* composer() const { return m_composer; }
    ConversationList* conversationList() const { return m_conversations; }
    ModelPanel* modelPanel() const { return m_modelPanel; }
    QString statusText() const;
    QString noticeText() const;  // the chat's notice line ("" when hidden)

    // Conversation actions (main_window_conversations.cpp): the File menu (new, import, export, settings,
    // quit), rename / delete with undo / search in the list, the settings dialog and the appearance.
    // Files are chosen through a seam, so tests answer without a modal dialog.
    enum class FileRole { ImportJson, ExportMarkdown, ExportJson, SummarizeDocument };
    using FileChooser = std::function<QString(FileRole role, const QString& suggestedPath)>;  // "": cancelled
    void setFileChooser(FileChooser chooser) { m_chooseFile = std::move(chooser); }
    void importConversation();
    void exportMarkdown();
    void exportJson();
    SettingsDialog* openSettings();  // window-modal but not blocking; applied when accepted
    SettingsDialog* settingsDialog() const;  // the open one, or nullptr
    vela::app::AppSettings& appSettings() { return *m_appSettings; }

    // Documents (main_window_documents.cpp): a document dropped on the window or the composer, or chosen with
    // File › Summarize document…, opens in the DocumentPanel above the composer, which plans, runs and
    // cancels its summary through the controller. A document that cannot be opened says why there.
    DocumentPanel* documentPanel() const { return m_documentPanel; }
    void openDocument(const QString& path);
    void chooseDocument();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildLayout();
    void connectChat();
    void connectModelChoices();
    void refreshConversations();
    void showConversation();
    void onGenerationFinished(const vela::app::GenerationStats& stats);
    void updateStatus();
    void updateComposer();

    // main_window_images.cpp: images from the composer (and dropped on the window) to the controller, what
    // the loaded model does with them to the composer, a projector chosen in the model panel.
    void connectImageActions();
    void updateVision();

    // main_window_messages.cpp
    void connectMessageActions();
    void showNotice(const QString& text);  // above the composer, until the conversation changes

    // main_window_conversations.cpp
    void setUpConversationActions(const QString& settingsFile);
    void buildFileMenu();
    void connectConversationActions();
    void purgeOldDeletions();
    void applySettings(const SettingsDialog& dialog);
    void applyAppearance();
    void updateFileActions();
    QString chooseFile(FileRole role, const QString& suggestedPath);
    QString suggestedExportPath(const QString& extension) const;
    bool writeExport(const QString& path, const QByteArray& bytes);
    void showError(const QString& message);

    // main_window_documents.cpp
    void setUpDocuments();
    void addDocumentAction();
    void connectDocumentActions();
    void updateDocumentPanel();

    vela::app::ChatController m_chat;
    ConversationList* m_conversations = nullptr;
    ChatView* m_chatView = nullptr;
    Composer* m_composer = nullptr;
    ModelPanel* m_modelPanel = nullptr;
    QLabel* m_speedLabel = nullptr;
    QLabel* m_contextLabel = nullptr;
    QLabel* m_deviceLabel = nullptr;
    int m_contextUsed = 0;
    QLabel* m_notice = nullptr;

    std::unique_ptr<vela::app::AppSettings> m_appSettings;
    FileChooser m_chooseFile;
    QPointer<SettingsDialog> m_settingsDialog;
    QAction* m_exportMarkdownAction = nullptr;
    QAction* m_exportJsonAction = nullptr;
    vela::app::Theme m_appliedTheme = vela::app::Theme::System;
    DocumentPanel* m_documentPanel = nullptr;
};

}  // namespace vela::ui
