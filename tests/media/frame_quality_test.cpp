#include <catch.hpp>

#include <algorithm>

#include "media/frame_quality.h"

using namespace charid;

namespace {
RgbImage filled(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  RgbImage img(w, h);
  for (size_t i = 0; i < img.pixels.size(); i += 3) {
    img.pixels[i] = r;
    img.pixels[i + 1] = g;
    img.pixels[i + 2] = b;
  }
  return img;
}
RgbImage checkerboard(int w, int h) {
  RgbImage img(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t v = ((x / 2 + y / 2) % 2) ? 220 : 30;
      uint8_t* p = img.row(y) + x * 3;
      p[0] = p[1] = p[2] = v;
    }
  return img;
}
}  // namespace

TEST_CASE("sharpness separates edges from flat areas") {
  FrameQuality flat = measure_frame_quality(filled(64, 48, 120, 120, 120));
  FrameQuality edges = measure_frame_quality(checkerboard(64, 48));
  CHECK(flat.sharpness == Approx(0.0));
  CHECK(edges.sharpness > 1000.0);
}

TEST_CASE("exposure numbers and warnings") {
  FrameQuality black = measure_frame_quality(filled(32, 32, 0, 0, 0));
  FrameQuality white = measure_frame_quality(filled(32, 32, 255, 255, 255));
  CHECK(black.mean_luma == Approx(0.0));
  CHECK(black.clipped_dark == Approx(1.0));
  CHECK(white.clipped_bright == Approx(1.0));

  auto dark = quality_warnings(summarize_quality({&black, &black}), 4.0, 0);
  CHECK(std::count(dark.begin(), dark.end(), "too_dark") == 1);
  CHECK(std::count(dark.begin(), dark.end(), "too_bright") == 0);
  auto bright = quality_warnings(summarize_quality({&white}), 4.0, 0);
  CHECK(std::count(bright.begin(), bright.end(), "too_bright") == 1);
}

TEST_CASE("histogram distance and scene cuts") {
  FrameQuality red = measure_frame_quality(filled(16, 16, 250, 10, 10));
  FrameQuality blue = measure_frame_quality(filled(16, 16, 10, 10, 250));
  FrameQuality red2 = measure_frame_quality(filled(16, 16, 250, 10, 10));
  CHECK(histogram_distance(red, red2) == Approx(0.0));
  CHECK(histogram_distance(red, blue) == Approx(2.0 / 3.0));

  QualitySummary s = summarize_quality({&red, &red2, &blue});
  REQUIRE(s.scene_cuts.size() == 1);
  CHECK(s.scene_cuts[0] == 2);
  auto w = quality_warnings(s, 4.0, 0);
  CHECK(std::count(w.begin(), w.end(), "scene_cut") == 1);
}

TEST_CASE("short clips and decode errors are reported") {
  FrameQuality q = measure_frame_quality(checkerboard(32, 32));
  auto w = quality_warnings(summarize_quality({&q}), 1.5, 3);
  CHECK(std::count(w.begin(), w.end(), "short_clip") == 1);
  CHECK(std::count(w.begin(), w.end(), "decode_errors") == 1);
  CHECK(std::count(w.begin(), w.end(), "blurry") == 0);
}
