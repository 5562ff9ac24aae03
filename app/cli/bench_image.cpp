#include "cli/bench_image.h"

#include "cli/cli_support.h"

#include "vela/image.h"
#include "vela/image_preprocess.h"
#include "vela/vision_encoder.h"

#include <chrono>
#include <cstdio>

namespace vela::cli {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}
}  // namespace

bool benchImage(const std::string& mmproj, const std::string& image, const std::string& device, unsigned runs,
                bool profile, ImageBench& out)
{
    LoadOptions options;
    options.device = device;
    options.profile = profile;
    Result<std::unique_ptr<VisionEncoder>> encoder = VisionEncoder::load(mmproj, options);
    if (!encoder) {
        reportError(encoder.message());
        return false;
    }
    const Clock::time_point start = Clock::now();
    Result<Image> decoded = decodeImageFile(image);
    if (!decoded) {
        reportError(decoded.message());
        return false;
    }
    Result<ImageTensor> pixels = preprocessImage(*decoded, (*encoder)->preprocessing());
    if (!pixels) {
        reportError(image + ": " + pixels.message());
        return false;
    }
    out.preprocessMs = msSince(start);
    out.width = decoded->width;
    out.height = decoded->height;
    out.rows = (*encoder)->tokensPerImage();
    for (unsigned r = 0; r <= runs; ++r) {  // run 0 warms up
        const Clock::time_point t = Clock::now();
        Result<std::vector<float>> rows = (*encoder)->encode(pixels->chw);
        if (!rows) {
            reportError(rows.message());
            return false;
        }
        if (r)
            out.encodeMs.push_back(msSince(t));
    }
    if (profile) {
        std::fprintf(stderr, "vision encoder kernels (all runs):\n");
        for (const auto& [name, t] : (*encoder)->kernelTimings())
            std::fprintf(stderr, "  %-28s %9.3f ms  %6llu dispatches\n", name.c_str(), t.milliseconds,
                         static_cast<unsigned long long>(t.dispatches));
    }
    return true;
}

}  // namespace vela::cli
