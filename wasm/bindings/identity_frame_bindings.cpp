// Embind bindings of the identity core, part 1: the frame JS holds, the structs Embind marshals,
// and the single-image resamplers the reference pack and the benchmarks use (cropTensor,
// alignedFaceTensor, colourDescriptor). The pipeline's stages are in identity_locate_bindings.cpp
// (frames -> detector tensors -> subject) and identity_embed_bindings.cpp (subject -> part
// tensors -> clip vector -> payload); the vector maths in identity_compare_bindings.cpp.
//
// Ownership: an IdentityFrame owns a copy of one frame's pixels in wasm memory; the caller of
// identityFrame (or `new IdentityFrame`) and of maskFrames must call .delete() on each. Every
// other result is a fresh JS value copied out before the call returns; no view into wasm memory
// escapes (memory growth would invalidate it). Errors come back as {ok: false, error: {code,
// message}}, never as exceptions.
#include <emscripten/bind.h>

#include "identity/colour_descriptor.h"
#include "identity_values.h"

using emscripten::val;
using namespace charid::js;

namespace {

// -> IdentityFrame, or an error value saying why the pixels and size do not make one.
val identity_frame(val rgb, val width, val height) {
  auto w = read_int(width, "the frame width", 1, kMaxFrameSide);
  if (!w) return error_result(w.error());
  auto h = read_int(height, "the frame height", 1, kMaxFrameSide);
  if (!h) return error_result(h.error());
  if (auto p = IdentityFrame::problem(rgb, w.value(), h.value())) return error_result(*p);
  return val(IdentityFrame(rgb, w.value(), h.value()));
}

// box ([x, y, w, h] frame pixels) stretched to the spec's size -> Float32Array.
val crop_tensor(val frame, val box, val spec_js) {
  auto f = read_frame(frame, "the frame");
  if (!f) return error_result(f.error());
  auto b = read_box(box, "the box");
  if (!b) return error_result(b.error());
  auto spec = read_spec(spec_js, "the tensor spec");
  if (!spec) return error_result(spec.error());
  std::vector<float> t(spec.value().spec.size());
  id::crop_to_tensor(f.value()->image(), b.value(), spec.value().spec, t.data());
  return float_array(t);
}

// The face aligned by its 5 landmarks (YuNet's order, frame pixels) -> Float32Array.
val aligned_face_tensor(val frame, val landmarks, val spec_js) {
  auto f = read_frame(frame, "the frame");
  if (!f) return error_result(f.error());
  auto l = read_numbers(landmarks, "the landmarks", 10);
  if (!l) return error_result(l.error());
  auto spec = read_spec(spec_js, "the tensor spec");
  if (!spec) return error_result(spec.error());
  std::array<float, 10> points{};
  for (int i = 0; i < 10; ++i) points[i] = float(l.value()[i]);
  std::vector<float> t(spec.value().spec.size());
  id::aligned_face_to_tensor(f.value()->image(), points, spec.value().spec, t.data());
  return float_array(t);
}

// Inside the frame's mask when it has one (the subject-only copy), else over the whole box.
val colour_descriptor(val frame, val box) {
  auto f = read_frame(frame, "the frame");
  if (!f) return error_result(f.error());
  auto b = read_box(box, "the box");
  if (!b) return error_result(b.error());
  const auto& mask = f.value()->mask();
  return float_array(mask ? id::colour_descriptor(f.value()->image(), b.value(), *mask)
                          : id::colour_descriptor(f.value()->image(), b.value()));
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_identity_frame) {
  emscripten::value_array<id::Box>("IdentityBox")
      .element(&id::Box::x)
      .element(&id::Box::y)
      .element(&id::Box::w)
      .element(&id::Box::h);
  emscripten::value_object<id::Letterbox>("IdentityFit")
      .field("inputWidth", &id::Letterbox::input_width)
      .field("inputHeight", &id::Letterbox::input_height)
      .field("scale", &id::Letterbox::scale);
  emscripten::class_<IdentityFrame>("IdentityFrame")
      .constructor<val, int, int>()
      .property("width", &IdentityFrame::width)
      .property("height", &IdentityFrame::height);
  emscripten::function("identityFrame", &identity_frame);
  emscripten::function("cropTensor", &crop_tensor);
  emscripten::function("alignedFaceTensor", &aligned_face_tensor);
  emscripten::function("colourDescriptor", &colour_descriptor);
}
