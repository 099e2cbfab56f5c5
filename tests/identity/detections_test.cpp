// Decoding of YuNet and YOLOX output layouts, and NMS.
#include <catch.hpp>

#include <cmath>

#include "identity/detections.h"

using namespace charid::identity;

TEST_CASE("the frame is fitted at the top left with one scale") {
  const Letterbox fit = fit_top_left(1280, 720, 416, 416);
  CHECK(fit.scale == Approx(416.0 / 1280));
  CHECK(fit_top_left(480, 640, 416, 416).scale == Approx(416.0 / 640));
}

TEST_CASE("YOLOX rows decode to frame boxes on the stride grids") {
  const Letterbox fit = fit_top_left(832, 832, 416, 416);  // frame pixels = 2 x input pixels
  const int rows = 52 * 52 + 26 * 26 + 13 * 13;
  std::vector<float> out(size_t(rows) * 85, 0.0f);
  // stride 8, cell (gx 3, gy 2): centre (3.5, 2.5) cells, 4 x 2 cells, a dog (class 16)
  float* p = out.data() + (2 * 52 + 3) * 85;
  p[0] = 0.5f, p[1] = 0.5f, p[2] = std::log(4.0f), p[3] = std::log(2.0f), p[4] = 0.9f;
  p[5 + 16] = 0.8f;
  // stride 32, cell (0, 0): a person below the threshold
  float* q = out.data() + (52 * 52 + 26 * 26) * 85;
  q[4] = 0.2f, q[5] = 0.5f;
  const auto dets = decode_yolox(out.data(), rows, fit, 0.3f);
  REQUIRE(dets.size() == 1);
  CHECK(dets[0].class_id == 16);
  CHECK(dets[0].kind == SubjectKind::animal);
  CHECK(dets[0].score == Approx(0.72));
  CHECK(dets[0].box.cx() == Approx(3.5 * 8 * 2));
  CHECK(dets[0].box.cy() == Approx(2.5 * 8 * 2));
  CHECK(dets[0].box.w == Approx(4 * 8 * 2));
  CHECK(dets[0].box.h == Approx(2 * 8 * 2));
}

TEST_CASE("COCO classes map to the subject kinds") {
  CHECK(coco_kind(0) == SubjectKind::person);
  CHECK(coco_kind(15) == SubjectKind::animal);  // cat
  CHECK(coco_kind(77) == SubjectKind::animal);  // teddy bear
  CHECK(coco_kind(2) == SubjectKind::object);   // car
}

TEST_CASE("YuNet strides decode boxes, geometric-mean scores and landmarks") {
  const Letterbox fit = fit_top_left(640, 320, 640, 320);
  std::array<std::vector<float>, 12> t;
  std::array<YunetStride, 3> strides;
  const int s[3] = {8, 16, 32};
  for (int i = 0; i < 3; ++i) {
    const size_t a = size_t(640 / s[i]) * (320 / s[i]);
    t[4 * i].assign(a, 0.0f), t[4 * i + 1].assign(a, 0.0f);
    t[4 * i + 2].assign(a * 4, 0.0f), t[4 * i + 3].assign(a * 10, 0.0f);
    strides[i] = {t[4 * i].data(), t[4 * i + 1].data(), t[4 * i + 2].data(), t[4 * i + 3].data()};
  }
  // stride 16, row 2, column 5
  const size_t idx = 2 * (640 / 16) + 5;
  t[4][idx] = 0.81f, t[5][idx] = 1.0f;
  t[6][idx * 4 + 2] = std::log(3.0f), t[6][idx * 4 + 3] = std::log(4.0f);
  t[7][idx * 10 + 4] = 0.5f, t[7][idx * 10 + 5] = -0.5f;  // nose
  const auto dets = decode_yunet(strides, fit, 0.6f);
  REQUIRE(dets.size() == 1);
  CHECK(dets[0].score == Approx(0.9));
  CHECK(dets[0].kind == SubjectKind::face);
  CHECK(dets[0].box.cx() == Approx(5 * 16));
  CHECK(dets[0].box.w == Approx(48));
  CHECK(dets[0].box.h == Approx(64));
  CHECK(dets[0].landmarks[4] == Approx(5.5 * 16));
  CHECK(dets[0].landmarks[5] == Approx(1.5 * 16));
}

TEST_CASE("NMS keeps the strongest of overlapping boxes of a kind") {
  Detection a{{0, 0, 100, 100}, 0.9f, SubjectKind::person};
  Detection b{{5, 5, 100, 100}, 0.8f, SubjectKind::person};
  Detection c{{5, 5, 100, 100}, 0.7f, SubjectKind::face};
  Detection d{{300, 300, 50, 50}, 0.6f, SubjectKind::person};
  const auto kept = non_max_suppression({b, a, c, d}, 0.45f);
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].score == 0.9f);
  CHECK(kept[1].kind == SubjectKind::face);
  CHECK(kept[2].box.x == 300);
}
