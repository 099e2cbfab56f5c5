// Whole-image operations on RgbImage that do not need FFmpeg.
#pragma once

#include "core/image.h"

namespace charid {

// Turns the picture clockwise by 0, 90, 180 or 270 degrees (other values are
// treated as 0). Used to make frames upright from container rotation metadata.
RgbImage rotate_clockwise(const RgbImage& image, int degrees);

}  // namespace charid
