// What a user does with conversations, driven through the real window offscreen without a model: rename
// (F2, double-click, context menu), delete with undo (button, Ctrl+Z, expiry), the purge of old deletions at
// start, search by title and message text (Ctrl+F, Esc), Ctrl+N, and the File menu's export and import.
#include "chat_view.h"
#include "composer.h"
#include "conversation_list.h"
#include "undo_bar.h"
#include "window_fixture.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using vela::app::ChatStore;
using vela::test::openWindow;
using vela::test::seedConversation;
using vela::ui::MainWindow;

namespace {

QStringList shownTitles(const MainWindow& window)
{
    QStringList titles;
    for (int i = 0; i < window.conversationList()->count(); ++i)
        titles.append(window.conversationList()->titleAt(i));
    return titles;
}

int rowOf(const MainWindow& window, const QString& title)
{
    return int(shownTitles(window).indexOf(title));
}

// Clicks the conversation's row, which opens it and gives the list the focus.
void clickConversation(MainWindow& window, const QString& title)
{
    QListWidget* list = window.conversationList()->list();
    const QRect rect = list->visualItemRect(list->item(rowOf(window, title)));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
    list->setFocus();
}

QAction* action(MainWindow& window, const char* name)
{
    return window.findChild<QAction*>(name);
}

QString storedTitle(const QString& dataFolder, qint64 id)
{
    ChatStore store;
    if (!store.open(dataFolder).isOk())
        return {};
    const auto conversation = store.conversation(id);
    return conversation.isOk() ? conversation.value().title : QString();
}

QStringList storedTitles(const QString& dataFolder)
{
    ChatStore store;
    QStringList titles;
    if (!store.open(dataFolder).isOk())
        return titles;
    const auto list = store.listConversations();
    for (const vela::app::Conversation& c : list.value())
        titles.append(c.title);
    return titles;
}

// The inline editor the list opened; types `title` over its text and presses Enter.
void typeTitle(MainWindow& window, const QString& title)
{
    auto* editor = qobject_cast<QLineEdit*>(QApplication::focusWidget());
    QVERIFY2(editor && window.conversationList()->list()->isAncestorOf(editor), "no title editor has the focus");
    editor->selectAll();
    QTest::keyClicks(editor, title);
    QTest::keyClick(editor, Qt::Key_Return);
}

}  // namespace

class TestConversationActions : public QObject {
    Q_OBJECT

private slots:
    void renames_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("F2") << "f2";
        QTest::newRow("double-click") << "double-click";
        QTest::newRow("context menu") << "menu";
    }

    void renames()
    {
        QFETCH(QString, how);
        QTemporaryDir data;
        const qint64 alpha = seedConversation(data.path(), "Alpha trip", {"Pack the tent", "And the stove"});
        seedConversation(data.path(), "Beta notes", {"Note one"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(shownTitles(*window), QStringList({"Beta notes", "Alpha trip"}));

        clickConversation(*window, "Alpha trip");
        QCOMPARE(window->chat()->currentConversation(), alpha);
        QListWidget* list = window->conversationList()->list();
        if (how == "f2") {
            QTest::keyClick(list, Qt::Key_F2);
        } else if (how == "double-click") {
            const QRect rect = list->visualItemRect(list->item(rowOf(*window, "Alpha trip")));
            QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        } else {
            action(*window, "renameConversation")->trigger();
        }
        typeTitle(*window, "Gamma camping");
        // Renaming counts as an update: the conversation moves to the top.
        QTRY_COMPARE(shownTitles(*window), QStringList({"Gamma camping", "Beta notes"}));
        QCOMPARE(storedTitle(data.path(), alpha), QStringLiteral("Gamma camping"));
        QCOMPARE(window->chat()->currentConversation(), alpha);
    }

    void emptyTitleIsRefused()
    {
        QTemporaryDir data;
        const qint64 alpha = seedConversation(data.path(), "Alpha trip", {"Pack the tent"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        clickConversation(*window, "Alpha trip");
        QTest::keyClick(window->conversationList()->list(), Qt::Key_F2);
        typeTitle(*window, "   ");
        QTRY_VERIFY(window->statusBar()->currentMessage().contains("title"));
        QCOMPARE(shownTitles(*window), QStringList({"Alpha trip"}));
        QCOMPARE(storedTitle(data.path(), alpha), QStringLiteral("Alpha trip"));
    }

    void deleteOffersUndo_data()
    {
        QTest::addColumn<QString>("undo");
        QTest::newRow("Undo button") << "button";
        QTest::newRow("Ctrl+Z") << "ctrl+z";
    }

    void deleteOffersUndo()
    {
        QFETCH(QString, undo);
        QTemporaryDir data;
        const qint64 alpha = seedConversation(data.path(), "Alpha trip", {"Pack the tent", "And the stove"});
        seedConversation(data.path(), "Beta notes", {"Note one"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        vela::ui::UndoBar* bar = window->conversationList()->undoBar();
        QVERIFY(!bar->isVisible());

        clickConversation(*window, "Alpha trip");
        QVERIFY(window->chatView()->toPlainText().contains("Pack the tent"));
        QTest::keyClick(window->conversationList()->list(), Qt::Key_Delete);
        QCOMPARE(shownTitles(*window), QStringList({"Beta notes"}));
        QCOMPARE(storedTitles(data.path()), QStringList({"Beta notes"}));
        // The open conversation went: an empty chat is shown.
        QCOMPARE(window->chat()->currentConversation(), 0);
        QCOMPARE(window->chatView()->messageCount(), 0);
        QVERIFY(bar->isVisible());
        QVERIFY2(bar->text().contains("Alpha trip"), qPrintable(bar->text()));

        if (undo == "button")
            QTest::mouseClick(bar->undoButton(), Qt::LeftButton);
        else
            QTest::keyClick(window->conversationList()->list(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!bar->isVisible());
        QCOMPARE(shownTitles(*window), QStringList({"Beta notes", "Alpha trip"}));
        QCOMPARE(storedTitles(data.path()), QStringList({"Beta notes", "Alpha trip"}));
        QCOMPARE(window->chat()->currentConversation(), alpha);
        QCOMPARE(vela::test::texts(window->chat()->messages()), QStringList({"Pack the tent", "And the stove"}));
        QVERIFY(window->chatView()->toPlainText().contains("And the stove"));
    }

    void undoExpires()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Alpha trip", {"Pack the tent"});
        seedConversation(data.path(), "Beta notes", {"Note one"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        vela::ui::UndoBar* bar = window->conversationList()->undoBar();
        bar->setTimeout(150);
        clickConversation(*window, "Beta notes");
        action(*window, "deleteConversation")->trigger();  // the context menu's entry
        QVERIFY(bar->isVisible());
        QTRY_VERIFY(!bar->isVisible());
        QTest::keyClick(window->conversationList()->list(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(shownTitles(*window), QStringList({"Alpha trip"}));
    }

    void startPurgesLongDeletedConversations()
    {
        QTemporaryDir data;
        const qint64 old = seedConversation(data.path(), "Deleted long ago", {"old"});
        const qint64 recent = seedConversation(data.path(), "Deleted just now", {"new"});
        {
            ChatStore store;
            QVERIFY(store.open(data.path()).isOk());
            QVERIFY(store.deleteConversation(old).isOk());
            QVERIFY(store.deleteConversation(recent).isOk());
        }
        {
            // ChatStore cannot date a deletion back: move it 40 days into the past by hand.
            QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "backdate");
            db.setDatabaseName(QDir(data.path()).filePath(ChatStore::kFileName));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.prepare("UPDATE conversations SET deleted_at = ? WHERE id = ?"));
            q.addBindValue(QDateTime::currentDateTimeUtc().addDays(-40).toMSecsSinceEpoch());
            q.addBindValue(old);
            QVERIFY(q.exec());
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase("backdate");

        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(window->conversationList()->count(), 0);
        ChatStore store;
        QVERIFY(store.open(data.path()).isOk());
        QVERIFY(!store.conversation(old).isOk());   // gone for good
        QVERIFY(store.restoreConversation(recent).isOk());  // still restorable
    }

    void searchesTitlesAndMessageText()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Groceries", {"Remember to buy zucchini", "Noted."});
        seedConversation(data.path(), "Trip", {"Book the mountain hut"});
        seedConversation(data.path(), "Zoo visit", {"Which animals?", "Penguins first."});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(window->conversationList()->count(), 3);

        // Ctrl+F from the composer puts the focus in the search field.
        window->composer()->editor()->setFocus();
        QTest::keyClick(window->composer()->editor(), Qt::Key_F, Qt::ControlModifier);
        QLineEdit* search = window->conversationList()->searchField();
        QCOMPARE(QApplication::focusWidget(), search);

        QTest::keyClicks(search, "ZUCCHINI");  // only in a message body, other case
        QCOMPARE(shownTitles(*window), QStringList({"Groceries"}));
        search->clear();
        QTest::keyClicks(search, "penguins");  // in the assistant's answer
        QCOMPARE(shownTitles(*window), QStringList({"Zoo visit"}));
        search->clear();
        QTest::keyClicks(search, "trip");  // in a title only
        QCOMPARE(shownTitles(*window), QStringList({"Trip"}));
        search->clear();
        QTest::keyClicks(search, "nothing like this");
        QCOMPARE(window->conversationList()->count(), 0);
        auto* noMatch = window->conversationList()->findChild<QLabel*>("noMatch");
        QVERIFY(noMatch->isVisible());
        QVERIFY(noMatch->text().contains("nothing like this"));

        QTest::keyClick(search, Qt::Key_Escape);
        QCOMPARE(search->text(), QString());
        QVERIFY(!noMatch->isVisible());
        QCOMPARE(shownTitles(*window), QStringList({"Zoo visit", "Trip", "Groceries"}));
    }

    void ctrlNStartsAnEmptyChat()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Alpha trip", {"Pack the tent", "And the stove"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QVERIFY(window->chat()->currentConversation() != 0);
        QCOMPARE(window->chatView()->messageCount(), 2);
        QVERIFY(action(*window, "actionExportJson")->isEnabled());

        QTest::keyClick(window->composer()->editor(), Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(window->chat()->currentConversation(), 0);
        QVERIFY(window->chat()->messages().isEmpty());
        QCOMPARE(window->chatView()->messageCount(), 0);
        QCOMPARE(window->conversationList()->count(), 1);  // the old one stays listed
        QVERIFY(!action(*window, "actionExportJson")->isEnabled());  // nothing to export yet
        QVERIFY(!action(*window, "actionExportMarkdown")->isEnabled());
    }

    void fileMenuHoldsTheActions()
    {
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QStringList names;
        for (QAction* a : window->menuBar()->actions().front()->menu()->actions())
            if (!a->isSeparator())
                names.append(a->objectName());
        QCOMPARE(names, QStringList({"actionNewChat", "actionSummarizeDocument", "actionImport", "actionExportMarkdown",
                                     "actionExportJson", "actionSettings", "actionQuit"}));
        QCOMPARE(action(*window, "actionNewChat")->shortcut(), QKeySequence(QKeySequence::New));
    }

    void exportsMarkdownAndJson()
    {
        QTemporaryDir data;
        const qint64 id = seedConversation(data.path(), "Alpha trip", {"Pack the **tent**", "And the `stove`"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QList<MainWindow::FileRole> asked;
        window->setFileChooser([&](MainWindow::FileRole role, const QString& suggested) {
            asked.append(role);
            return data.filePath(QFileInfo(suggested).fileName());
        });
        action(*window, "actionExportMarkdown")->trigger();
        action(*window, "actionExportJson")->trigger();
        QCOMPARE(asked, QList<MainWindow::FileRole>({MainWindow::FileRole::ExportMarkdown, MainWindow::FileRole::ExportJson}));

        ChatStore store;
        QVERIFY(store.open(data.path()).isOk());
        QFile markdown(data.filePath("Alpha trip.md"));
        QVERIFY2(markdown.open(QIODevice::ReadOnly), "the Markdown file was not written where the chooser said");
        QCOMPARE(QString::fromUtf8(markdown.readAll()), store.exportMarkdown(id).value());
        QFile json(data.filePath("Alpha trip.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(json.readAll(), store.exportJson(id).value());
        QVERIFY(window->statusBar()->currentMessage().contains("Alpha trip.json"));
    }

    void exportToAnUnwritablePathSaysSo()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Alpha trip", {"Pack the tent"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        window->setFileChooser([&](MainWindow::FileRole, const QString&) {
            return data.filePath("no/such/folder/out.md");
        });
        action(*window, "actionExportMarkdown")->trigger();
        const QString shown = window->statusBar()->currentMessage();
        QVERIFY2(shown.contains("Export failed") && shown.contains("out.md"), qPrintable(shown));
        QVERIFY(!QFile::exists(data.filePath("no/such/folder/out.md")));
    }

    void importsIntoAFreshDataFolder()
    {
        QTemporaryDir first;
        QTemporaryDir second;
        const QStringList messages{"Pack the tent", "And the stove", "What about food?", "Pasta."};
        seedConversation(first.path(), "Alpha trip", messages);
        const QString exported = first.filePath("alpha.json");
        {
            auto window = openWindow(first.path(), first.filePath("settings.ini"));
            QVERIFY(window);
            window->setFileChooser([&](MainWindow::FileRole, const QString&) { return exported; });
            action(*window, "actionExportJson")->trigger();
            QVERIFY(QFile::exists(exported));
        }
        auto window = openWindow(second.path(), second.filePath("settings.ini"));
        QVERIFY(window);
        QCOMPARE(window->conversationList()->count(), 0);
        window->setFileChooser([&](MainWindow::FileRole role, const QString&) {
            return role == MainWindow::FileRole::ImportJson ? exported : QString();
        });
        action(*window, "actionImport")->trigger();
        QCOMPARE(shownTitles(*window), QStringList({"Alpha trip"}));
        QVERIFY(window->chat()->currentConversation() > 0);
        QCOMPARE(vela::test::texts(window->chat()->messages()), messages);
        QVERIFY(window->chatView()->toPlainText().contains("Pasta."));
        QCOMPARE(window->conversationList()->list()->currentRow(), 0);
    }

    void badImportIsReportedAndTheAppGoesOn()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Alpha trip", {"Pack the tent"});
        QFile bad(data.filePath("bad.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"format\": \"vela-conversation-v1\", \"messages\": [");
        bad.close();
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        window->setFileChooser([&](MainWindow::FileRole, const QString&) { return bad.fileName(); });
        action(*window, "actionImport")->trigger();
        QString shown = window->statusBar()->currentMessage();
        QVERIFY2(shown.contains("Import of bad.json failed") && shown.contains("not JSON"), qPrintable(shown));
        QCOMPARE(shownTitles(*window), QStringList({"Alpha trip"}));

        // Not a file at all.
        window->setFileChooser([&](MainWindow::FileRole, const QString&) { return data.filePath("missing.json"); });
        action(*window, "actionImport")->trigger();
        shown = window->statusBar()->currentMessage();
        QVERIFY2(shown.contains("cannot read") && shown.contains("missing.json"), qPrintable(shown));

        // Still usable: a new chat, then the old conversation again.
        QTest::keyClick(window->composer()->editor(), Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(window->chat()->currentConversation(), 0);
        clickConversation(*window, "Alpha trip");
        QVERIFY(window->chatView()->toPlainText().contains("Pack the tent"));
    }
};

QTEST_MAIN(TestConversationActions)
#include "tst_conversation_actions.moc"
