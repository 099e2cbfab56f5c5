// Frames and crops to model input tensors: one affine resampler (bilinear, wasm SIMD over the
// colour channels when built with -msimd128) serves the detector letterbox, subject crops and
// aligned faces; colour order, normalisation and layout follow the manifest's input spec.
#pragma once

#include <array>

#include "core/image.h"
#include "identity/detections.h"
#include "identity/geometry.h"

namespace charid::identity {

struct TensorSpec {
  int width = 0;
  int height = 0;
  bool nchw = true;   // false: NHWC
  bool bgr = false;   // channel order of the tensor
  float scale = 1;    // value = (pixel * scale - mean[c]) / std[c]
  std::array<float, 3> mean{0, 0, 0};
  std::array<float, 3> std{1, 1, 1};
  size_t size() const { return size_t(width) * height * 3; }
};

// out[v][u] = image at (a*u + b*v + tx, c*u + d*v + ty), bilinear; outside the image the
// edge is repeated, or `pad` (0..255) is used when pad >= 0.
struct Affine {
  float a = 1, b = 0, tx = 0;
  float c = 0, d = 1, ty = 0;
};
void sample_to_tensor(const RgbImage& image, const Affine& map, const TensorSpec& spec, float pad,
                      float* out);

// The whole frame scaled to fit, at the top left, padded with `pad` (detector input).
Letterbox letterbox_to_tensor(const RgbImage& image, const TensorSpec& spec, float pad, float* out);

// The box stretched to the tensor size (appearance embedders).
void crop_to_tensor(const RgbImage& image, const Box& box, const TensorSpec& spec, float* out);

// A face aligned by the similarity transform that maps YuNet's 5 landmarks onto the reference
// points of the OpenVINO face re-identification models (spec.width x spec.height).
void aligned_face_to_tensor(const RgbImage& image, const std::array<float, 10>& landmarks,
                            const TensorSpec& spec, float* out);

// The similarity transform (scale, rotation, translation) from `from` to `to` (5 points each),
// least squares (Umeyama, no reflection); returned as the map from `to` back to `from`.
Affine similarity_inverse(const std::array<float, 10>& from, const std::array<float, 10>& to);

}  // namespace charid::identity
