// The main window (DESIGN.md §2): conversations on the left, the chat in the middle (ChatView over the
// Composer), the model on the right, and a status line (speed, context used, device). A .gguf dropped
// anywhere on the window is loaded. The window only wires widgets to the ChatController, which holds the
// state and does the work.
#pragma once

#include "chat/chat_controller.h"

#include <QMainWindow>
#include <QString>

class QLabel;

namespace vela::ui {

class ChatView;
class Composer;
class ConversationList;
class ModelPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    struct Options {
        QString dataFolder;    // where chats.sqlite lives; "" = the platform's app data folder
        QString modelsFolder;  // listed in the model panel; "" = <data folder>/models
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

    vela::app::ChatController m_chat;
    ConversationList* m_conversations = nullptr;
    ChatView* m_chatView = nullptr;
    Composer* m_composer = nullptr;
    ModelPanel* m_modelPanel = nullptr;
    QLabel* m_speedLabel = nullptr;
    QLabel* m_contextLabel = nullptr;
    QLabel* m_deviceLabel = nullptr;
    int m_contextUsed = 0;
};

}  // namespace vela::ui
