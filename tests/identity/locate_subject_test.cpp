// The locate stage: detector outputs checked for size and decoded with the pipeline's
// thresholds, the subject chosen, the centre box when nothing is found; the policy helpers.
#include <catch.hpp>

#include <cmath>

#include "identity/geometry.h"
#include "identity/identity_vector.h"
#include "identity/locate_subject.h"
#include "identity/pipeline_policy.h"

using namespace charid::identity;

namespace {
// Outputs of a 64 x 32 detector input with nothing in them (scores 0).
DetectorOutputs empty_outputs() {
  DetectorOutputs o;
  o.width = 128, o.height = 64;
  o.face_fit = {64, 32, 0.5f};
  o.object_fit = {64, 64, 0.5f};
  const int strides[3] = {8, 16, 32};
  const size_t widths[4] = {1, 1, 4, 10};
  for (int s = 0; s < 3; ++s) {
    const size_t a = size_t(64 / strides[s]) * size_t(32 / strides[s]);
    for (int t = 0; t < 4; ++t) o.yunet[s][t].assign(a * widths[t], 0.0f);
  }
  o.yolox.assign(size_t(64 + 16 + 4) * 85, 0.0f);
  return o;
}
}  // namespace

TEST_CASE("detector outputs of the wrong size are refused naming the tensor") {
  DetectorOutputs o = empty_outputs();
  REQUIRE(frame_detections(o).ok());
  o.yunet[1][2].pop_back();
  auto r = frame_detections(o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("bbox_16") != std::string::npos);
  o = empty_outputs();
  o.yolox.push_back(1);
  CHECK_FALSE(frame_detections(o).ok());
  o = empty_outputs();
  o.face_fit.scale = std::nanf("");
  CHECK_FALSE(frame_detections(o).ok());
  o = empty_outputs();
  o.object_fit.input_width = 1 << 20;
  CHECK_FALSE(frame_detections(o).ok());
}

TEST_CASE("a confident YOLOX row becomes the frame's object at the pipeline's threshold") {
  DetectorOutputs o = empty_outputs();
  float* row = o.yolox.data() + 9 * 85;  // grid cell (1, 1) of stride 8
  row[0] = 0.5f, row[1] = 0.5f, row[2] = std::log(2.0f), row[3] = std::log(4.0f);
  row[4] = 0.9f, row[5] = 0.5f;  // person, score 0.45 >= 0.3
  auto r = frame_detections(o);
  REQUIRE(r.ok());
  REQUIRE(r.value().objects.size() == 1);
  CHECK(r.value().objects[0].kind == SubjectKind::person);
  CHECK(r.value().objects[0].box.w == Approx(32.0f));  // 16 input pixels / 0.5
  row[5] = 0.3f;  // 0.27 < kObjectThreshold
  CHECK(frame_detections(o).value().objects.empty());
}

TEST_CASE("nothing found: the centre box of every frame, and a warning only as the last resort") {
  std::vector<FrameDetections> frames(3, FrameDetections{640, 360, {}, {}});
  const LocatedSubject first = locate_subject(frames, std::nullopt, false);
  CHECK_FALSE(first.choice.found);
  REQUIRE(first.choice.boxes.size() == 3);
  CHECK(first.choice.boxes[2].w == centre_box(640, 360).w);
  CHECK(first.choice.faces.size() == 3);
  CHECK(first.warnings.empty());
  const LocatedSubject last = locate_subject(frames, std::nullopt, true);
  CHECK(last.warnings == std::vector<std::string>{"no_subject_found"});
  const LocatedSubject given = locate_subject(frames, Box{0.25f, 0.25f, 0.5f, 0.5f}, true);
  CHECK(given.choice.found);
  CHECK(given.choice.boxes[0].x == Approx(160.0f));
  CHECK(given.warnings.empty());
}

TEST_CASE("the segmenter's output is checked for size") {
  CHECK_FALSE(foreground_frame(std::vector<float>(21 * 4 - 1), 2, 10, 10).ok());
  CHECK_FALSE(foreground_frame(std::vector<float>(21 * 4), 2, 0, 10).ok());
  CHECK(foreground_frame(std::vector<float>(21 * 4), 2, 10, 10).ok());
}

TEST_CASE("policy: YuNet's input size, frame weights, the square box") {
  CHECK(yunet_input_size(1920, 1080).width == 640);
  CHECK(yunet_input_size(1920, 1080).height == 384);  // 360 rounded up to 32
  CHECK(yunet_input_size(300, 200).width == 320);     // never scaled up, only aligned
  CHECK(yunet_input_size(0, 10).width == 0);
  const auto w = frame_weights({10, 5, std::nan(""), 0});
  REQUIRE(w.size() == 4);
  CHECK(w[0] == 1.0);
  CHECK(w[1] == 0.75);
  CHECK(w[2] == Approx(0.55));
  CHECK(w[3] == 0.5);
  CHECK(frame_weights({0, 0}) == std::vector<double>{0.5, 0.5});
  const Box s = square_box({10, 20, 40, 10}, 1.0);
  CHECK(s.x == 10.0f);
  CHECK(s.y == 5.0f);
  CHECK(s.w == 40.0f);
  CHECK(square_box({0, 0, 20, 20}, 1.5).w == 30.0f);
}

TEST_CASE("fuse_clip is fuse_parts per frame then aggregate_parts") {
  VectorLayout layout{{{"face", 2, 0.8f}, {"body", 2, 0.6f}}, "face"};
  const std::vector<std::vector<std::vector<float>>> parts = {
      {{1, 0}, {}, {0, 1}}, {{1, 1}, {2, 1}, {1, 3}}};
  auto r = fuse_clip(layout, parts, {1, 0.5f, 0.75f});
  REQUIRE(r.ok());
  REQUIRE(r.value().frame_vectors.size() == 3);
  auto f1 = fuse_parts(layout, {{}, {2, 1}});
  CHECK(r.value().frame_vectors[1] == f1.value());
  auto agg = aggregate_parts(layout, r.value().frame_vectors, {1, 0.5f, 0.75f});
  CHECK(r.value().aggregate.vector == agg.value().vector);
  CHECK_FALSE(fuse_clip(layout, parts, {1, 1}).ok());          // one weight too few
  CHECK_FALSE(fuse_clip(layout, {parts[0]}, {1, 1, 1}).ok());  // a part missing
}
