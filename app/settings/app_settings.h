// The app's global preferences, kept in QSettings: the settings new conversations start with (each
// conversation then keeps its own copy in the chat database), the chat's font size and the theme.
// Values read back are clamped to the ranges below, so a hand-edited file cannot feed the sampler nonsense.
//
//   AppSettings settings;                          // the platform's settings location
//   AppSettings settings("/tmp/test.ini");         // an INI file (tests)
//   chat.setDefaultSettings(settings.defaultSettings());
#pragma once

#include "storage/chat_store.h"

#include <QSettings>
#include <QString>

#include <memory>

namespace vela::app {

// The ranges the settings dialog offers and that loaded values are clamped to.
struct SettingRange {
    double min;
    double max;
};
inline constexpr SettingRange kTemperatureRange{0.0, 2.0};
inline constexpr SettingRange kTopKRange{0, 1000};  // 0: off
inline constexpr SettingRange kTopPRange{0.0, 1.0};
inline constexpr SettingRange kMinPRange{0.0, 1.0};
inline constexpr SettingRange kRepeatPenaltyRange{1.0, 2.0};  // 1: off
inline constexpr SettingRange kSeedRange{-1, 2147483647};     // -1: random
inline constexpr SettingRange kMaxTokensRange{-1, 1048576};   // -1: no limit
inline constexpr SettingRange kContextSizeRange{128, 1048576};
inline constexpr SettingRange kFontSizeRange{0, 48};  // 0: the desktop's size

// Every number moved into its range.
ConversationSettings clampedSettings(const ConversationSettings& settings);

enum class Theme { System, Light, Dark };
QString themeName(Theme theme);
Theme themeFromName(const QString& name);  // unknown names: System

class AppSettings {
public:
    AppSettings();                                  // the platform's location for the app's settings
    explicit AppSettings(const QString& iniFile);  // one INI file
    ~AppSettings();

    QString fileName() const;

    ConversationSettings defaultSettings() const;  // missing keys keep ConversationSettings' defaults
    void setDefaultSettings(const ConversationSettings& settings);

    int fontSize() const;  // points; 0: the desktop's size
    void setFontSize(int points);
    Theme theme() const;
    void setTheme(Theme theme);

private:
    std::unique_ptr<QSettings> m_settings;
};

}  // namespace vela::app
