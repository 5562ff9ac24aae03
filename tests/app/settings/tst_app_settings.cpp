// AppSettings: the defaults of new chats and the appearance survive in an INI file, missing keys keep the
// built-in defaults, and values out of range (a hand-edited file) are clamped.
#include "settings/app_settings.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using vela::app::AppSettings;
using vela::app::ConversationSettings;
using vela::app::Theme;

class TestAppSettings : public QObject {
    Q_OBJECT

private slots:
    void emptyFileGivesBuiltInDefaults()
    {
        QTemporaryDir dir;
        const AppSettings settings(dir.filePath("vela.ini"));
        QCOMPARE(settings.defaultSettings(), ConversationSettings{});
        QCOMPARE(settings.fontSize(), 0);
        QCOMPARE(settings.theme(), Theme::System);
    }

    void roundTripsThroughTheFile()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("vela.ini");
        ConversationSettings s;
        s.systemPrompt = "You are terse.\nReally terse.";
        s.temperature = 0.25;
        s.topK = 12;
        s.topP = 0.5;
        s.minP = 0.1;
        s.repeatPenalty = 1.3;
        s.seed = 1234;
        s.maxTokens = 77;
        s.contextSize = 2048;
        {
            AppSettings settings(file);
            settings.setDefaultSettings(s);
            settings.setFontSize(15);
            settings.setTheme(Theme::Dark);
        }
        const AppSettings reopened(file);
        QCOMPARE(reopened.defaultSettings(), s);
        QCOMPARE(reopened.fontSize(), 15);
        QCOMPARE(reopened.theme(), Theme::Dark);
    }

    void modelPathIsNotADefault()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.filePath("vela.ini"));
        ConversationSettings s;
        s.modelPath = "/models/x.gguf";
        settings.setDefaultSettings(s);
        QCOMPARE(settings.defaultSettings().modelPath, QString());
    }

    void clampsHandEditedValues()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("vela.ini");
        {
            QSettings raw(file, QSettings::IniFormat);
            raw.setValue("NewChats/temperature", 9.5);
            raw.setValue("NewChats/topP", -3);
            raw.setValue("NewChats/contextSize", 1);
            raw.setValue("NewChats/seed", -50);
            raw.setValue("Appearance/fontSize", 500);
            raw.setValue("Appearance/theme", "purple");
        }
        const AppSettings settings(file);
        const ConversationSettings s = settings.defaultSettings();
        QCOMPARE(s.temperature, vela::app::kTemperatureRange.max);
        QCOMPARE(s.topP, 0.0);
        QCOMPARE(s.contextSize, int(vela::app::kContextSizeRange.min));
        QCOMPARE(s.seed, qint64(-1));
        QCOMPARE(s.topK, ConversationSettings{}.topK);  // untouched keys keep the default
        QCOMPARE(settings.fontSize(), int(vela::app::kFontSizeRange.max));
        QCOMPARE(settings.theme(), Theme::System);
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_app_settings.moc"
