// Boxes in pixel coordinates of a frame (x, y = top-left corner).
#pragma once

#include <algorithm>

namespace charid::identity {

struct Box {
  float x = 0, y = 0, w = 0, h = 0;

  float area() const { return std::max(0.0f, w) * std::max(0.0f, h); }
  float cx() const { return x + w / 2; }
  float cy() const { return y + h / 2; }
  bool empty() const { return w <= 0 || h <= 0; }
};

inline float iou(const Box& a, const Box& b) {
  const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  const float x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
  const float inter = std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

// The box clipped to a width x height frame.
inline Box clip_box(const Box& b, int width, int height) {
  const float x0 = std::clamp(b.x, 0.0f, float(width)), y0 = std::clamp(b.y, 0.0f, float(height));
  const float x1 = std::clamp(b.x + b.w, 0.0f, float(width));
  const float y1 = std::clamp(b.y + b.h, 0.0f, float(height));
  return {x0, y0, x1 - x0, y1 - y0};
}

// The square around `b` with the same centre, its side the longer side times `factor` (the crop a
// classifier expects; factor > 1 leaves a margin). Computed in double, as the JS side did before
// this moved here, so the crops of existing charid-id models stay bit-identical.
inline Box square_box(const Box& b, double factor = 1.0) {
  const double side = std::max(double(b.w), double(b.h)) * factor;
  return {float(double(b.x) + double(b.w) / 2 - side / 2), float(double(b.y) + double(b.h) / 2 - side / 2),
          float(side), float(side)};
}

// The box grown by `factor` around its centre (1 = unchanged).
inline Box scale_box(const Box& b, float factor) {
  const float w = b.w * factor, h = b.h * factor;
  return {b.cx() - w / 2, b.cy() - h / 2, w, h};
}

}  // namespace charid::identity
