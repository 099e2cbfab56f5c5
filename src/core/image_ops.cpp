#include "core/image_ops.h"

#include <cstring>

namespace charid {

RgbImage rotate_clockwise(const RgbImage& src, int degrees) {
  degrees = ((degrees % 360) + 360) % 360;
  if (degrees != 90 && degrees != 180 && degrees != 270) return src;
  const int w = src.width, h = src.height;
  RgbImage dst = degrees == 180 ? RgbImage(w, h) : RgbImage(h, w);
  for (int y = 0; y < h; ++y) {
    const uint8_t* in = src.row(y);
    for (int x = 0; x < w; ++x, in += 3) {
      int dx, dy;
      if (degrees == 90) {        // top row becomes the right column
        dx = h - 1 - y;
        dy = x;
      } else if (degrees == 180) {
        dx = w - 1 - x;
        dy = h - 1 - y;
      } else {                    // 270: top row becomes the left column
        dx = y;
        dy = w - 1 - x;
      }
      std::memcpy(dst.row(dy) + dx * 3, in, 3);
    }
  }
  return dst;
}

}  // namespace charid
