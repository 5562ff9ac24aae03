// The left column: a search field (title and message text; Esc clears it), a "New chat" button, the stored
// conversations newest first, and the undo strip a deletion leaves for a few seconds. Rename by double-click,
// F2 or the context menu; delete by the Delete key or the context menu. The list only asks: the window
// passes the requests to the ChatController and hands the result back through setConversations.
#pragma once

#include "storage/chat_store.h"

#include <QList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace vela::ui {

class UndoBar;

class ConversationList : public QWidget {
    Q_OBJECT

public:
    explicit ConversationList(QWidget* parent = nullptr);

    void setConversations(const QList<vela::app::Conversation>& conversations, qint64 currentId);
    void setCurrent(qint64 id);
    int count() const;
    QListWidget* list() const { return m_list; }

    // Search: what the list is filtered by ("" shows every conversation).
    QLineEdit* searchField() const { return m_search; }
    QString searchText() const;
    void focusSearch();  // Ctrl+F

    // Rename and delete act on the selected conversation; undo restores the last deleted one.
    void renameSelected();
    void deleteSelected();
    qint64 selectedId() const;  // 0: none
    QString titleAt(int row) const;
    UndoBar* undoBar() const { return m_undoBar; }
    void offerUndoDelete(qint64 id, const QString& title);

signals:
    void conversationChosen(qint64 id);
    void newConversationRequested();
    void deleteRequested(qint64 id);
    void renameRequested(qint64 id, const QString& title);
    void restoreRequested(qint64 id);
    void searchChanged(const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void addListActions();
    void onItemEdited(QListWidgetItem* item);
    void updateNoMatch();

    QLineEdit* m_search;
    QListWidget* m_list;
    QLabel* m_noMatch;  // in place of an empty list while searching
    QPushButton* m_newButton;
    UndoBar* m_undoBar;
    qint64 m_deletedId = 0;  // what the undo strip restores
};

}  // namespace vela::ui
