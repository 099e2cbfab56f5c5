// The identity pipeline's settings, in one place. The JavaScript side runs the networks and
// passes their outputs here; it holds no threshold, size rule or weight of its own (issue 13:
// policy on one side of the boundary). Changing a value here changes the vectors of every
// charid-id model, so it is a new model version, not a tweak.
#pragma once

#include <cmath>
#include <vector>

namespace charid::identity {

struct InputSize {
  int width = 0;
  int height = 0;
};

inline constexpr int kYunetMaxSide = 640;          // YuNet sees the frame at most this large
inline constexpr int kYunetAlign = 32;             // its input sides are multiples of its largest stride
inline constexpr float kFaceThreshold = 0.6f;      // YuNet score
inline constexpr float kObjectThreshold = 0.3f;    // YOLOX objectness x class probability
inline constexpr float kNmsIou = 0.45f;            // both detectors
inline constexpr float kForegroundThreshold = 0.5f;  // segmenter fallback when nothing is detected
inline constexpr double kMaskMargin = 1.15;        // the segmenter sees the subject's square grown by this
inline constexpr float kMaskMinShare = 0.05f;      // less foreground than this: keep the plain frame

// YuNet's input for a width x height frame: scaled down to kYunetMaxSide (never up), each side
// rounded up to a multiple of kYunetAlign. {0, 0} for a frame without pixels.
inline InputSize yunet_input_size(int width, int height) {
  if (width <= 0 || height <= 0) return {};
  const double s = std::fmin(1.0, double(kYunetMaxSide) / std::fmax(width, height));
  return {int(std::ceil(width * s / kYunetAlign) * kYunetAlign),
          int(std::ceil(height * s / kYunetAlign) * kYunetAlign)};
}

// The weight of each sampled frame in the clip's vector (and in the choice of key frames): sharper
// frames count more, relative to the clip's sharpest, 0.5 .. 1. A frame without a sharpness
// measure (NaN) counts as 1; a clip whose sharpest frame measures 0 (or NaN) is scaled by 1.
inline std::vector<double> frame_weights(const std::vector<double>& sharpness) {
  std::vector<double> sharp(sharpness);
  for (double& s : sharp) s = std::isnan(s) ? 1.0 : s;
  double most = -INFINITY;
  for (double s : sharp) most = std::fmax(most, s);
  if (!(most != 0) || std::isnan(most)) most = 1;
  std::vector<double> out;
  out.reserve(sharp.size());
  for (double s : sharp) out.push_back(0.5 + 0.5 * (s / most));
  return out;
}

}  // namespace charid::identity
