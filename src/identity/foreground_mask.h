// The subject's own pixels: a foreground mask from the segmenter (DeepLabV3, Pascal VOC logits)
// run on a square crop around the subject, and a copy of the frame where everything else is a
// neutral fill. charid-id@2 computes its appearance parts (body re-ID, MobileNetV2-GeM, colour)
// on that copy, so two characters on the same set do not look alike because of the set.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/image.h"
#include "identity/geometry.h"

namespace charid::identity {

struct ForegroundMask {
  Box box;                  // frame pixels covered by the grid (the segmenter's square crop)
  int size = 0;             // grid is size x size
  std::vector<float> prob;  // foreground probability per cell, row-major

  // Probability at frame pixel (x, y); 0 outside the box.
  float at(float x, float y) const;
};

// Foreground = 1 - softmax(background) per cell of [size, size, 21] logits (NHWC) covering `box`.
// nullopt when the logits do not have that size, or when the foreground covers less than
// `min_share` of the grid (the segmenter saw nothing it knows: pixel art, a drawing on paper);
// the caller then keeps the unmasked frame rather than embedding an empty crop.
std::optional<ForegroundMask> foreground_mask(const float* logits, size_t count, int size,
                                              const Box& box, float min_share);

// The colour that replaces the background: the ImageNet mean, which the appearance networks'
// normalisation maps to zero.
inline constexpr uint8_t kMaskFill[3] = {124, 116, 104};

// A copy of `image` with every pixel whose foreground probability is below 0.5 set to kMaskFill.
RgbImage masked_image(const RgbImage& image, const ForegroundMask& mask);

}  // namespace charid::identity
