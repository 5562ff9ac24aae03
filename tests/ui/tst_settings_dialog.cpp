// The settings dialog driven through the real window offscreen: the nine per-conversation fields are saved
// with the open conversation and come back in a new window; "Save as defaults" writes QSettings and the
// next new chat starts from them; ranges are enforced; the font size and theme apply at once. The last
// test loads stories260K to show a new chat's settings reach its first generation.
#include "chat_view.h"
#include "composer.h"
#include "settings_dialog.h"
#include "support/test_data.h"
#include "window_fixture.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextFragment>
#include <QtTest>

#include "model_panel.h"

using vela::app::AppSettings;
using vela::app::ChatController;
using vela::app::ConversationSettings;
using vela::test::openWindow;
using vela::test::seedConversation;
using vela::ui::MainWindow;
using vela::ui::SettingsDialog;

namespace {

// Opens Settings… from the File menu; the dialog is window-modal but does not block.
SettingsDialog* openSettings(MainWindow& window)
{
    window.findChild<QAction*>("actionSettings")->trigger();
    SettingsDialog* dialog = window.settingsDialog();
    if (dialog && !QTest::qWaitForWindowExposed(dialog))
        return nullptr;
    return dialog;
}

template <typename Box>
Box* field(SettingsDialog* dialog, const char* name)
{
    auto* box = dialog->findChild<Box*>(name);
    if (!box)
        qFatal("the settings dialog has no field %s", name);
    return box;
}

// Types `text` into a spin box as a user would: select what is there, type, Tab away.
void typeInto(QAbstractSpinBox* box, const QString& text)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Tab);
}

void clickButton(SettingsDialog* dialog, QDialogButtonBox::StandardButton which)
{
    QTest::mouseClick(dialog->buttons()->button(which), Qt::LeftButton);
}

// Fills every conversation field with values unlike the defaults and returns what they should give.
ConversationSettings fillConversationFields(SettingsDialog* dialog)
{
    ConversationSettings s;
    s.systemPrompt = "You answer in haiku.";
    s.temperature = 0.35;
    s.topK = 17;
    s.topP = 0.8;
    s.minP = 0.12;
    s.repeatPenalty = 1.25;
    s.seed = 4242;
    s.maxTokens = 64;
    s.contextSize = 1024;
    auto* prompt = field<QPlainTextEdit>(dialog, "systemPrompt");
    prompt->clear();
    QTest::keyClicks(prompt, s.systemPrompt);
    typeInto(field<QDoubleSpinBox>(dialog, "temperature"), "0.35");
    typeInto(field<QSpinBox>(dialog, "topK"), "17");
    typeInto(field<QDoubleSpinBox>(dialog, "topP"), "0.8");
    typeInto(field<QDoubleSpinBox>(dialog, "minP"), "0.12");
    typeInto(field<QDoubleSpinBox>(dialog, "repeatPenalty"), "1.25");
    typeInto(field<QSpinBox>(dialog, "seed"), "4242");
    typeInto(field<QSpinBox>(dialog, "maxTokens"), "64");
    typeInto(field<QSpinBox>(dialog, "contextSize"), "1024");
    return s;
}

ConversationSettings storedSettings(const QString& dataFolder, qint64 id)
{
    vela::app::ChatStore store;
    if (!store.open(dataFolder).isOk())
        return {};
    const auto conversation = store.conversation(id);
    return conversation.isOk() ? conversation.value().settings : ConversationSettings{};
}

}  // namespace

class TestSettingsDialog : public QObject {
    Q_OBJECT

private slots:
    void showsTheConversationsSettings()
    {
        QTemporaryDir data;
        ConversationSettings s;
        s.temperature = 0.5;
        s.systemPrompt = "Be kind.";
        s.contextSize = 2048;
        seedConversation(data.path(), "Alpha", {"hi"}, s);
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        QCOMPARE(field<QDoubleSpinBox>(dialog, "temperature")->value(), 0.5);
        QCOMPARE(field<QPlainTextEdit>(dialog, "systemPrompt")->toPlainText(), QStringLiteral("Be kind."));
        QCOMPARE(field<QSpinBox>(dialog, "contextSize")->value(), 2048);
        QVERIFY(field<QLabel>(dialog, "contextNote")->text().contains("next time a model is loaded"));
        clickButton(dialog, QDialogButtonBox::Cancel);
        QTRY_VERIFY(!window->settingsDialog());
    }

    void editsAreSavedWithTheConversation()
    {
        QTemporaryDir data;
        const qint64 alpha = seedConversation(data.path(), "Alpha", {"hi", "hello"});
        const QString ini = data.filePath("settings.ini");
        ConversationSettings expected;
        {
            auto window = openWindow(data.path(), ini);
            QVERIFY(window);
            QCOMPARE(window->chat()->currentConversation(), alpha);
            SettingsDialog* dialog = openSettings(*window);
            QVERIFY(dialog);
            expected = fillConversationFields(dialog);
            clickButton(dialog, QDialogButtonBox::Ok);
            QTRY_VERIFY(!window->settingsDialog());
            QCOMPARE(window->chat()->conversationSettings(), expected);
            QCOMPARE(storedSettings(data.path(), alpha), expected);
            // Not saved as defaults: new chats still start from the built-in ones.
            QCOMPARE(AppSettings(ini).defaultSettings(), ConversationSettings{});
            window->findChild<QAction*>("actionNewChat")->trigger();
            QCOMPARE(window->chat()->conversationSettings(), ConversationSettings{});
        }
        auto window = openWindow(data.path(), ini);
        QVERIFY(window);
        QCOMPARE(window->chat()->currentConversation(), alpha);
        QCOMPARE(window->chat()->conversationSettings(), expected);
        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        QCOMPARE(field<QSpinBox>(dialog, "topK")->value(), 17);
        QCOMPARE(field<QPlainTextEdit>(dialog, "systemPrompt")->toPlainText(), expected.systemPrompt);
    }

    void cancelChangesNothing()
    {
        QTemporaryDir data;
        const qint64 alpha = seedConversation(data.path(), "Alpha", {"hi"});
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        fillConversationFields(dialog);
        clickButton(dialog, QDialogButtonBox::Cancel);
        QTRY_VERIFY(!window->settingsDialog());
        QCOMPARE(window->chat()->conversationSettings(), ConversationSettings{});
        QCOMPARE(storedSettings(data.path(), alpha), ConversationSettings{});
    }

    void defaultsGoToQSettingsAndNewChats()
    {
        QTemporaryDir data;
        QTemporaryDir other;
        seedConversation(data.path(), "Alpha", {"hi"});
        const QString ini = data.filePath("settings.ini");
        ConversationSettings expected;
        {
            auto window = openWindow(data.path(), ini);
            QVERIFY(window);
            SettingsDialog* dialog = openSettings(*window);
            QVERIFY(dialog);
            expected = fillConversationFields(dialog);
            QTest::mouseClick(field<QCheckBox>(dialog, "saveAsDefaults"), Qt::LeftButton);
            clickButton(dialog, QDialogButtonBox::Ok);
            QTRY_VERIFY(!window->settingsDialog());
            QCOMPARE(AppSettings(ini).defaultSettings(), expected);
            // A window manager gives the focus back to the window when the dialog closes; offscreen has none.
            window->activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(window.get()));
            QTest::keyClick(window->composer()->editor(), Qt::Key_N, Qt::ControlModifier);
            QCOMPARE(window->chat()->currentConversation(), 0);
            QCOMPARE(window->chat()->conversationSettings(), expected);
        }
        // Another data folder, the same QSettings: its new chat starts from them too.
        auto window = openWindow(other.path(), ini);
        QVERIFY(window);
        QCOMPARE(window->chat()->currentConversation(), 0);
        QCOMPARE(window->chat()->conversationSettings(), expected);
        // "Reset to defaults" fills them in.
        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        typeInto(field<QDoubleSpinBox>(dialog, "temperature"), "1.5");
        clickButton(dialog, QDialogButtonBox::RestoreDefaults);
        QCOMPARE(field<QDoubleSpinBox>(dialog, "temperature")->value(), expected.temperature);
    }

    void rangesAreEnforced_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<double>("minimum");
        QTest::addColumn<double>("maximum");
        QTest::newRow("temperature") << "temperature" << "7" << 0.0 << 2.0;
        QTest::newRow("top-p") << "topP" << "3" << 0.0 << 1.0;
        QTest::newRow("min-p") << "minP" << "5" << 0.0 << 1.0;
        QTest::newRow("repeat penalty") << "repeatPenalty" << "9" << 1.0 << 2.0;
    }

    void rangesAreEnforced()
    {
        QFETCH(QString, name);
        QFETCH(QString, typed);
        QFETCH(double, minimum);
        QFETCH(double, maximum);
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        auto* box = field<QDoubleSpinBox>(dialog, qPrintable(name));
        QCOMPARE(box->minimum(), minimum);
        QCOMPARE(box->maximum(), maximum);
        typeInto(box, typed);
        QVERIFY2(box->value() >= minimum && box->value() <= maximum, qPrintable(QString::number(box->value())));
        clickButton(dialog, QDialogButtonBox::Ok);
        QTRY_VERIFY(!window->settingsDialog());
        const ConversationSettings s = window->chat()->conversationSettings();
        QCOMPARE(vela::app::clampedSettings(s), s);
    }

    void fontSizeAppliesAtOnceAndIsRemembered()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Alpha", {"hi"});
        const QString ini = data.filePath("settings.ini");
        {
            auto window = openWindow(data.path(), ini);
            QVERIFY(window);
            QVERIFY(window->chatView()->font().pointSize() != 19);
            SettingsDialog* dialog = openSettings(*window);
            QVERIFY(dialog);
            typeInto(field<QSpinBox>(dialog, "fontSize"), "19");
            clickButton(dialog, QDialogButtonBox::Ok);
            QTRY_VERIFY(!window->settingsDialog());
            QCOMPARE(window->chatView()->font().pointSize(), 19);
            QCOMPARE(window->chatView()->document()->defaultFont().pointSize(), 19);
            QCOMPARE(window->composer()->editor()->font().pointSize(), 19);
            QCOMPARE(AppSettings(ini).fontSize(), 19);
        }
        auto window = openWindow(data.path(), ini);
        QVERIFY(window);
        QCOMPARE(window->chatView()->font().pointSize(), 19);
    }

    void darkThemeDarkensThePalette()
    {
        QTemporaryDir data;
        seedConversation(data.path(), "Alpha", {"Some `code` here", "```\nint x;\n```"});
        const QString ini = data.filePath("settings.ini");
        const QPalette platform = QApplication::palette();
        auto window = openWindow(data.path(), ini);
        QVERIFY(window);
        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        auto* theme = field<QComboBox>(dialog, "theme");
        theme->setCurrentIndex(theme->findText("Dark"));
        clickButton(dialog, QDialogButtonBox::Ok);
        QTRY_VERIFY(!window->settingsDialog());
        QCOMPARE(AppSettings(ini).theme(), vela::app::Theme::Dark);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        QVERIFY(window->chatView()->palette().color(QPalette::Base).lightness() < 80);
        QVERIFY(window->chatView()->palette().color(QPalette::Text).lightness() > 180);
        QVERIFY(window->chatView()->toPlainText().contains("int x;"));
        // Rendered again with the dark palette: the code block's background is dark too.
        const QTextBlock code = window->chatView()->document()->find("int x;").block();
        QVERIFY(code.blockFormat().background().color().lightness() < 100);
        // The speaker's name (the first fragment of the document) is light on the dark background.
        const QTextFragment name = window->chatView()->document()->begin().begin().fragment();
        QCOMPARE(name.text(), QStringLiteral("You"));
        QVERIFY(name.charFormat().foreground().color().lightness() > 140);

        dialog = openSettings(*window);
        QVERIFY(dialog);
        theme = field<QComboBox>(dialog, "theme");
        theme->setCurrentIndex(theme->findText("Follow the desktop"));
        clickButton(dialog, QDialogButtonBox::Ok);
        QTRY_VERIFY(!window->settingsDialog());
        QCOMPARE(QApplication::palette().color(QPalette::Window), platform.color(QPalette::Window));
    }

    // With a model: a new chat's settings (not yet stored) are the ones its first answer uses and the
    // ones stored with it.
    void newChatSettingsReachItsFirstAnswer()
    {
        QTemporaryDir data;
        auto window = openWindow(data.path(), data.filePath("settings.ini"));
        QVERIFY(window);
        QSignalSpy ready(window->chat(), &ChatController::modelReady);
        window->modelPanel()->openModel(vela::test::requireTestFile("models/stories260K.gguf"));
        QVERIFY(ready.wait(120'000) || ready.size() == 1);

        SettingsDialog* dialog = openSettings(*window);
        QVERIFY(dialog);
        typeInto(field<QDoubleSpinBox>(dialog, "temperature"), "0");
        typeInto(field<QSpinBox>(dialog, "maxTokens"), "7");
        clickButton(dialog, QDialogButtonBox::Ok);
        QTRY_VERIFY(!window->settingsDialog());

        QSignalSpy finished(window->chat(), &ChatController::generationFinished);
        QTest::keyClicks(window->composer()->editor(), "Once upon a time");
        QTest::keyClick(window->composer()->editor(), Qt::Key_Return);
        QVERIFY(finished.wait(60'000));
        const auto stats = finished.front().front().value<vela::app::GenerationStats>();
        QCOMPARE(stats.generatedTokens, 7);
        const qint64 id = window->chat()->currentConversation();
        QVERIFY(id > 0);
        QCOMPARE(storedSettings(data.path(), id).maxTokens, 7);
        QCOMPARE(storedSettings(data.path(), id).temperature, 0.0);
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settings_dialog.moc"
