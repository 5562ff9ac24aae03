// Light and dark for the whole application. Qt 6.4 has no color-scheme API, so "System" keeps the
// platform's own style and palette (whatever the desktop chose), while Light and Dark switch to the Fusion
// style with a palette of our own.
#pragma once

#include "settings/app_settings.h"

namespace vela::ui {

void applyTheme(vela::app::Theme theme);

}  // namespace vela::ui
