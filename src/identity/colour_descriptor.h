// A colour descriptor of the subject: a centre-weighted HSV histogram (8 hue x 4 saturation x
// 4 value bins) of the box, square-rooted (so the cosine of two descriptors is their
// Bhattacharyya coefficient) and L2-normalised.
#pragma once

#include <vector>

#include "core/image.h"
#include "identity/foreground_mask.h"
#include "identity/geometry.h"

namespace charid::identity {

inline constexpr int kColourBins = 8 * 4 * 4;

std::vector<float> colour_descriptor(const RgbImage& image, const Box& box);

// The same over the subject's pixels only: samples where `mask` is below 0.5 are skipped.
std::vector<float> colour_descriptor(const RgbImage& image, const Box& box,
                                     const ForegroundMask& mask);

}  // namespace charid::identity
