#include "settings/app_settings.h"

#include <algorithm>

namespace vela::app {

namespace {

template <typename T>
T clampTo(T value, SettingRange range)
{
    return std::clamp(value, static_cast<T>(range.min), static_cast<T>(range.max));
}

constexpr const char* kNewChatsGroup = "NewChats";

}  // namespace

ConversationSettings clampedSettings(const ConversationSettings& settings)
{
    ConversationSettings s = settings;
    s.temperature = clampTo(s.temperature, kTemperatureRange);
    s.topK = clampTo(s.topK, kTopKRange);
    s.topP = clampTo(s.topP, kTopPRange);
    s.minP = clampTo(s.minP, kMinPRange);
    s.repeatPenalty = clampTo(s.repeatPenalty, kRepeatPenaltyRange);
    s.seed = clampTo(s.seed, kSeedRange);
    s.maxTokens = clampTo(s.maxTokens, kMaxTokensRange);
    s.contextSize = clampTo(s.contextSize, kContextSizeRange);
    return s;
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

Theme themeFromName(const QString& name)
{
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

AppSettings::AppSettings() : m_settings(std::make_unique<QSettings>()) {}

AppSettings::AppSettings(const QString& iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

AppSettings::~AppSettings() = default;

QString AppSettings::fileName() const
{
    return m_settings->fileName();
}

ConversationSettings AppSettings::defaultSettings() const
{
    ConversationSettings s;
    m_settings->beginGroup(kNewChatsGroup);
    s.systemPrompt = m_settings->value("systemPrompt", s.systemPrompt).toString();
    s.temperature = m_settings->value("temperature", s.temperature).toDouble();
    s.topK = m_settings->value("topK", s.topK).toInt();
    s.topP = m_settings->value("topP", s.topP).toDouble();
    s.minP = m_settings->value("minP", s.minP).toDouble();
    s.repeatPenalty = m_settings->value("repeatPenalty", s.repeatPenalty).toDouble();
    s.seed = m_settings->value("seed", s.seed).toLongLong();
    s.maxTokens = m_settings->value("maxTokens", s.maxTokens).toInt();
    s.contextSize = m_settings->value("contextSize", s.contextSize).toInt();
    m_settings->endGroup();
    return clampedSettings(s);
}

void AppSettings::setDefaultSettings(const ConversationSettings& settings)
{
    // The model is chosen per conversation, never by default: modelPath is not saved.
    const ConversationSettings s = clampedSettings(settings);
    m_settings->beginGroup(kNewChatsGroup);
    m_settings->setValue("systemPrompt", s.systemPrompt);
    m_settings->setValue("temperature", s.temperature);
    m_settings->setValue("topK", s.topK);
    m_settings->setValue("topP", s.topP);
    m_settings->setValue("minP", s.minP);
    m_settings->setValue("repeatPenalty", s.repeatPenalty);
    m_settings->setValue("seed", s.seed);
    m_settings->setValue("maxTokens", s.maxTokens);
    m_settings->setValue("contextSize", s.contextSize);
    m_settings->endGroup();
    m_settings->sync();
}

int AppSettings::fontSize() const
{
    return clampTo(m_settings->value("Appearance/fontSize", 0).toInt(), kFontSizeRange);
}

void AppSettings::setFontSize(int points)
{
    m_settings->setValue("Appearance/fontSize", clampTo(points, kFontSizeRange));
    m_settings->sync();
}

Theme AppSettings::theme() const
{
    return themeFromName(m_settings->value("Appearance/theme").toString());
}

void AppSettings::setTheme(Theme theme)
{
    m_settings->setValue("Appearance/theme", themeName(theme));
    m_settings->sync();
}

}  // namespace vela::app
