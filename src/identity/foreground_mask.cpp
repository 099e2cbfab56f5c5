#include "identity/foreground_mask.h"

#include <algorithm>
#include <cmath>

namespace charid::identity {

float ForegroundMask::at(float x, float y) const {
  if (size <= 0 || box.empty()) return 0;
  const float u = (x - box.x) / box.w * size, v = (y - box.y) / box.h * size;
  if (!(u >= 0 && v >= 0 && u < size && v < size)) return 0;  // NaN too
  return prob[size_t(int(v)) * size + size_t(int(u))];
}

std::optional<ForegroundMask> foreground_mask(const float* logits, size_t count, int size,
                                              const Box& box, float min_share) {
  constexpr int kClasses = 21;
  if (size <= 0 || box.empty() || count != size_t(size) * size * kClasses) return std::nullopt;
  if (!std::isfinite(box.x) || !std::isfinite(box.y) || !std::isfinite(box.w) || !std::isfinite(box.h)) {
    return std::nullopt;
  }
  ForegroundMask m;
  m.box = box;
  m.size = size;
  m.prob.resize(size_t(size) * size);
  size_t on = 0;
  for (size_t i = 0; i < m.prob.size(); ++i) {
    const float* l = logits + i * kClasses;
    const float mx = *std::max_element(l, l + kClasses);
    double sum = 0;
    for (int c = 0; c < kClasses; ++c) sum += std::exp(double(l[c]) - mx);
    const float background = float(std::exp(double(l[0]) - mx) / sum);
    m.prob[i] = 1.0f - background;
    on += m.prob[i] >= 0.5f;
  }
  if (double(on) < min_share * double(m.prob.size())) return std::nullopt;
  return m;
}

RgbImage masked_image(const RgbImage& image, const ForegroundMask& mask) {
  RgbImage out = image;
  for (int y = 0; y < out.height; ++y) {
    uint8_t* row = out.row(y);
    for (int x = 0; x < out.width; ++x) {
      if (mask.at(x + 0.5f, y + 0.5f) >= 0.5f) continue;
      row[3 * x] = kMaskFill[0], row[3 * x + 1] = kMaskFill[1], row[3 * x + 2] = kMaskFill[2];
    }
  }
  return out;
}

}  // namespace charid::identity
