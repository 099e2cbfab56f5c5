// Embind bindings of the identity core, part 2: locating the subject. One call per frame makes
// both detectors' input tensors and the plan (how the frame was fitted); one call over all frames
// takes the detectors' outputs back and answers the subject (src/identity/locate_subject.h holds
// the thresholds and the centre-box fallback). The segmenter stands in when the detectors find
// nothing, in the same two steps.
//
// Ownership: every result is a fresh JS value; the frames stay the caller's.
#include <emscripten/bind.h>

#include "identity/locate_subject.h"
#include "identity/pipeline_policy.h"
#include "identity_values.h"

using emscripten::val;
using namespace charid::js;

namespace {

val letterbox(const IdentityFrame& frame, const id::TensorSpec& spec, float pad) {
  std::vector<float> t(spec.size());
  const id::Letterbox fit = id::letterbox_to_tensor(frame.image(), spec, pad, t.data());
  val o = val::object();
  o.set("tensor", float_array(t));
  o.set("dims", batch_dims(spec, 1));
  o.set("fit", val(fit));
  return o;
}

// frame, the face and object detectors' tensor specs (parts.mjs tensorSpec of the manifest
// inputs; YuNet's size is the core's choice for the frame) ->
// {ok, face: {tensor, dims, fit}, object: {tensor, dims, fit}}
val detection_tensors(val frame, val face_spec, val object_spec) {
  auto f = read_frame(frame, "the frame");
  if (!f) return error_result(f.error());
  auto face = read_spec(face_spec, "the face detector's spec");
  if (!face) return error_result(face.error());
  auto object = read_spec(object_spec, "the object detector's spec");
  if (!object) return error_result(object.error());
  const id::InputSize size = id::yunet_input_size(f.value()->width(), f.value()->height());
  face.value().spec.width = size.width;
  face.value().spec.height = size.height;
  val o = val::object();
  o.set("ok", true);
  o.set("face", letterbox(*f.value(), face.value().spec, face.value().pad));
  o.set("object", letterbox(*f.value(), object.value().spec, object.value().pad));
  return o;
}

// A model's output as the runner gives it ({data, dims}) or its bare data.
val output_data(const val& output) {
  return !is_absent(output) && output.typeOf().as<std::string>() == "object" && !output["data"].isUndefined()
             ? output["data"]
             : output;
}

// The single output of a runner result {name: {data, dims}}.
charid::Result<val> only_output(const val& outputs, const char* what) {
  if (is_absent(outputs) || outputs.typeOf().as<std::string>() != "object") {
    return invalid(std::string(what) + " must be the model's outputs");
  }
  val keys = val::global("Object").call<val>("keys", outputs);
  if (keys["length"].as<int>() != 1) return invalid(std::string(what) + " must hold exactly one output");
  return output_data(outputs[keys[0]]);
}

// One entry of the outputs list: {width, height, faceFit, objectFit, face: {cls_8: ..., ...},
// object: {output: ...}} (the runner's results as they came).
charid::Result<id::DetectorOutputs> read_detector_outputs(const val& e) {
  if (is_absent(e) || e.typeOf().as<std::string>() != "object") return invalid("each frame's outputs must be an object");
  id::DetectorOutputs o;
  auto w = read_int(e["width"], "the frame width", 1, kMaxFrameSide);
  if (!w) return w.error();
  auto h = read_int(e["height"], "the frame height", 1, kMaxFrameSide);
  if (!h) return h.error();
  o.width = w.value(), o.height = h.value();
  auto ff = read_fit(e["faceFit"], "faceFit");
  if (!ff) return ff.error();
  auto of = read_fit(e["objectFit"], "objectFit");
  if (!of) return of.error();
  o.face_fit = ff.value(), o.object_fit = of.value();
  const val face = e["face"];
  if (is_absent(face) || face.typeOf().as<std::string>() != "object") return invalid("face must be the face detector's outputs");
  for (int s = 0; s < 3; ++s) {
    for (int t = 0; t < 4; ++t) {
      const std::string name = id::yunet_output_name(s, t);
      auto data = read_floats(output_data(face[name]), ("the face detector's output " + name).c_str());
      if (!data) return data.error();
      o.yunet[s][t] = std::move(data).value();
    }
  }
  auto object = only_output(e["object"], "object");
  if (!object) return object.error();
  auto data = read_floats(object.value(), "the object detector's output");
  if (!data) return data.error();
  o.yolox = std::move(data).value();
  return o;
}

charid::Result<std::vector<id::FrameDetections>> decode_all(const val& list) {
  auto n = read_length(list, "the outputs", kMaxFrames);
  if (!n) return n.error();
  std::vector<id::FrameDetections> frames;
  for (size_t i = 0; i < n.value(); ++i) {
    auto o = read_detector_outputs(list[i]);
    if (!o) return o.error();
    auto d = id::frame_detections(o.value());
    if (!d) return d.error();
    frames.push_back(std::move(d).value());
  }
  return frames;
}

val located_js(const id::LocatedSubject& s) {
  val o = subject_js(s.choice);
  o.set("ok", true);
  o.set("warnings", array_of(s.warnings));
  return o;
}

// outputs (one per frame, see read_detector_outputs) -> {ok, frames: [{width, height, faces,
// objects}]}: every detection after the pipeline's thresholds and NMS (the cast check's input).
val decode_detections(val outputs) {
  auto frames = decode_all(outputs);
  if (!frames) return error_result(frames.error());
  val list = val::array();
  for (const auto& f : frames.value()) {
    val o = val::object();
    o.set("width", f.width);
    o.set("height", f.height);
    o.set("faces", detections_js(f.faces));
    o.set("objects", detections_js(f.objects));
    list.call<void>("push", o);
  }
  val o = val::object();
  o.set("ok", true);
  o.set("frames", list);
  return o;
}

// outputs, callerBox ([x, y, w, h] normalised on the first frame, or null) -> {ok, found, kind,
// boxes, faces, multipleSubjects, candidates, warnings}; not found: centre boxes, and the caller
// tries the segmenter (locateForeground).
val locate_subject(val outputs, val caller_box) {
  auto frames = decode_all(outputs);
  if (!frames) return error_result(frames.error());
  std::optional<id::Box> box;
  if (!is_absent(caller_box)) {
    auto b = read_box(caller_box, "the subject box");
    if (!b) return error_result(b.error());
    box = b.value();
  }
  return located_js(id::locate_subject(frames.value(), box, false));
}

// The segmenter's input for a frame: the whole frame stretched to the spec -> {ok, tensor, dims}.
val foreground_tensor(val frame, val spec_js) {
  auto f = read_frame(frame, "the frame");
  if (!f) return error_result(f.error());
  auto spec = read_spec(spec_js, "the segmenter's spec");
  if (!spec) return error_result(spec.error());
  std::vector<float> t(spec.value().spec.size());
  const id::Box whole{0, 0, float(f.value()->width()), float(f.value()->height())};
  id::crop_to_tensor(f.value()->image(), whole, spec.value().spec, t.data());
  val o = val::object();
  o.set("ok", true);
  o.set("tensor", float_array(t));
  o.set("dims", batch_dims(spec.value().spec, 1));
  return o;
}

// outputs: [{width, height, segmenter: runner result}], size: the segmenter's grid side ->
// as locateSubject, with the centre box and no_subject_found when it finds nothing either.
val locate_foreground(val outputs, val size_js) {
  auto size = read_int(size_js, "the segmenter size", 1, kMaxTensorSide);
  if (!size) return error_result(size.error());
  auto n = read_length(outputs, "the outputs", kMaxFrames);
  if (!n) return error_result(n.error());
  std::vector<id::FrameDetections> frames;
  for (size_t i = 0; i < n.value(); ++i) {
    const val e = outputs[i];
    if (is_absent(e) || e.typeOf().as<std::string>() != "object") return error_result(invalid("each frame's outputs must be an object"));
    auto w = read_int(e["width"], "the frame width", 1, kMaxFrameSide);
    if (!w) return error_result(w.error());
    auto h = read_int(e["height"], "the frame height", 1, kMaxFrameSide);
    if (!h) return error_result(h.error());
    auto out = only_output(e["segmenter"], "segmenter");
    if (!out) return error_result(out.error());
    const size_t expected = size_t(size.value()) * size.value() * 21;
    auto logits = read_floats(out.value(), "the segmenter's output", expected, expected);
    if (!logits) return error_result(logits.error());
    auto f = id::foreground_frame(logits.value(), size.value(), w.value(), h.value());
    if (!f) return error_result(f.error());
    frames.push_back(std::move(f).value());
  }
  return located_js(id::locate_subject(frames, std::nullopt, true));
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_identity_locate) {
  emscripten::function("detectionTensors", &detection_tensors);
  emscripten::function("decodeDetections", &decode_detections);
  emscripten::function("locateSubject", &locate_subject);
  emscripten::function("foregroundTensor", &foreground_tensor);
  emscripten::function("locateForeground", &locate_foreground);
}
