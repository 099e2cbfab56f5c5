// What the identity binding files share: the frame type JS holds, and strict readers of the JS
// values they receive. Every reader answers a Result, so a wrong type, a wrong size or a NaN
// becomes an invalid_argument value naming the argument, checked before anything is allocated.
// Outputs that are plain structs are marshalled by Embind (value_object / value_array, registered
// in identity_frame_bindings.cpp); the rest are built here as fresh JS values.
#pragma once

#include <emscripten/val.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/image.h"
#include "core/result.h"
#include "identity/detections.h"
#include "identity/foreground_mask.h"
#include "identity/subject_tracker.h"
#include "identity/tensor_prep.h"
#include "js_values.h"

namespace charid::js {

namespace id = charid::identity;

inline constexpr int kMaxFrameSide = 16384;      // a frame's width and height
inline constexpr int kMaxTensorSide = 4096;      // a tensor's width and height
inline constexpr size_t kMaxFloats = 64u << 20;  // 256 MiB of floats in one argument
// One tensor or batch the bindings build: 128 MiB, a whole 4K frame's crop (3840 x 2160 x 3), well
// inside the module's 1 GiB ceiling with the JS copy beside it.
inline constexpr size_t kMaxTensorFloats = 32u << 20;
inline constexpr int kMaxFrames = 1024;          // frames of one clip (the schema's limit)

// One sampled frame's pixels, owned in wasm memory. JS makes one with identityFrame(rgb, w, h)
// (or `new IdentityFrame(rgb, w, h)`, which gives an empty frame for bad input) and must call
// .delete(). Every export refuses an empty frame with an error value.
class IdentityFrame {
 public:
  IdentityFrame() = default;
  IdentityFrame(val rgb, int width, int height);
  IdentityFrame(RgbImage image, id::ForegroundMask mask)
      : image_(std::move(image)), mask_(std::move(mask)) {}
  int width() const { return image_.width; }
  int height() const { return image_.height; }
  const RgbImage& image() const { return image_; }
  // Set on the subject-only copy made by maskFrames.
  const std::optional<id::ForegroundMask>& mask() const { return mask_; }

  // Why `rgb`, `width` and `height` cannot make a frame, or nullopt.
  static std::optional<Error> problem(const val& rgb, int width, int height);

 private:
  RgbImage image_;
  std::optional<id::ForegroundMask> mask_;
};

Error invalid(std::string message);

// JS array `list` of IdentityFrame, each non-empty; at most kMaxFrames.
Result<std::vector<const IdentityFrame*>> read_frames(const val& list, const char* what);
Result<const IdentityFrame*> read_frame(const val& frame, const char* what);

// A Float32Array or Float64Array of at most `max` values (exactly `exact` when given).
Result<std::vector<float>> read_floats(const val& v, const char* what, size_t max = kMaxFloats,
                                       std::optional<size_t> exact = std::nullopt);
// A JS array of `n` finite numbers (or a typed array of them).
Result<std::vector<double>> read_numbers(const val& v, const char* what, size_t n);
// A JS array of at most `max` numbers; NaN where an entry is not a number.
Result<std::vector<double>> read_number_list(const val& v, const char* what, size_t max);
Result<double> read_number(const val& v, const char* what);
Result<int> read_int(const val& v, const char* what, int lo, int hi);
Result<std::string> read_string(const val& v, const char* what, size_t max = 4096);
// [x, y, w, h], finite.
Result<id::Box> read_box(const val& v, const char* what);
// The manifest input as lib/identity/parts.mjs tensorSpec gives it; pad 0..255 (letterbox fill).
struct SpecAndPad {
  id::TensorSpec spec;
  float pad = 0;
};
Result<SpecAndPad> read_spec(const val& v, const char* what);
// A detector fit as returned by detectionTensors ({inputWidth, inputHeight, scale}).
Result<id::Letterbox> read_fit(const val& v, const char* what);
// A length: an array or typed array's, 0..max; error when `v` has none.
Result<size_t> read_length(const val& v, const char* what, size_t max);

bool is_absent(const val& v);

val float_array(const std::vector<float>& v);
val double_array(const std::vector<double>& v);
val box_js(const id::Box& b);
// The dims of a batch of `n` tensors of `spec` ([n, 3, h, w] or [n, h, w, 3]).
val batch_dims(const id::TensorSpec& spec, size_t n);
val detection_js(const id::Detection& d);
val detections_js(const std::vector<id::Detection>& list);
val subject_js(const id::SubjectChoice& c);

}  // namespace charid::js
