// Embind bindings of the identity core, part 3: from the chosen subject to the payload. Each
// call covers all frames of a stage: the frame weights, the segmenter's tensors of the subject
// squares and the subject-only frames from its outputs, one batch tensor per embedding part,
// the colour descriptors, the clip's vector (fusion and aggregation) and the payload text
// (nlohmann-json, src/identity/payload.cpp).
//
// Ownership: maskFrames answers new IdentityFrames (or null) that the caller must .delete();
// every other result is a fresh JS value.
#include <emscripten/bind.h>

#include <cmath>

#include "identity/colour_descriptor.h"
#include "identity/identity_vector.h"
#include "identity/payload.h"
#include "identity/pipeline_policy.h"
#include "identity_values.h"

using emscripten::val;
using namespace charid::js;

namespace {

val ok_object() {
  val o = val::object();
  o.set("ok", true);
  return o;
}

// frames and one [x, y, w, h] box per frame.
struct FramesAndBoxes {
  std::vector<const IdentityFrame*> frames;
  std::vector<id::Box> boxes;
};
charid::Result<FramesAndBoxes> read_frames_and_boxes(const val& frames_js, const val& boxes_js) {
  auto frames = read_frames(frames_js, "each frame");
  if (!frames) return frames.error();
  auto n = read_length(boxes_js, "the boxes", kMaxFrames);
  if (!n) return n.error();
  if (n.value() != frames.value().size()) return invalid("one box per frame is needed");
  FramesAndBoxes out{std::move(frames).value(), {}};
  for (size_t i = 0; i < n.value(); ++i) {
    auto b = read_box(boxes_js[i], "each box");
    if (!b) return b.error();
    out.boxes.push_back(b.value());
  }
  return out;
}

// sharpness: one number per frame (NaN or not a number: unknown) -> Float64Array of weights.
val frame_weights(val sharpness) {
  auto s = read_number_list(sharpness, "the sharpness values", kMaxFrames);
  if (!s) return error_result(s.error());
  return double_array(id::frame_weights(s.value()));
}

// The segmenter's input for each frame: the subject's square, grown by the margin ->
// {ok, tensors: [Float32Array], dims, squares: [box]}
val subject_mask_tensors(val frames_js, val boxes_js, val spec_js) {
  auto in = read_frames_and_boxes(frames_js, boxes_js);
  if (!in) return error_result(in.error());
  auto spec = read_spec(spec_js, "the segmenter's spec");
  if (!spec) return error_result(spec.error());
  val tensors = val::array(), squares = val::array();
  std::vector<float> t(spec.value().spec.size());
  for (size_t i = 0; i < in.value().frames.size(); ++i) {
    const id::Box square = id::square_box(in.value().boxes[i], id::kMaskMargin);
    if (!std::isfinite(square.w) || !std::isfinite(square.x) || !std::isfinite(square.y)) {
      return error_result(invalid("the subject box is too large for a square around it"));
    }
    id::crop_to_tensor(in.value().frames[i]->image(), square, spec.value().spec, t.data());
    tensors.call<void>("push", float_array(t));
    squares.call<void>("push", box_js(square));
  }
  val o = ok_object();
  o.set("tensors", tensors);
  o.set("dims", batch_dims(spec.value().spec, 1));
  o.set("squares", squares);
  return o;
}

// frames, the segmenter's outputs (runner results or their data) on their squares, the squares,
// the segmenter's grid side -> {ok, frames: [IdentityFrame | null]}: the subject-only copy of
// each frame (background filled), null where the segmenter saw too little foreground.
val mask_frames(val frames_js, val outputs, val squares_js, val size_js) {
  auto in = read_frames_and_boxes(frames_js, squares_js);
  if (!in) return error_result(in.error());
  auto size = read_int(size_js, "the segmenter size", 1, kMaxTensorSide);
  if (!size) return error_result(size.error());
  auto n = read_length(outputs, "the segmenter's outputs", kMaxFrames);
  if (!n) return error_result(n.error());
  if (n.value() != in.value().frames.size()) return error_result(invalid("one segmenter output per frame is needed"));
  const size_t expected = size_t(size.value()) * size.value() * 21;
  std::vector<std::vector<float>> logits;
  for (size_t i = 0; i < n.value(); ++i) {
    val out = outputs[i];
    if (!is_absent(out) && out.typeOf().as<std::string>() == "object" && !out["data"].isUndefined()) out = out["data"];
    auto l = read_floats(out, "the segmenter's output", expected, expected);
    if (!l) return error_result(l.error());
    logits.push_back(std::move(l).value());
  }
  val list = val::array();
  for (size_t i = 0; i < logits.size(); ++i) {
    auto mask = id::foreground_mask(logits[i].data(), logits[i].size(), size.value(), in.value().boxes[i],
                                    id::kMaskMinShare);
    const IdentityFrame& frame = *in.value().frames[i];
    list.call<void>("push", mask ? val(IdentityFrame(id::masked_image(frame.image(), *mask), std::move(*mask)))
                                 : val::null());
  }
  val o = ok_object();
  o.set("frames", list);
  return o;
}

// One batch tensor for an embedding part: each frame's box ("box") or the square around it
// ("square") stretched to the spec -> {ok, tensor, dims}.
val crop_tensors(val frames_js, val boxes_js, val spec_js, val crop_js) {
  auto in = read_frames_and_boxes(frames_js, boxes_js);
  if (!in) return error_result(in.error());
  auto spec = read_spec(spec_js, "the tensor spec");
  if (!spec) return error_result(spec.error());
  auto crop = read_string(crop_js, "the crop");
  if (!crop) return error_result(crop.error());
  if (crop.value() != "box" && crop.value() != "square") return error_result(invalid("the crop must be box or square"));
  const size_t one = spec.value().spec.size(), n = in.value().frames.size();
  if (n && one > kMaxTensorFloats / n) return error_result(invalid("the batch is too large"));
  std::vector<float> t(one * n);
  for (size_t i = 0; i < n; ++i) {
    const id::Box b = crop.value() == "square" ? id::square_box(in.value().boxes[i]) : in.value().boxes[i];
    id::crop_to_tensor(in.value().frames[i]->image(), b, spec.value().spec, t.data() + i * one);
  }
  val o = ok_object();
  o.set("tensor", float_array(t));
  o.set("dims", batch_dims(spec.value().spec, n));
  return o;
}

// One batch tensor of aligned faces: frames and each frame's 10 landmark numbers -> {ok, tensor, dims}.
val aligned_face_tensors(val frames_js, val landmarks_js, val spec_js) {
  auto frames = read_frames(frames_js, "each frame");
  if (!frames) return error_result(frames.error());
  auto n = read_length(landmarks_js, "the landmarks", kMaxFrames);
  if (!n) return error_result(n.error());
  if (n.value() != frames.value().size()) return error_result(invalid("one set of landmarks per frame is needed"));
  auto spec = read_spec(spec_js, "the tensor spec");
  if (!spec) return error_result(spec.error());
  const size_t one = spec.value().spec.size();
  if (n.value() && one > kMaxTensorFloats / n.value()) return error_result(invalid("the batch is too large"));
  std::vector<float> t(one * n.value());
  for (size_t i = 0; i < n.value(); ++i) {
    auto l = read_numbers(landmarks_js[i], "the landmarks", 10);
    if (!l) return error_result(l.error());
    std::array<float, 10> points{};
    for (int k = 0; k < 10; ++k) points[k] = float(l.value()[k]);
    id::aligned_face_to_tensor(frames.value()[i]->image(), points, spec.value().spec, t.data() + i * one);
  }
  val o = ok_object();
  o.set("tensor", float_array(t));
  o.set("dims", batch_dims(spec.value().spec, n.value()));
  return o;
}

// The colour descriptor of each frame's box (inside the frame's mask when it has one) ->
// {ok, values: [Float32Array]}
val colour_descriptors(val frames_js, val boxes_js) {
  auto in = read_frames_and_boxes(frames_js, boxes_js);
  if (!in) return error_result(in.error());
  val values = val::array();
  for (size_t i = 0; i < in.value().frames.size(); ++i) {
    const IdentityFrame& f = *in.value().frames[i];
    values.call<void>("push", float_array(f.mask() ? id::colour_descriptor(f.image(), in.value().boxes[i], *f.mask())
                                                   : id::colour_descriptor(f.image(), in.value().boxes[i])));
  }
  val o = ok_object();
  o.set("values", values);
  return o;
}

// layout: {parts: [{name, dims, weight}], facePart} (the manifest's embeddings entry), or null
// for charid-id@1's fixed layout.
charid::Result<id::VectorLayout> read_layout(const val& l) {
  if (is_absent(l)) return id::v1_layout();
  auto n = read_length(l["parts"], "the layout's parts", 64);
  if (!n) return n.error();
  id::VectorLayout layout;
  for (size_t i = 0; i < n.value(); ++i) {
    const val p = l["parts"][i];
    if (is_absent(p)) return invalid("each layout part must be an object");
    auto name = read_string(p["name"], "a part name", 64);
    if (!name) return name.error();
    auto dims = read_int(p["dims"], "a part's dims", 1, 65536);
    if (!dims) return dims.error();
    auto weight = read_number(p["weight"], "a part's weight");
    if (!weight) return weight.error();
    layout.parts.push_back({name.value(), dims.value(), float(weight.value())});
  }
  if (layout.dims() > 65536) return invalid("the layout has more than 65536 dims");
  if (!is_absent(l["facePart"])) {
    auto face = read_string(l["facePart"], "the face part", 64);
    if (!face) return face.error();
    layout.face_part = face.value();
  }
  return layout;
}

// layout (see read_layout), parts: {name: [Float32Array | null per frame]}, weights: one per
// frame -> {ok, vector, kept, frameVectors}
val fuse_clip(val layout_js, val parts_js, val weights_js) {
  auto layout = read_layout(layout_js);
  if (!layout) return error_result(layout.error());
  auto weights = read_floats(weights_js, "the frame weights", kMaxFrames);
  if (!weights) return error_result(weights.error());
  if (is_absent(parts_js)) return error_result(invalid("the parts must be an object of per-frame values"));
  std::vector<std::vector<std::vector<float>>> parts;
  for (const auto& p : layout.value().parts) {
    const val list = parts_js[p.name];
    auto n = read_length(list, ("the values of part " + p.name).c_str(), kMaxFrames);
    if (!n) return error_result(n.error());
    std::vector<std::vector<float>> frames;
    for (size_t i = 0; i < n.value(); ++i) {
      const val v = list[i];
      if (is_absent(v)) {
        frames.emplace_back();
        continue;
      }
      auto values = read_floats(v, ("a value of part " + p.name).c_str(), size_t(p.dims));
      if (!values) return error_result(values.error());
      frames.push_back(std::move(values).value());
    }
    parts.push_back(std::move(frames));
  }
  auto r = id::fuse_clip(layout.value(), parts, weights.value());
  if (!r) return error_result(r.error());
  val frame_vectors = val::array();
  for (const auto& v : r.value().frame_vectors) frame_vectors.call<void>("push", float_array(v));
  val o = ok_object();
  o.set("vector", float_array(r.value().aggregate.vector));
  o.set("kept", array_of(r.value().aggregate.kept));
  o.set("frameVectors", frame_vectors);
  return o;
}

}  // namespace

// The payload stage is in identity_payload_bindings.cpp (it converts JS values to JSON).
EMSCRIPTEN_BINDINGS(charid_identity_embed) {
  emscripten::function("frameWeights", &frame_weights);
  emscripten::function("subjectMaskTensors", &subject_mask_tensors);
  emscripten::function("maskFrames", &mask_frames);
  emscripten::function("cropTensors", &crop_tensors);
  emscripten::function("alignedFaceTensors", &aligned_face_tensors);
  emscripten::function("colourDescriptors", &colour_descriptors);
  emscripten::function("fuseClip", &fuse_clip);
}
