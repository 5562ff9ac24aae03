// Settings… (File menu): the open conversation's settings — system prompt, sampling, seed, answer length,
// context size — with "Save as defaults for new chats", and the app's appearance (font size, theme). The
// ranges come from app/settings/app_settings.h, so the dialog cannot produce a value the app would clamp.
// The dialog only edits values; the window applies them when it is accepted.
#pragma once

#include "settings/app_settings.h"
#include "storage/chat_store.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;

namespace vela::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    struct Values {
        vela::app::ConversationSettings conversation;
        bool saveAsDefaults = false;
        int fontSize = 0;  // points; 0: the desktop's size
        vela::app::Theme theme = vela::app::Theme::System;
    };

    explicit SettingsDialog(QWidget* parent = nullptr);

    void setValues(const Values& values);
    Values values() const;
    // What "Reset to defaults" fills the conversation's fields with.
    void setGlobalDefaults(const vela::app::ConversationSettings& defaults) { m_globalDefaults = defaults; }
    // Which model context the note under "Context size" compares with; 0: no model loaded.
    void setLoadedContext(int tokens);
    QDialogButtonBox* buttons() const { return m_buttons; }

private:
    QWidget* buildConversationGroup();
    QWidget* buildAppearanceGroup();
    void showConversation(const vela::app::ConversationSettings& settings);
    void updateContextNote();

    vela::app::ConversationSettings m_globalDefaults;
    vela::app::ConversationSettings m_shown;  // fields the dialog does not show (the model) pass through
    int m_loadedContext = 0;
    QPlainTextEdit* m_systemPrompt = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_topK = nullptr;
    QDoubleSpinBox* m_topP = nullptr;
    QDoubleSpinBox* m_minP = nullptr;
    QDoubleSpinBox* m_repeatPenalty = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_maxTokens = nullptr;
    QSpinBox* m_contextSize = nullptr;
    QLabel* m_contextNote = nullptr;
    QCheckBox* m_saveAsDefaults = nullptr;
    QSpinBox* m_fontSize = nullptr;
    QComboBox* m_theme = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

}  // namespace vela::ui
