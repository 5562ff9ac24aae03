// The main window opens (offscreen) with its title and central content.
#include "main_window.h"

#include <QLabel>
#include <QtTest>

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void opensWithTitleAndContent()
    {
        vela::ui::MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("Vela"));
        auto* label = qobject_cast<QLabel*>(window.centralWidget());
        QVERIFY(label);
        QVERIFY(label->text().contains("Vela"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
