// PaliGemma's `detect` answers: "<locYYYY><locXXXX><locYYYY><locXXXX> label" per box (ymin, xmin, ymax, xmax,
// each binned to 1024 over the image's height or width), boxes separated by " ; " — parsed from the answer's
// text into boxes the chat view draws on the image. Reference: big_vision's PaliGemma README (detection
// output format) and HF's PaliGemma model card.
#pragma once

#include <QList>
#include <QString>

namespace vela::app {

struct DetectionBox {
    // Fractions of the image's height (top, bottom) and width (left, right), 0…1, top ≤ bottom, left ≤ right.
    double top = 0;
    double left = 0;
    double bottom = 0;
    double right = 0;
    QString label;
    bool operator==(const DetectionBox&) const = default;
};

constexpr int kLocationBins = 1024;

// Every run of four <locNNNN> tokens in `text`, with the label after it (up to the next ';' or box); text
// without one gives none. Values past the last bin are clamped.
QList<DetectionBox> parseDetections(const QString& text);

}  // namespace vela::app
