#include "conversation_list.h"

#include <QAction>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace vela::ui {

namespace {
constexpr int kIdRole = Qt::UserRole;
}

ConversationList::ConversationList(QWidget* parent)
    : QWidget(parent), m_list(new QListWidget(this)), m_newButton(new QPushButton(tr("New chat"), this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 4, 8);
    layout->setSpacing(6);
    auto* heading = new QLabel(tr("<b>Conversations</b>"), this);
    layout->addWidget(m_newButton);
    layout->addWidget(heading);
    layout->addWidget(m_list, 1);

    m_list->setObjectName("conversations");
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setUniformItemSizes(true);
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* remove = new QAction(tr("Delete conversation"), m_list);
    m_list->addAction(remove);
    connect(remove, &QAction::triggered, this, [this] {
        if (QListWidgetItem* item = m_list->currentItem())
            emit deleteRequested(item->data(kIdRole).toLongLong());
    });
    connect(m_newButton, &QPushButton::clicked, this, &ConversationList::newConversationRequested);
    connect(m_list, &QListWidget::itemClicked, this,
            [this](QListWidgetItem* item) { emit conversationChosen(item->data(kIdRole).toLongLong()); });
}

void ConversationList::setConversations(const QList<vela::app::Conversation>& conversations, qint64 currentId)
{
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    for (const vela::app::Conversation& c : conversations) {
        auto* item = new QListWidgetItem(c.title, m_list);
        item->setData(kIdRole, c.id);
        item->setToolTip(QStringLiteral("%1\n%2").arg(c.title, c.updated.toLocalTime().toString(Qt::TextDate)));
    }
    setCurrent(currentId);
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

}  // namespace vela::ui
