// Light and dark for the whole application. Qt 6.4 has no color-scheme API, so "System" keeps the
// platform's own style and palette (whatever the desktop chose), while Light and Dark switch to the Fusion
// style with a palette of our own.
#pragma once

#include "settings/app_settings.h"

#include <functional>

class QWidget;

namespace vela::ui {

void applyTheme(vela::app::Theme theme);

// Calls `handler` each time `widget`'s palette changes (a theme switch here, or the desktop's own): for
// content that took its colors from the palette when it was made and must be made again.
void whenPaletteChanges(QWidget* widget, std::function<void()> handler);

}  // namespace vela::ui
