// The subject-only frame of charid-id@2: segmenter logits -> mask -> masked copy and a colour
// histogram inside the mask, on real fixture frames.
#include <catch.hpp>

#include <cmath>
#include <vector>

#include "clip_frames.h"
#include "identity/colour_descriptor.h"
#include "identity/foreground_mask.h"

using namespace charid::identity;

namespace {
constexpr int kSize = 16;
// Pascal logits on a kSize grid: foreground (class 15, person) inside [x0, x1) x [y0, y1) of the
// grid, background elsewhere.
std::vector<float> logits_with_square(int x0, int y0, int x1, int y1) {
  std::vector<float> l(size_t(kSize) * kSize * 21, 0.0f);
  for (int v = 0; v < kSize; ++v) {
    for (int u = 0; u < kSize; ++u) {
      const bool fg = u >= x0 && u < x1 && v >= y0 && v < y1;
      l[(size_t(v) * kSize + u) * 21 + (fg ? 15 : 0)] = 8.0f;
    }
  }
  return l;
}
}  // namespace

TEST_CASE("the mask keeps the subject's pixels and fills the rest") {
  const auto frame = charid::test::clip_frames("signer_grey_a.mp4", 1).at(0);
  const Box square{0, 0, float(frame.width), float(frame.height)};
  const auto logits = logits_with_square(4, 4, 12, 12);
  auto mask = foreground_mask(logits.data(), logits.size(), kSize, square, 0.05f);
  REQUIRE(mask.has_value());
  CHECK(mask->at(frame.width * 0.5f, frame.height * 0.5f) > 0.99f);
  CHECK(mask->at(1, 1) < 0.01f);
  CHECK(mask->at(-5, 10) == 0.0f);  // outside the box
  const auto masked = masked_image(frame, *mask);
  const int cx = frame.width / 2, cy = frame.height / 2;
  for (int c = 0; c < 3; ++c) {
    CHECK(masked.row(cy)[3 * cx + c] == frame.row(cy)[3 * cx + c]);
    CHECK(masked.row(2)[3 * 2 + c] == kMaskFill[c]);
  }
}

TEST_CASE("too little foreground gives no mask, and wrong sizes are refused") {
  const Box square{0, 0, 100, 100};
  const auto tiny = logits_with_square(0, 0, 1, 1);  // 1 cell of 256
  CHECK_FALSE(foreground_mask(tiny.data(), tiny.size(), kSize, square, 0.05f).has_value());
  const auto ok = logits_with_square(0, 0, 8, 8);
  CHECK_FALSE(foreground_mask(ok.data(), ok.size() - 21, kSize, square, 0.05f).has_value());
  CHECK_FALSE(foreground_mask(ok.data(), ok.size(), kSize, Box{0, 0, 0, 0}, 0.05f).has_value());
}

TEST_CASE("the colour histogram inside the mask ignores the background") {
  const auto frame = charid::test::clip_frames("signer_yellow_a.mp4", 1).at(0);
  const Box whole{0, 0, float(frame.width), float(frame.height)};
  // the same region as a box and as a mask over the whole frame: same samples, so the masked
  // histogram of the whole frame is close to the plain histogram of that region
  const auto logits = logits_with_square(6, 4, 10, 16);
  auto mask = foreground_mask(logits.data(), logits.size(), kSize, whole, 0.05f);
  REQUIRE(mask.has_value());
  const Box region{whole.w * 6 / 16, whole.h * 4 / 16, whole.w * 4 / 16, whole.h * 12 / 16};
  const auto inside = colour_descriptor(frame, whole, *mask);
  const auto plain_region = colour_descriptor(frame, region);
  const auto plain_whole = colour_descriptor(frame, whole);
  auto dot = [](const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
    return s;
  };
  CHECK(dot(inside, plain_region) > dot(inside, plain_whole));
  CHECK(dot(inside, plain_region) > 0.9);
}

TEST_CASE("a mask over a NaN or infinite box is refused, and at() of NaN is 0") {
  std::vector<float> logits(21 * 4, 0.0f);
  for (int i = 0; i < 4; ++i) logits[size_t(i) * 21 + 15] = 10.0f;  // person everywhere
  CHECK_FALSE(foreground_mask(logits.data(), logits.size(), 2, {0, 0, INFINITY, 10}, 0.05f));
  CHECK_FALSE(foreground_mask(logits.data(), logits.size(), 2, {NAN, 0, 10, 10}, 0.05f));
  auto m = foreground_mask(logits.data(), logits.size(), 2, {0, 0, 10, 10}, 0.05f);
  REQUIRE(m);
  CHECK(m->at(5, 5) > 0.99f);
  CHECK(m->at(NAN, 5) == 0.0f);
}
