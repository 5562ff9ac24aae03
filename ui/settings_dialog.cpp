#include "settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace vela::ui {

using vela::app::ConversationSettings;
using vela::app::SettingRange;
using vela::app::Theme;

namespace {

QDoubleSpinBox* makeDoubleBox(QWidget* parent, const char* name, SettingRange range, double step)
{
    auto* box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(range.min, range.max);
    box->setDecimals(2);
    box->setSingleStep(step);
    return box;
}

QSpinBox* makeIntBox(QWidget* parent, const char* name, SettingRange range, const QString& specialMinimum = {})
{
    auto* box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(static_cast<int>(range.min), static_cast<int>(range.max));
    box->setSpecialValueText(specialMinimum);  // shown instead of the minimum
    return box;
}

}  // namespace

SettingsDialog::SettingsDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName("settingsDialog");
    setWindowTitle(tr("Settings"));
    setMinimumWidth(500);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults,
                                     this);
    m_buttons->button(QDialogButtonBox::RestoreDefaults)->setText(tr("Reset to defaults"));
    m_buttons->button(QDialogButtonBox::RestoreDefaults)->setToolTip(tr("Fill in the defaults for new chats"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] { showConversation(m_globalDefaults); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildConversationGroup());
    layout->addWidget(buildAppearanceGroup());
    layout->addWidget(m_buttons);
    setValues({});
}

QWidget* SettingsDialog::buildConversationGroup()
{
    auto* group = new QGroupBox(tr("This conversation"), this);
    auto* form = new QFormLayout(group);
    m_systemPrompt = new QPlainTextEdit(group);
    m_systemPrompt->setObjectName("systemPrompt");
    m_systemPrompt->setPlaceholderText(tr("Optional: instructions the model sees before the chat"));
    m_systemPrompt->setTabChangesFocus(true);
    m_systemPrompt->setFixedHeight(m_systemPrompt->fontMetrics().lineSpacing() * 4 + 12);
    m_temperature = makeDoubleBox(group, "temperature", vela::app::kTemperatureRange, 0.05);
    m_temperature->setToolTip(tr("0 always picks the likeliest token; higher is more varied"));
    m_topK = makeIntBox(group, "topK", vela::app::kTopKRange, tr("Off"));
    m_topP = makeDoubleBox(group, "topP", vela::app::kTopPRange, 0.01);
    m_minP = makeDoubleBox(group, "minP", vela::app::kMinPRange, 0.01);
    m_repeatPenalty = makeDoubleBox(group, "repeatPenalty", vela::app::kRepeatPenaltyRange, 0.05);
    m_repeatPenalty->setToolTip(tr("1.00 is off"));
    m_seed = makeIntBox(group, "seed", vela::app::kSeedRange, tr("Random"));
    m_maxTokens = makeIntBox(group, "maxTokens", vela::app::kMaxTokensRange, tr("No limit"));
    m_maxTokens->setSuffix(tr(" tokens"));
    m_contextSize = makeIntBox(group, "contextSize", vela::app::kContextSizeRange);
    m_contextSize->setSingleStep(512);
    m_contextSize->setSuffix(tr(" tokens"));
    m_contextNote = new QLabel(group);
    m_contextNote->setObjectName("contextNote");
    m_contextNote->setWordWrap(true);
    m_contextNote->setForegroundRole(QPalette::PlaceholderText);
    m_saveAsDefaults = new QCheckBox(tr("Save as defaults for new chats"), group);
    m_saveAsDefaults->setObjectName("saveAsDefaults");
    connect(m_contextSize, &QSpinBox::valueChanged, this, &SettingsDialog::updateContextNote);

    form->addRow(tr("System prompt:"), m_systemPrompt);
    form->addRow(tr("Temperature:"), m_temperature);
    form->addRow(tr("Top-k:"), m_topK);
    form->addRow(tr("Top-p:"), m_topP);
    form->addRow(tr("Min-p:"), m_minP);
    form->addRow(tr("Repeat penalty:"), m_repeatPenalty);
    form->addRow(tr("Seed:"), m_seed);
    form->addRow(tr("Max answer length:"), m_maxTokens);
    form->addRow(tr("Context size:"), m_contextSize);
    form->addRow(QString(), m_contextNote);
    form->addRow(QString(), m_saveAsDefaults);
    return group;
}

QWidget* SettingsDialog::buildAppearanceGroup()
{
    auto* group = new QGroupBox(tr("Appearance"), this);
    auto* form = new QFormLayout(group);
    m_fontSize = makeIntBox(group, "fontSize", vela::app::kFontSizeRange, tr("Desktop default"));
    m_fontSize->setSuffix(tr(" pt"));
    m_theme = new QComboBox(group);
    m_theme->setObjectName("theme");
    m_theme->addItem(tr("Follow the desktop"), QVariant::fromValue(static_cast<int>(Theme::System)));
    m_theme->addItem(tr("Light"), QVariant::fromValue(static_cast<int>(Theme::Light)));
    m_theme->addItem(tr("Dark"), QVariant::fromValue(static_cast<int>(Theme::Dark)));
    form->addRow(tr("Chat font size:"), m_fontSize);
    form->addRow(tr("Theme:"), m_theme);
    return group;
}

void SettingsDialog::setValues(const Values& values)
{
    showConversation(values.conversation);
    m_saveAsDefaults->setChecked(values.saveAsDefaults);
    m_fontSize->setValue(values.fontSize);
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(static_cast<int>(values.theme))));
}

void SettingsDialog::showConversation(const ConversationSettings& settings)
{
    m_shown = settings;
    m_systemPrompt->setPlainText(settings.systemPrompt);
    m_temperature->setValue(settings.temperature);
    m_topK->setValue(settings.topK);
    m_topP->setValue(settings.topP);
    m_minP->setValue(settings.minP);
    m_repeatPenalty->setValue(settings.repeatPenalty);
    m_seed->setValue(static_cast<int>(std::clamp<qint64>(settings.seed, -1, vela::app::kSeedRange.max)));
    m_maxTokens->setValue(settings.maxTokens);
    m_contextSize->setValue(settings.contextSize);
    updateContextNote();
}

SettingsDialog::Values SettingsDialog::values() const
{
    Values v;
    v.conversation = m_shown;
    v.conversation.systemPrompt = m_systemPrompt->toPlainText();
    v.conversation.temperature = m_temperature->value();
    v.conversation.topK = m_topK->value();
    v.conversation.topP = m_topP->value();
    v.conversation.minP = m_minP->value();
    v.conversation.repeatPenalty = m_repeatPenalty->value();
    v.conversation.seed = m_seed->value();
    v.conversation.maxTokens = m_maxTokens->value();
    v.conversation.contextSize = m_contextSize->value();
    v.saveAsDefaults = m_saveAsDefaults->isChecked();
    v.fontSize = m_fontSize->value();
    v.theme = static_cast<Theme>(m_theme->currentData().toInt());
    return v;
}

void SettingsDialog::setLoadedContext(int tokens)
{
    m_loadedContext = tokens;
    updateContextNote();
}

void SettingsDialog::updateContextNote()
{
    // The context is allocated when the model loads, so a change cannot apply to the loaded model.
    QString note = tr("A new context size takes effect the next time a model is loaded.");
    if (m_loadedContext > 0 && m_loadedContext != m_contextSize->value())
        note += QLatin1Char(' ') + tr("The loaded model uses %1 tokens.").arg(m_loadedContext);
    m_contextNote->setText(note);
}

}  // namespace vela::ui
