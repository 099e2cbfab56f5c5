// Locating the subject from the detectors' raw outputs, as one stage: each frame's YuNet and
// YOLOX tensors (or the segmenter's logits when they find nothing) are checked for size, decoded
// with the pipeline's thresholds (pipeline_policy.h), and the subject chosen across the frames;
// when nothing is found the centre box stands in. The networks run in JavaScript; everything
// between their outputs and the subject's boxes is here.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "identity/detections.h"
#include "identity/subject_tracker.h"

namespace charid::identity {

// One frame's detector outputs, as the networks returned them.
struct DetectorOutputs {
  int width = 0;                           // the frame
  int height = 0;
  Letterbox face_fit;                      // how the frame was fitted into each detector's input
  Letterbox object_fit;
  // YuNet, per stride 8, 16, 32: cls [A], obj [A], bbox [A * 4], kps [A * 10]
  std::array<std::array<std::vector<float>, 4>, 3> yunet;
  std::vector<float> yolox;                // [rows * 85]
};

// The names of YuNet's output tensors for stride index s (0..2) and tensor t (cls, obj, bbox, kps).
std::string yunet_output_name(int s, int t);

// The frame's faces and objects after decoding and NMS; invalid_argument naming the tensor when
// an output does not have the size the fit implies, or a fit is not a usable letterbox.
Result<FrameDetections> frame_detections(const DetectorOutputs& outputs);

// The segmenter's foreground of one frame (logits [size, size, 21] of the whole frame stretched
// to size x size) as that frame's only object; invalid_argument when the logits are not that size.
Result<FrameDetections> foreground_frame(const std::vector<float>& logits, int size, int width,
                                         int height);

struct LocatedSubject {
  SubjectChoice choice;               // boxes (and null faces) of the centre box when not found
  std::vector<std::string> warnings;  // no_subject_found, multiple_subjects
};

// choose_subject (or follow_caller_box when `caller_box` is set) over the frames; when nothing is
// found, the centre box of each frame, kind unknown, and the warning no_subject_found when
// `last_resort` (the caller has no other source of candidates to try first).
LocatedSubject locate_subject(const std::vector<FrameDetections>& frames,
                              const std::optional<Box>& caller_box, bool last_resort);

}  // namespace charid::identity
