#include <catch.hpp>

#include "core/image_ops.h"

using namespace charid;

namespace {
// A 3x2 image whose pixel (x, y) has red = 10*y + x, so positions are traceable.
RgbImage numbered() {
  RgbImage img(3, 2);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x) img.row(y)[x * 3] = static_cast<uint8_t>(10 * y + x);
  return img;
}
int red(const RgbImage& img, int x, int y) { return img.row(y)[x * 3]; }
}  // namespace

TEST_CASE("rotate_clockwise turns the picture by quarter turns") {
  RgbImage src = numbered();
  SECTION("90: top-left goes to top-right") {
    RgbImage r = rotate_clockwise(src, 90);
    REQUIRE(r.width == 2);
    REQUIRE(r.height == 3);
    CHECK(red(r, 1, 0) == 0);   // was (0,0)
    CHECK(red(r, 0, 0) == 10);  // was (0,1)
    CHECK(red(r, 1, 2) == 2);   // was (2,0)
  }
  SECTION("180: top-left goes to bottom-right") {
    RgbImage r = rotate_clockwise(src, 180);
    REQUIRE(r.width == 3);
    CHECK(red(r, 2, 1) == 0);
    CHECK(red(r, 0, 0) == 12);
  }
  SECTION("270: top-left goes to bottom-left") {
    RgbImage r = rotate_clockwise(src, 270);
    REQUIRE(r.width == 2);
    CHECK(red(r, 0, 2) == 0);
    CHECK(red(r, 0, 0) == 2);
  }
  SECTION("four quarter turns give the original back") {
    RgbImage r = src;
    for (int i = 0; i < 4; ++i) r = rotate_clockwise(r, 90);
    CHECK(r.pixels == src.pixels);
  }
}
