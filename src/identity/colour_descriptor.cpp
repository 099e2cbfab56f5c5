#include "identity/colour_descriptor.h"

#include <algorithm>
#include <cmath>

namespace charid::identity {

namespace {

std::vector<float> histogram(const RgbImage& image, const Box& box_in, const ForegroundMask* mask) {
  std::vector<float> hist(kColourBins, 0.0f);
  const Box box = clip_box(box_in, image.width, image.height);
  if (box.empty()) return hist;
  // about 64 x 64 samples whatever the box size
  const float step_x = std::max(1.0f, box.w / 64), step_y = std::max(1.0f, box.h / 64);
  for (float y = box.y + step_y / 2; y < box.y + box.h; y += step_y) {
    for (float x = box.x + step_x / 2; x < box.x + box.w; x += step_x) {
      if (mask && mask->at(x, y) < 0.5f) continue;
      const uint8_t* p = image.row(int(y)) + int(x) * 3;
      const float r = p[0] / 255.0f, g = p[1] / 255.0f, b = p[2] / 255.0f;
      const float mx = std::max({r, g, b}), mn = std::min({r, g, b}), chroma = mx - mn;
      float hue = 0;
      if (chroma > 0) {
        if (mx == r) hue = std::fmod((g - b) / chroma + 6.0f, 6.0f);
        else if (mx == g) hue = (b - r) / chroma + 2.0f;
        else hue = (r - g) / chroma + 4.0f;
      }
      const float sat = mx > 0 ? chroma / mx : 0;
      const int hb = std::min(7, int(hue / 6.0f * 8));
      const int sb = std::min(3, int(sat * 4));
      const int vb = std::min(3, int(mx * 4));
      // centre weight: a Gaussian over the box, sigma a third of each side
      const float dx = (x - box.cx()) / (box.w / 3), dy = (y - box.cy()) / (box.h / 3);
      hist[(hb * 4 + sb) * 4 + vb] += std::exp(-0.5f * (dx * dx + dy * dy));
    }
  }
  double norm = 0;
  for (float& v : hist) v = std::sqrt(v), norm += double(v) * v;
  if (norm > 0) {
    const float inv = float(1.0 / std::sqrt(norm));
    for (float& v : hist) v *= inv;
  }
  return hist;
}

}  // namespace

std::vector<float> colour_descriptor(const RgbImage& image, const Box& box) {
  return histogram(image, box, nullptr);
}

std::vector<float> colour_descriptor(const RgbImage& image, const Box& box,
                                     const ForegroundMask& mask) {
  return histogram(image, box, &mask);
}

}  // namespace charid::identity
