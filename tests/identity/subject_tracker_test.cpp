// Choosing and following one subject across frames.
#include <catch.hpp>

#include <cmath>

#include "identity/subject_tracker.h"

using namespace charid::identity;

namespace {
Detection det(Box b, float score, SubjectKind kind = SubjectKind::person) {
  Detection d;
  d.box = b, d.score = score, d.kind = kind;
  return d;
}
FrameDetections frame(std::vector<Detection> objects, std::vector<Detection> faces = {}) {
  return {640, 480, std::move(objects), std::move(faces)};
}
}  // namespace

TEST_CASE("the persistent, large, central candidate wins over a brief one") {
  std::vector<FrameDetections> frames;
  for (int i = 0; i < 6; ++i) {
    std::vector<Detection> objs = {det({220.0f + i * 4, 100, 200, 340}, 0.8f)};
    if (i == 2) objs.push_back(det({10, 10, 260, 300}, 0.95f, SubjectKind::animal));
    frames.push_back(frame(objs));
  }
  const SubjectChoice c = choose_subject(frames);
  REQUIRE(c.found);
  CHECK(c.kind == SubjectKind::person);
  CHECK_FALSE(c.multiple_subjects);
  REQUIRE(c.boxes.size() == 6);
  CHECK(c.boxes[2].x == Approx(228));
  CHECK(c.candidates == 2);
}

TEST_CASE("two persistent subjects of similar weight warn, frames without a detection hold the nearest box") {
  std::vector<FrameDetections> frames;
  for (int i = 0; i < 6; ++i) {
    std::vector<Detection> objs = {det({40, 100, 200, 340}, 0.8f)};
    if (i != 3) objs.push_back(det({380, 100, 200, 330}, 0.8f));
    frames.push_back(frame(objs));
  }
  frames[4].objects.erase(frames[4].objects.begin());  // the first subject is missed once
  const SubjectChoice c = choose_subject(frames);
  REQUIRE(c.found);
  CHECK(c.multiple_subjects);
  CHECK(c.boxes[4].area() > 0);
}

TEST_CASE("a confident face inside the subject is attached; a close-up face alone is a subject") {
  Detection face = det({300, 120, 60, 70}, 0.92f, SubjectKind::face);
  face.has_landmarks = true;
  std::vector<FrameDetections> frames = {frame({det({220, 80, 200, 380}, 0.8f)}, {face}),
                                         frame({det({222, 80, 200, 380}, 0.8f)})};
  SubjectChoice c = choose_subject(frames);
  REQUIRE(c.faces.size() == 2);
  REQUIRE(c.faces[0].has_value());
  CHECK(c.faces[0]->score == Approx(0.92f));
  CHECK_FALSE(c.faces[1].has_value());

  c = choose_subject({frame({}, {face}), frame({}, {face})});
  REQUIRE(c.found);
  CHECK(c.kind == SubjectKind::face);
  CHECK(c.boxes[0].area() > face.box.area() * 3);
}

TEST_CASE("nothing detected leaves the choice to the fallbacks") {
  const SubjectChoice c = choose_subject({frame({}), frame({})});
  CHECK_FALSE(c.found);
  const Box b = centre_box(640, 480);
  CHECK(b.x >= 0);
  CHECK(b.y >= 0);
  CHECK(b.x + b.w <= 640);
  CHECK(b.y + b.h <= 480);
  CHECK(b.cx() == Approx(320));
}

TEST_CASE("a caller box is followed through overlapping candidates") {
  std::vector<FrameDetections> frames;
  for (int i = 0; i < 4; ++i) {
    frames.push_back(frame({det({400.0f + 10 * i, 100, 150, 300}, 0.6f),
                            det({40, 100, 250, 360}, 0.95f)}));
  }
  const SubjectChoice c = follow_caller_box(frames, {400.0f / 640, 100.0f / 480, 150.0f / 640, 300.0f / 480});
  REQUIRE(c.found);
  CHECK(c.boxes[3].x == Approx(430));
  CHECK(c.kind == SubjectKind::person);
}

TEST_CASE("the segmenter foreground becomes a box with the dominant class") {
  const int size = 33;
  std::vector<float> logits(size_t(size) * size * 21, 0.0f);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      float* p = logits.data() + (size_t(y) * size + x) * 21;
      const bool inside = x >= 10 && x < 20 && y >= 5 && y < 30;
      p[0] = inside ? -4.0f : 6.0f;
      p[12] = inside ? 5.0f : 0.0f;  // dog
    }
  }
  auto d = foreground_detection(logits.data(), size, 330, 660);
  REQUIRE(d.has_value());
  CHECK(d->kind == SubjectKind::animal);
  CHECK(d->box.x == Approx(100));
  CHECK(d->box.w == Approx(100));
  CHECK(d->box.y == Approx(100));
  CHECK(d->box.h == Approx(500));
}
