// EXIF orientation of JPEG files: finding the tag, and turning pixels upright.
// Spec: JEITA CP-3451 (Exif 2.3) §4.5.4 (APP1 layout), §4.6.4 A (Orientation, tag 0x0112, SHORT, in IFD0);
// TIFF 6.0 §2 (byte order "II"/"MM", IFD entries of 12 bytes).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace vela {

// The Orientation value 1…8 of the first Exif APP1 segment before the JPEG's first SOS; 1 when there is none,
// the data is not a JPEG, or the segment is malformed or out of range (a bad tag never fails a decode).
uint16_t readJpegExifOrientation(std::span<const uint8_t> jpeg);

// Width and height once `orientation` is applied: 5…8 swap them.
bool orientationSwapsAxes(uint16_t orientation);

// Applies `orientation` to (height, width, channels) interleaved pixels; returns the upright pixels,
// (width', height') = orientationSwapsAxes ? (height, width) : (width, height). The transforms are PIL's
// ImageOps.exif_transpose ones: 2 mirror left↔right, 3 rotate 180°, 4 mirror top↔bottom, 5 transpose,
// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise; 1 and unknown values copy.
std::vector<uint8_t> applyOrientation(std::span<const uint8_t> pixels, uint32_t width, uint32_t height,
                                      uint32_t channels, uint16_t orientation);

}  // namespace vela
