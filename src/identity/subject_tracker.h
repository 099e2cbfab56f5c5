// Choosing one subject across the sampled frames: candidates from the detectors (or the
// segmenter's foreground), linked frame to frame by overlap, the track that is largest, most
// central and most persistent wins. A caller-given box on the first frame overrides and is
// followed across frames by overlap with the candidates.
#pragma once

#include <optional>
#include <vector>

#include "identity/detections.h"

namespace charid::identity {

struct FrameDetections {
  int width = 0;
  int height = 0;
  std::vector<Detection> objects;  // YOLOX (after NMS) or segmenter foreground
  std::vector<Detection> faces;    // YuNet (after NMS)
};

struct SubjectChoice {
  bool found = false;                           // false: nothing to track, use a fallback
  SubjectKind kind = SubjectKind::unknown;
  std::vector<Box> boxes;                       // one per frame (frame pixels)
  std::vector<std::optional<Detection>> faces;  // the subject's face per frame, when confident
  bool multiple_subjects = false;               // another persistent candidate was close
  int candidates = 0;                           // tracks considered
};

struct TrackerOptions {
  float link_iou = 0.3f;             // a candidate continues a track above this overlap
  float object_weight = 0.5f;        // "object" classes are less likely the character
  float rival_share = 0.5f;          // a rival track this strong warns multiple_subjects
  float rival_presence = 0.34f;      // ... when present in at least this share of frames
  float face_score = 0.8f;           // faces below this are not used for the face embedding
  float min_face_pixels = 24.0f;     // nor faces smaller than this (short side)
  float face_subject_scale = 2.2f;   // a face alone stands for a head-and-shoulders box
};

SubjectChoice choose_subject(const std::vector<FrameDetections>& frames,
                             const TrackerOptions& options = {});

// `normalised` (x, y, w, h in 0..1 of the first frame) followed across frames.
SubjectChoice follow_caller_box(const std::vector<FrameDetections>& frames, const Box& normalised,
                                const TrackerOptions& options = {});

// The last resort: a centred box of 80% of the short side, a little taller than wide when the
// frame allows (characters are usually upright).
Box centre_box(int width, int height);

// Foreground of a Pascal VOC segmenter output (logits [size, size, 21], NHWC, the frame
// stretched to size x size): the largest connected region where 1 - softmax(background)
// exceeds `threshold`, mapped to frame pixels, with its dominant class as the kind.
std::optional<Detection> foreground_detection(const float* logits, int size, int frame_width,
                                              int frame_height, float threshold = 0.5f);

}  // namespace charid::identity
