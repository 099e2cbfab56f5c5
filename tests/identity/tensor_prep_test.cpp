// Crops, letterboxes and aligned faces on real frames.
#include <catch.hpp>

#include <cmath>

#include "clip_frames.h"
#include "identity/colour_descriptor.h"
#include "identity/identity_vector.h"
#include "identity/tensor_prep.h"

using namespace charid::identity;
using charid::RgbImage;

namespace {
TensorSpec imagenet(int w, int h, bool nchw = true, bool bgr = false) {
  TensorSpec s;
  s.width = w, s.height = h, s.nchw = nchw, s.bgr = bgr;
  s.scale = 1.0f / 255;
  s.mean = {0.485f, 0.456f, 0.406f};
  s.std = {0.229f, 0.224f, 0.225f};
  return s;
}
float normalised(const TensorSpec& s, int c, uint8_t v) { return (v * s.scale - s.mean[c]) / s.std[c]; }
}  // namespace

TEST_CASE("a crop at its own size copies pixels exactly, normalised, in NCHW RGB") {
  const RgbImage img = charid::test::clip_frames("signer_grey_a.mp4", 1)[0];
  const TensorSpec spec = imagenet(64, 32);
  std::vector<float> t(spec.size());
  crop_to_tensor(img, {100, 50, 64, 32}, spec, t.data());
  for (int y : {0, 13, 31}) {
    for (int x : {0, 40, 63}) {
      const uint8_t* p = img.row(50 + y) + (100 + x) * 3;
      for (int c = 0; c < 3; ++c) {
        CHECK(t[size_t(c) * 64 * 32 + y * 64 + x] == Approx(normalised(spec, c, p[c])).margin(1e-4));
      }
    }
  }
}

TEST_CASE("NHWC and BGR are the same values rearranged") {
  const RgbImage img = charid::test::clip_frames("bunny_a.mp4", 1)[0];
  const Box box{37.5f, 20.25f, 300, 260};
  TensorSpec a = imagenet(48, 40), b = imagenet(48, 40, false, true);
  b.mean = {a.mean[2], a.mean[1], a.mean[0]};
  b.std = {a.std[2], a.std[1], a.std[0]};
  std::vector<float> ta(a.size()), tb(b.size());
  crop_to_tensor(img, box, a, ta.data());
  crop_to_tensor(img, box, b, tb.data());
  for (int i = 0; i < 48 * 40; i += 97) {
    for (int c = 0; c < 3; ++c) CHECK(tb[size_t(i) * 3 + (2 - c)] == Approx(ta[size_t(c) * 48 * 40 + i]));
  }
}

TEST_CASE("the letterbox fills beyond the scaled frame with the pad value") {
  const RgbImage img = charid::test::clip_frames("sintel_a.mp4", 1)[0];  // wide frame
  TensorSpec spec;
  spec.width = spec.height = 416;
  std::vector<float> t(spec.size());
  const Letterbox fit = letterbox_to_tensor(img, spec, 114, t.data());
  CHECK(fit.scale == Approx(416.0f / img.width));
  const int used_rows = int(img.height * fit.scale);
  CHECK(t[size_t(415) * 416 + 10] == 114.0f);           // bottom rows: padding
  CHECK(t[size_t(used_rows / 2) * 416 + 200] != 114.0f);  // picture (not flat grey here)
}

TEST_CASE("the similarity fit recovers a known rotation, scale and shift") {
  const std::array<float, 10> from = {30, 50, 66, 51, 48, 72, 33, 92, 63, 92};
  const double s = 1.7, r = 0.3, tx = 12, ty = -7;
  std::array<float, 10> to{};
  for (int i = 0; i < 5; ++i) {
    const double x = from[2 * i], y = from[2 * i + 1];
    to[2 * i] = float(s * (std::cos(r) * x - std::sin(r) * y) + tx);
    to[2 * i + 1] = float(s * (std::sin(r) * x + std::cos(r) * y) + ty);
  }
  const Affine m = similarity_inverse(from, to);
  for (int i = 0; i < 5; ++i) {
    CHECK(m.a * to[2 * i] + m.b * to[2 * i + 1] + m.tx == Approx(from[2 * i]).margin(1e-3));
    CHECK(m.c * to[2 * i] + m.d * to[2 * i + 1] + m.ty == Approx(from[2 * i + 1]).margin(1e-3));
  }
}

TEST_CASE("colour descriptors: frames of one clip agree more than frames of another character") {
  const auto grey = charid::test::clip_frames("signer_grey_a.mp4", 2);
  const auto bunny = charid::test::clip_frames("bunny_a.mp4", 1);
  const Box g{grey[0].width * 0.25f, grey[0].height * 0.1f, grey[0].width * 0.5f, grey[0].height * 0.9f};
  const Box b{0, 0, float(bunny[0].width), float(bunny[0].height)};
  const auto g0 = colour_descriptor(grey[0], g), g1 = colour_descriptor(grey[1], g);
  const auto b0 = colour_descriptor(bunny[0], b);
  REQUIRE(g0.size() == size_t(kColourBins));
  double norm = 0;
  for (float v : g0) norm += v * v;
  CHECK(norm == Approx(1.0));
  CHECK(cosine(g0, g1).value() > cosine(g0, b0).value() + 0.1);
}

TEST_CASE("an empty frame gives a tensor of the fill value instead of reading outside memory") {
  const RgbImage empty;
  const TensorSpec spec = imagenet(8, 4);
  std::vector<float> t(spec.size(), 99.0f);
  crop_to_tensor(empty, Box{0, 0, 10, 10}, spec, t.data());
  for (int c = 0; c < 3; ++c) {
    const float black = -spec.mean[c] / spec.std[c];
    for (int i = 0; i < 32; ++i) REQUIRE(t[size_t(c) * 32 + i] == Approx(black));
  }
  std::vector<float> l(spec.size(), 99.0f);
  letterbox_to_tensor(empty, spec, 114.0f, l.data());
  CHECK(l[0] == Approx((114.0f / 255 - spec.mean[0]) / spec.std[0]));
}

TEST_CASE("a NaN or infinite box reads no pixel: the crop is the fill value") {
  const RgbImage img = charid::test::clip_frames("signer_grey_a.mp4", 1)[0];
  const TensorSpec spec = imagenet(4, 4);
  std::vector<float> t(spec.size(), 123.0f);
  for (const Box& b : {Box{0, 0, INFINITY, 10}, Box{NAN, 0, 10, 10}, Box{-INFINITY, 0, INFINITY, 1}}) {
    crop_to_tensor(img, b, spec, t.data());
    for (size_t i = 0; i < t.size(); ++i) CHECK(t[i] == Approx(normalised(spec, int(i / 16), 0)));
  }
}
