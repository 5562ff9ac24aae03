// The left column: a "New chat" button and the stored conversations, newest first.
#pragma once

#include "storage/chat_store.h"

#include <QList>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace vela::ui {

class ConversationList : public QWidget {
    Q_OBJECT

public:
    explicit ConversationList(QWidget* parent = nullptr);

    void setConversations(const QList<vela::app::Conversation>& conversations, qint64 currentId);
    void setCurrent(qint64 id);
    int count() const;
    QListWidget* list() const { return m_list; }

signals:
    void conversationChosen(qint64 id);
    void newConversationRequested();
    void deleteRequested(qint64 id);

private:
    QListWidget* m_list;
    QPushButton* m_newButton;
};

}  // namespace vela::ui
