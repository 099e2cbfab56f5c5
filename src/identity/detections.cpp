#include "identity/detections.h"

#include <algorithm>
#include <cmath>

namespace charid::identity {

std::string_view subject_kind_name(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::face: return "face";
    case SubjectKind::person: return "person";
    case SubjectKind::animal: return "animal";
    case SubjectKind::object: return "object";
    case SubjectKind::unknown: break;
  }
  return "unknown";
}

Letterbox fit_top_left(int frame_width, int frame_height, int input_width, int input_height) {
  Letterbox fit{input_width, input_height, 1.0f};
  if (frame_width > 0 && frame_height > 0) {
    fit.scale = std::min(float(input_width) / frame_width, float(input_height) / frame_height);
  }
  return fit;
}

static constexpr int kStrides[3] = {8, 16, 32};

std::vector<Detection> decode_yunet(const std::array<YunetStride, 3>& strides,
                                    const Letterbox& fit, float score_threshold) {
  std::vector<Detection> out;
  const float inv = 1.0f / fit.scale;
  for (int si = 0; si < 3; ++si) {
    const YunetStride& t = strides[si];
    const int s = kStrides[si];
    const int cols = fit.input_width / s, rows = fit.input_height / s;
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        const int i = r * cols + c;
        const float cls = std::clamp(t.cls[i], 0.0f, 1.0f);
        const float obj = std::clamp(t.obj[i], 0.0f, 1.0f);
        const float score = std::sqrt(cls * obj);
        if (score < score_threshold) continue;
        const float* b = t.bbox + i * 4;
        const float cx = (c + b[0]) * s, cy = (r + b[1]) * s;
        const float w = std::exp(b[2]) * s, h = std::exp(b[3]) * s;
        Detection d;
        d.box = {(cx - w / 2) * inv, (cy - h / 2) * inv, w * inv, h * inv};
        d.score = score;
        d.kind = SubjectKind::face;
        d.has_landmarks = true;
        const float* k = t.kps + i * 10;
        for (int n = 0; n < 5; ++n) {
          d.landmarks[2 * n] = (k[2 * n] + c) * s * inv;
          d.landmarks[2 * n + 1] = (k[2 * n + 1] + r) * s * inv;
        }
        out.push_back(d);
      }
    }
  }
  return out;
}

SubjectKind coco_kind(int class_id) {
  if (class_id == 0) return SubjectKind::person;
  if (class_id >= 14 && class_id <= 23) return SubjectKind::animal;  // bird .. giraffe
  if (class_id == 77) return SubjectKind::animal;                    // teddy bear: a character
  return SubjectKind::object;
}

std::vector<Detection> decode_yolox(const float* output, int rows, const Letterbox& fit,
                                    float score_threshold) {
  std::vector<Detection> out;
  const float inv = 1.0f / fit.scale;
  int row = 0;
  for (int s : kStrides) {
    const int gw = fit.input_width / s, gh = fit.input_height / s;
    for (int gy = 0; gy < gh; ++gy) {
      for (int gx = 0; gx < gw; ++gx, ++row) {
        if (row >= rows) return out;
        const float* p = output + size_t(row) * 85;
        const float* cls = p + 5;
        const int best = int(std::max_element(cls, cls + 80) - cls);
        const float score = p[4] * cls[best];
        if (score < score_threshold) continue;
        const float cx = (p[0] + gx) * s, cy = (p[1] + gy) * s;
        const float w = std::exp(p[2]) * s, h = std::exp(p[3]) * s;
        Detection d;
        d.box = {(cx - w / 2) * inv, (cy - h / 2) * inv, w * inv, h * inv};
        d.score = score;
        d.class_id = best;
        d.kind = coco_kind(best);
        out.push_back(d);
      }
    }
  }
  return out;
}

std::vector<Detection> non_max_suppression(std::vector<Detection> detections,
                                           float iou_threshold) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const Detection& d : detections) {
    const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.kind == d.kind && iou(k.box, d.box) > iou_threshold;
    });
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

}  // namespace charid::identity
