// An 8-bit interleaved RGB image that owns its pixels. Frames from the media
// core and crops for the models are all of this type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace charid {

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3, rows top to bottom, R G B

  RgbImage() = default;
  RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h * 3) {}

  bool empty() const { return width <= 0 || height <= 0; }
  size_t stride() const { return static_cast<size_t>(width) * 3; }
  uint8_t* row(int y) { return pixels.data() + y * stride(); }
  const uint8_t* row(int y) const { return pixels.data() + y * stride(); }
};

}  // namespace charid
