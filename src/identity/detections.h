// Decoding of the raw detector outputs (YuNet faces, YOLOX-nano objects) and non-maximum
// suppression. The networks run in JavaScript; their output tensors come here unchanged.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "identity/geometry.h"

namespace charid::identity {

enum class SubjectKind { face, person, animal, object, unknown };
std::string_view subject_kind_name(SubjectKind kind);

struct Detection {
  Box box;                             // frame pixels
  float score = 0;                     // 0..1
  SubjectKind kind = SubjectKind::unknown;
  int class_id = -1;                   // COCO class for YOLOX, -1 for faces
  bool has_landmarks = false;
  std::array<float, 10> landmarks{};   // YuNet: right eye, left eye, nose, mouth right, mouth left (x, y)
};

// How a frame was fitted into the detector input: scaled by `scale`, placed at the top left.
struct Letterbox {
  int input_width = 0;
  int input_height = 0;
  float scale = 1;  // input pixels per frame pixel
};
Letterbox fit_top_left(int frame_width, int frame_height, int input_width, int input_height);

// YuNet (OpenCV Zoo 2023mar layout): for each stride 8, 16, 32 the tensors cls [A], obj [A],
// bbox [A, 4], kps [A, 10] with A = (W / s) * (H / s), scores already passed through sigmoid.
struct YunetStride {
  const float* cls = nullptr;
  const float* obj = nullptr;
  const float* bbox = nullptr;
  const float* kps = nullptr;
};
std::vector<Detection> decode_yunet(const std::array<YunetStride, 3>& strides,
                                    const Letterbox& fit, float score_threshold);

// YOLOX-nano: [A, 85] rows (x, y, log w, log h, objectness, 80 class probabilities) over the
// grids of strides 8, 16, 32 of the square input. Classes map to person / animal / object.
std::vector<Detection> decode_yolox(const float* output, int rows, const Letterbox& fit,
                                    float score_threshold);
SubjectKind coco_kind(int class_id);

// Greedy NMS per kind, highest score first.
std::vector<Detection> non_max_suppression(std::vector<Detection> detections, float iou_threshold);

}  // namespace charid::identity
