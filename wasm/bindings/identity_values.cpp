// Readers and writers of the identity bindings' JS values (identity_values.h).
#include "identity_values.h"

#include <emscripten/bind.h>

#include <cmath>

namespace charid::js {

Error invalid(std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; }

bool is_absent(const val& v) { return v.isUndefined() || v.isNull(); }

namespace {

bool is_instance(const val& v, const char* type) {
  return v.typeOf().as<std::string>() == "object" && !v.isNull() && v.instanceof(val::global(type));
}

}  // namespace

std::optional<Error> IdentityFrame::problem(const val& rgb, int width, int height) {
  if (width <= 0 || height <= 0 || width > kMaxFrameSide || height > kMaxFrameSide) {
    return invalid("a frame must be 1.." + std::to_string(kMaxFrameSide) + " pixels wide and high, not " +
                   std::to_string(width) + "x" + std::to_string(height));
  }
  if (!is_instance(rgb, "Uint8Array") && !is_instance(rgb, "Uint8ClampedArray")) {
    return invalid("a frame's pixels must be a Uint8Array of RGB bytes");
  }
  const size_t n = size_t(width) * size_t(height) * 3;
  if (rgb["length"].as<double>() != double(n)) {
    return invalid("a " + std::to_string(width) + "x" + std::to_string(height) + " frame needs " +
                   std::to_string(n) + " RGB bytes");
  }
  return std::nullopt;
}

// The size is checked against the array before anything is allocated, so a wrong or hostile
// width x height gives an empty frame, not a failed allocation.
IdentityFrame::IdentityFrame(val rgb, int width, int height) {
  if (problem(rgb, width, height)) return;
  image_ = RgbImage(width, height);
  val(emscripten::typed_memory_view(image_.pixels.size(), image_.pixels.data())).call<void>("set", rgb);
}

Result<const IdentityFrame*> read_frame(const val& frame, const char* what) {
  if (!is_instance(frame, "Object") || !frame.instanceof(val::module_property("IdentityFrame"))) {
    return invalid(std::string(what) + " must be an IdentityFrame");
  }
  if (frame["$$"]["ptr"].isNull() || frame["$$"]["ptr"].isUndefined()) {
    return invalid(std::string(what) + " was deleted");
  }
  const IdentityFrame* f = frame.as<const IdentityFrame*>(emscripten::allow_raw_pointers());
  if (f->image().empty()) return invalid(std::string(what) + " has no pixels (made from a wrong size)");
  return f;
}

Result<size_t> read_length(const val& v, const char* what, size_t max) {
  if (!val::global("Array").call<bool>("isArray", v) && !(is_instance(v, "Object") && val::global("ArrayBuffer").call<bool>("isView", v) && !is_instance(v, "DataView"))) {
    return invalid(std::string(what) + " must be an array");
  }
  const val length = v["length"];
  const double n = length.isNumber() ? length.as<double>() : -1;
  if (!(n >= 0) || n > double(max)) {
    return invalid(std::string(what) + " may hold at most " + std::to_string(max) + " entries");
  }
  return size_t(n);
}

Result<std::vector<const IdentityFrame*>> read_frames(const val& list, const char* what) {
  auto n = read_length(list, what, kMaxFrames);
  if (!n) return n.error();
  std::vector<const IdentityFrame*> out;
  for (size_t i = 0; i < n.value(); ++i) {
    auto f = read_frame(list[i], what);
    if (!f) return f.error();
    out.push_back(f.value());
  }
  return out;
}

Result<std::vector<float>> read_floats(const val& v, const char* what, size_t max,
                                       std::optional<size_t> exact) {
  const bool typed = is_instance(v, "Float32Array") || is_instance(v, "Float64Array");
  if (!typed && !val::global("Array").call<bool>("isArray", v)) {
    return invalid(std::string(what) + " must be a Float32Array");
  }
  const size_t n = v["length"].as<size_t>();
  if (!typed) {
    // a plain array: each entry checked (no valueOf or BigInt reaches the conversion)
    if (n > max || (exact && n != *exact)) return invalid(std::string(what) + " has the wrong number of values");
    std::vector<float> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const val e = v[i];
      if (!e.isNumber()) return invalid(std::string(what) + " must hold numbers only");
      out.push_back(e.as<float>());
    }
    return out;
  }
  if (exact && n != *exact) {
    return invalid(std::string(what) + " has " + std::to_string(n) + " values, expected " + std::to_string(*exact));
  }
  if (n > max) return invalid(std::string(what) + " has more than " + std::to_string(max) + " values");
  std::vector<float> out(n);
  if (n) val(emscripten::typed_memory_view(n, out.data())).call<void>("set", v);
  return out;
}

Result<double> read_number(const val& v, const char* what) {
  if (!v.isNumber()) return invalid(std::string(what) + " must be a number");
  const double d = v.as<double>();
  if (!std::isfinite(d)) return invalid(std::string(what) + " must be finite");
  return d;
}

Result<int> read_int(const val& v, const char* what, int lo, int hi) {
  auto d = read_number(v, what);
  if (!d) return d.error();
  if (d.value() != std::trunc(d.value()) || d.value() < lo || d.value() > hi) {
    return invalid(std::string(what) + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return int(d.value());
}

Result<std::string> read_string(const val& v, const char* what, size_t max) {
  if (!v.isString()) return invalid(std::string(what) + " must be a string");
  if (v["length"].as<double>() > double(max)) return invalid(std::string(what) + " is too long");
  return v.as<std::string>();
}

Result<std::vector<double>> read_numbers(const val& v, const char* what, size_t n) {
  auto len = read_length(v, what, n);
  if (!len) return len.error();
  if (len.value() != n) return invalid(std::string(what) + " must hold " + std::to_string(n) + " numbers");
  std::vector<double> out;
  for (size_t i = 0; i < n; ++i) {
    auto d = read_number(v[i], what);
    if (!d) return d.error();
    out.push_back(d.value());
  }
  return out;
}

Result<std::vector<double>> read_number_list(const val& v, const char* what, size_t max) {
  auto len = read_length(v, what, max);
  if (!len) return len.error();
  std::vector<double> out;
  for (size_t i = 0; i < len.value(); ++i) {
    const val e = v[i];
    out.push_back(e.isNumber() ? e.as<double>() : NAN);
  }
  return out;
}

Result<id::Box> read_box(const val& v, const char* what) {
  auto n = read_numbers(v, what, 4);
  if (!n) return n.error();
  const auto& b = n.value();
  const id::Box box{float(b[0]), float(b[1]), float(b[2]), float(b[3])};
  if (!std::isfinite(box.x) || !std::isfinite(box.y) || !std::isfinite(box.w) || !std::isfinite(box.h)) {
    return invalid(std::string(what) + " is too large for the frame coordinates");
  }
  return box;
}

Result<SpecAndPad> read_spec(const val& v, const char* what) {
  if (!is_instance(v, "Object")) return invalid(std::string(what) + " must be a tensor spec object");
  SpecAndPad out;
  auto w = read_int(v["width"], "the tensor width", 1, kMaxTensorSide);
  if (!w) return w.error();
  auto h = read_int(v["height"], "the tensor height", 1, kMaxTensorSide);
  if (!h) return h.error();
  out.spec.width = w.value();
  out.spec.height = h.value();
  if (out.spec.size() > kMaxTensorFloats) {
    return invalid(std::string(what) + ": a " + std::to_string(w.value()) + "x" + std::to_string(h.value()) +
                   " tensor is larger than " + std::to_string(kMaxTensorFloats) + " values");
  }
  const val layout = v["layout"], colour = v["colour"];
  if (!layout.isString() || (layout.as<std::string>() != "NCHW" && layout.as<std::string>() != "NHWC")) {
    return invalid(std::string(what) + ": layout must be NCHW or NHWC");
  }
  if (!colour.isString() || (colour.as<std::string>() != "RGB" && colour.as<std::string>() != "BGR")) {
    return invalid(std::string(what) + ": colour must be RGB or BGR");
  }
  out.spec.nchw = layout.as<std::string>() == "NCHW";
  out.spec.bgr = colour.as<std::string>() == "BGR";
  auto scale = read_number(v["scale"], "the tensor scale");
  if (!scale) return scale.error();
  out.spec.scale = float(scale.value());
  auto mean = read_numbers(v["mean"], "the tensor mean", 3);
  if (!mean) return mean.error();
  auto sd = read_numbers(v["std"], "the tensor std", 3);
  if (!sd) return sd.error();
  for (int c = 0; c < 3; ++c) {
    if (sd.value()[c] == 0) return invalid(std::string(what) + ": std must not be 0");
    out.spec.mean[c] = float(mean.value()[c]);
    out.spec.std[c] = float(sd.value()[c]);
  }
  if (!is_absent(v["pad"])) {
    auto pad = read_number(v["pad"], "the tensor pad");
    if (!pad) return pad.error();
    if (pad.value() < 0 || pad.value() > 255) return invalid(std::string(what) + ": pad must be 0..255");
    out.pad = float(pad.value());
  }
  return out;
}

Result<id::Letterbox> read_fit(const val& v, const char* what) {
  if (!is_instance(v, "Object")) return invalid(std::string(what) + " must be a fit object");
  auto w = read_int(v["inputWidth"], "the fit's inputWidth", 1, kMaxTensorSide);
  if (!w) return w.error();
  auto h = read_int(v["inputHeight"], "the fit's inputHeight", 1, kMaxTensorSide);
  if (!h) return h.error();
  auto s = read_number(v["scale"], "the fit's scale");
  if (!s) return s.error();
  return id::Letterbox{w.value(), h.value(), float(s.value())};
}

val float_array(const std::vector<float>& v) {
  return val::global("Float32Array").new_(emscripten::typed_memory_view(v.size(), v.data()));
}

val double_array(const std::vector<double>& v) {
  return val::global("Float64Array").new_(emscripten::typed_memory_view(v.size(), v.data()));
}

val box_js(const id::Box& b) { return val(b); }

val batch_dims(const id::TensorSpec& spec, size_t n) {
  val d = val::array();
  if (spec.nchw) d.call<void>("push", double(n), 3, spec.height, spec.width);
  else d.call<void>("push", double(n), spec.height, spec.width, 3);
  return d;
}

val detection_js(const id::Detection& d) {
  val o = val::object();
  o.set("box", box_js(d.box));
  o.set("score", d.score);
  o.set("kind", std::string(id::subject_kind_name(d.kind)));
  o.set("classId", d.class_id);
  if (d.has_landmarks) {
    val l = val::array();
    for (float v : d.landmarks) l.call<void>("push", v);
    o.set("landmarks", l);
  }
  return o;
}

val detections_js(const std::vector<id::Detection>& list) {
  val out = val::array();
  for (const auto& d : list) out.call<void>("push", detection_js(d));
  return out;
}

val subject_js(const id::SubjectChoice& c) {
  val boxes = val::array(), faces = val::array();
  for (size_t i = 0; i < c.boxes.size(); ++i) {
    boxes.call<void>("push", box_js(c.boxes[i]));
    faces.call<void>("push", i < c.faces.size() && c.faces[i] ? detection_js(*c.faces[i]) : val::null());
  }
  val o = val::object();
  o.set("found", c.found);
  o.set("kind", std::string(id::subject_kind_name(c.kind)));
  o.set("boxes", boxes);
  o.set("faces", faces);
  o.set("multipleSubjects", c.multiple_subjects);
  o.set("candidates", c.candidates);
  return o;
}

}  // namespace charid::js
