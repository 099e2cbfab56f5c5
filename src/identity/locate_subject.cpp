#include "identity/locate_subject.h"

#include <cmath>

#include "identity/pipeline_policy.h"

namespace charid::identity {
namespace {

constexpr int kYunetStrides[3] = {8, 16, 32};
constexpr const char* kYunetTensors[4] = {"cls", "obj", "bbox", "kps"};
constexpr size_t kYunetWidths[4] = {1, 1, 4, 10};
constexpr size_t kYoloxRow = 85;
constexpr int kMaxInputSide = 4096;  // no detector input of ours comes near this

Error invalid(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

std::optional<Error> fit_problem(const Letterbox& fit, const char* detector) {
  if (fit.input_width <= 0 || fit.input_height <= 0 || fit.input_width > kMaxInputSide ||
      fit.input_height > kMaxInputSide || !(fit.scale > 0) || !std::isfinite(fit.scale)) {
    return invalid(std::string("the ") + detector +
                   " fit must have an input size of 1.." + std::to_string(kMaxInputSide) +
                   " and a positive scale");
  }
  return std::nullopt;
}

}  // namespace

std::string yunet_output_name(int s, int t) {
  return std::string(kYunetTensors[t]) + "_" + std::to_string(kYunetStrides[s]);
}

Result<FrameDetections> frame_detections(const DetectorOutputs& o) {
  if (o.width <= 0 || o.height <= 0) return invalid("the frame size must be positive");
  if (auto p = fit_problem(o.face_fit, "face detector")) return *p;
  if (auto p = fit_problem(o.object_fit, "object detector")) return *p;
  std::array<YunetStride, 3> strides;
  for (int s = 0; s < 3; ++s) {
    const size_t anchors = size_t(o.face_fit.input_width / kYunetStrides[s]) *
                           size_t(o.face_fit.input_height / kYunetStrides[s]);
    for (int t = 0; t < 4; ++t) {
      if (o.yunet[s][t].size() != anchors * kYunetWidths[t]) {
        return invalid("the face detector's output " + yunet_output_name(s, t) + " has " +
                       std::to_string(o.yunet[s][t].size()) + " values, expected " +
                       std::to_string(anchors * kYunetWidths[t]));
      }
    }
    strides[s] = {o.yunet[s][0].data(), o.yunet[s][1].data(), o.yunet[s][2].data(),
                  o.yunet[s][3].data()};
  }
  if (o.yolox.size() % kYoloxRow != 0) {
    return invalid("the object detector's output has " + std::to_string(o.yolox.size()) +
                   " values, not rows of 85");
  }
  FrameDetections f;
  f.width = o.width;
  f.height = o.height;
  f.faces = non_max_suppression(decode_yunet(strides, o.face_fit, kFaceThreshold), kNmsIou);
  f.objects = non_max_suppression(
      decode_yolox(o.yolox.data(), int(o.yolox.size() / kYoloxRow), o.object_fit, kObjectThreshold),
      kNmsIou);
  return f;
}

Result<FrameDetections> foreground_frame(const std::vector<float>& logits, int size, int width,
                                         int height) {
  constexpr size_t kClasses = 21;
  if (size <= 0 || size > kMaxInputSide || logits.size() != size_t(size) * size * kClasses) {
    return invalid("the segmenter's output has " + std::to_string(logits.size()) +
                   " values, expected " + std::to_string(size_t(std::max(size, 0)) * std::max(size, 0) * kClasses));
  }
  if (width <= 0 || height <= 0) return invalid("the frame size must be positive");
  FrameDetections f;
  f.width = width;
  f.height = height;
  if (auto d = foreground_detection(logits.data(), size, width, height, kForegroundThreshold)) {
    f.objects.push_back(*d);
  }
  return f;
}

LocatedSubject locate_subject(const std::vector<FrameDetections>& frames,
                              const std::optional<Box>& caller_box, bool last_resort) {
  LocatedSubject out;
  out.choice = caller_box ? follow_caller_box(frames, *caller_box) : choose_subject(frames);
  if (!out.choice.found) {
    const int candidates = out.choice.candidates;
    out.choice = SubjectChoice{};
    out.choice.candidates = candidates;
    for (const FrameDetections& f : frames) {
      out.choice.boxes.push_back(centre_box(f.width, f.height));
      out.choice.faces.emplace_back();
    }
    if (last_resort) out.warnings.push_back("no_subject_found");
  }
  if (out.choice.multiple_subjects && !caller_box) out.warnings.push_back("multiple_subjects");
  return out;
}

}  // namespace charid::identity
