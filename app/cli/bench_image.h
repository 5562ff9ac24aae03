// vela-bench --mmproj F --image F: how long the vision encoder takes for one image on the device.
#pragma once

#include <string>
#include <vector>

namespace vela::cli {

struct ImageBench {
    unsigned width = 0, height = 0;  // the image as decoded
    unsigned rows = 0;               // rows the encoder hands the decoder
    double preprocessMs = 0;         // decode + resize + normalise, on the CPU
    std::vector<double> encodeMs;    // one per run, after a warm-up run (pipeline creation)
};

// Fails with the message printed (bad image, projector) and an empty result.
bool benchImage(const std::string& mmproj, const std::string& image, const std::string& device, unsigned runs,
                bool profile, ImageBench& out);

}  // namespace vela::cli
