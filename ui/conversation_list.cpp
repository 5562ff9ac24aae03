#include "conversation_list.h"

#include "undo_bar.h"

#include <QAction>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace vela::ui {

namespace {
constexpr int kIdRole = Qt::UserRole;
}

ConversationList::ConversationList(QWidget* parent)
    : QWidget(parent), m_search(new QLineEdit(this)), m_list(new QListWidget(this)),
      m_noMatch(new QLabel(this)), m_newButton(new QPushButton(tr("New chat"), this)), m_undoBar(new UndoBar(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 4, 8);
    layout->setSpacing(6);
    auto* heading = new QLabel(tr("<b>Conversations</b>"), this);
    layout->addWidget(m_newButton);
    layout->addWidget(m_search);
    layout->addWidget(heading);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_noMatch);
    layout->addStretch();  // takes the list's room while it is hidden
    layout->addWidget(m_undoBar);
    m_noMatch->setObjectName("noMatch");
    m_noMatch->setWordWrap(true);
    m_noMatch->setForegroundRole(QPalette::PlaceholderText);
    m_noMatch->hide();

    m_search->setObjectName("conversationSearch");
    m_search->setPlaceholderText(tr("Search chats (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textChanged, this, &ConversationList::searchChanged);

    m_newButton->setToolTip(tr("New chat (Ctrl+N)"));
    m_list->setObjectName("conversations");
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setUniformItemSizes(true);
    m_list->setEditTriggers(QAbstractItemView::DoubleClicked);  // F2 is the Rename action's shortcut
    addListActions();
    connect(m_newButton, &QPushButton::clicked, this, &ConversationList::newConversationRequested);
    connect(m_list, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { emit conversationChosen(item->data(kIdRole).toLongLong()); });
    connect(m_list, &QListWidget::itemChanged, this, &ConversationList::onItemEdited);
    connect(m_undoBar, &UndoBar::undoRequested, this, [this] {
        if (m_deletedId != 0)
            emit restoreRequested(m_deletedId);
        m_deletedId = 0;
    });
}

void ConversationList::addListActions()
{
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* rename = new QAction(tr("Rename…"), m_list);
    rename->setObjectName("renameConversation");
    rename->setShortcut(Qt::Key_F2);
    rename->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    auto* remove = new QAction(tr("Delete conversation"), m_list);
    remove->setObjectName("deleteConversation");
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_list->addAction(rename);
    m_list->addAction(remove);
    connect(rename, &QAction::triggered, this, &ConversationList::renameSelected);
    connect(remove, &QAction::triggered, this, &ConversationList::deleteSelected);
}

void ConversationList::setConversations(const QList<vela::app::Conversation>& conversations, qint64 currentId)
{
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    for (const vela::app::Conversation& c : conversations) {
        auto* item = new QListWidgetItem(c.title, m_list);
        item->setData(kIdRole, c.id);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        item->setToolTip(QStringLiteral("%1\n%2").arg(c.title, c.updated.toLocalTime().toString(Qt::TextDate)));
    }
    setCurrent(currentId);
    updateNoMatch();
}

void ConversationList::updateNoMatch()
{
    const bool none = m_list->count() == 0 && !m_search->text().trimmed().isEmpty();
    m_noMatch->setText(tr("No chat mentions “%1”.").arg(m_search->text().trimmed()));
    m_noMatch->setVisible(none);
    m_list->setVisible(!none);
}

void ConversationList::setCurrent(qint64 id)
{
    const QSignalBlocker blocker(m_list);
    m_list->clearSelection();
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(kIdRole).toLongLong() == id) {
            m_list->setCurrentRow(i);
            return;
        }
    }
    m_list->setCurrentRow(-1);
}

int ConversationList::count() const
{
    return m_list->count();
}

QString ConversationList::searchText() const
{
    return m_search->text();
}

void ConversationList::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

qint64 ConversationList::selectedId() const
{
    const QListWidgetItem* item = m_list->currentItem();
    return item && item->isSelected() ? item->data(kIdRole).toLongLong() : 0;
}

QString ConversationList::titleAt(int row) const
{
    const QListWidgetItem* item = m_list->item(row);
    return item ? item->text() : QString();
}

void ConversationList::renameSelected()
{
    if (QListWidgetItem* item = m_list->currentItem())
        m_list->editItem(item);
}

void ConversationList::deleteSelected()
{
    if (const qint64 id = selectedId(); id != 0)
        emit deleteRequested(id);
}

void ConversationList::offerUndoDelete(qint64 id, const QString& title)
{
    m_deletedId = id;
    const QString shown = m_undoBar->fontMetrics().elidedText(title, Qt::ElideRight, 160);
    m_undoBar->offer(tr("Deleted “%1”.").arg(shown));
}

void ConversationList::onItemEdited(QListWidgetItem* item)
{
    const qint64 id = item->data(kIdRole).toLongLong();
    const QString title = item->text();
    // Queued: the rename rebuilds the list, which must not happen while the item view is still committing
    // the edit to this very item.
    QMetaObject::invokeMethod(
        this, [this, id, title] { emit renameRequested(id, title); }, Qt::QueuedConnection);
}

bool ConversationList::eventFilter(QObject* watched, QEvent* event)
{
    // Esc in a non-empty search field clears it (and is not the window's "stop generating").
    if (watched == m_search && (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress)) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier && !m_search->text().isEmpty()) {
            event->accept();
            if (event->type() == QEvent::KeyPress)
                m_search->clear();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace vela::ui
