// Embind bindings of the identity core (src/identity): tensors for the networks, decoding of
// their outputs, subject choice, fusion, aggregation, quantisation and the payload.
//
// Ownership: IdentityFrame owns a copy of one frame's pixels in wasm memory; JS creates it with
// `new IdentityFrame(rgb, width, height)` and must call `.delete()`. Every other result is a
// fresh JS object or typed array copied out before the call returns; no view into wasm memory
// escapes (memory growth would invalidate it). Errors come back as {ok: false, error: {code,
// message}}, never as exceptions.
//
// Why one file past 400 lines: the exports share this file's readers of JS options and its
// conversions of frames and detections; it is to be split by stage when the boundary becomes one
// call per stage with value_object marshalling (issue 13), not before, so that no reader is copied.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>

#include "core/error.h"
#include "core/part_similarity.h"
#include "identity/colour_descriptor.h"
#include "identity/detections.h"
#include "identity/foreground_mask.h"
#include "identity/identity_vector.h"
#include "identity/payload.h"
#include "identity/subject_tracker.h"
#include "identity/tensor_prep.h"
#include "js_values.h"

using emscripten::val;
using charid::js::error_result;
namespace id = charid::identity;

namespace {

class IdentityFrame {
 public:
  // The size is checked against the array before anything is allocated, so a wrong or hostile
  // width x height gives an invalid frame, not a failed allocation.
  IdentityFrame(val rgb, int width, int height) {
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) return;
    const size_t n = size_t(width) * size_t(height) * 3;
    if (rgb["length"].as<size_t>() != n) return;
    image_ = charid::RgbImage(width, height);
    val(emscripten::typed_memory_view(n, image_.pixels.data())).call<void>("set", rgb);
  }
  IdentityFrame(charid::RgbImage image, id::ForegroundMask mask)
      : image_(std::move(image)), mask_(std::move(mask)) {}
  bool valid() const { return !image_.empty(); }
  int width() const { return image_.width; }
  int height() const { return image_.height; }
  const charid::RgbImage& image() const { return image_; }
  // Set on the subject-only copy made by maskFrame.
  const std::optional<id::ForegroundMask>& mask() const { return mask_; }

 private:
  charid::RgbImage image_;
  std::optional<id::ForegroundMask> mask_;
};

template <typename T>
std::vector<T> to_vector(const val& array) {
  if (array.isNull() || array.isUndefined()) return {};
  return emscripten::convertJSArrayToNumberVector<T>(array);
}

val float_array(const std::vector<float>& v) {
  return val::global("Float32Array").new_(emscripten::typed_memory_view(v.size(), v.data()));
}

id::Box box_from(const val& b) {
  return {b[0].as<float>(), b[1].as<float>(), b[2].as<float>(), b[3].as<float>()};
}

val box_js(const id::Box& b) {
  val o = val::array();
  o.call<void>("push", b.x, b.y, b.w, b.h);
  return o;
}

id::TensorSpec spec_from(const val& s) {
  id::TensorSpec spec;
  spec.width = s["width"].as<int>();
  spec.height = s["height"].as<int>();
  spec.nchw = s["layout"].as<std::string>() != "NHWC";
  spec.bgr = s["colour"].as<std::string>() == "BGR";
  spec.scale = s["scale"].as<float>();
  for (int c = 0; c < 3; ++c) {
    spec.mean[c] = s["mean"][c].as<float>();
    spec.std[c] = s["std"][c].as<float>();
  }
  return spec;
}

id::Letterbox fit_from(const val& f) {
  return {f["inputWidth"].as<int>(), f["inputHeight"].as<int>(), f["scale"].as<float>()};
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

id::SubjectKind kind_from(const std::string& name) {
  for (auto k : {id::SubjectKind::face, id::SubjectKind::person, id::SubjectKind::animal,
                 id::SubjectKind::object}) {
    if (id::subject_kind_name(k) == name) return k;
  }
  return id::SubjectKind::unknown;
}

id::Detection detection_from(const val& o) {
  id::Detection d;
  d.box = box_from(o["box"]);
  d.score = o["score"].as<float>();
  d.kind = kind_from(o["kind"].as<std::string>());
  d.class_id = o["classId"].as<int>();
  if (!o["landmarks"].isUndefined()) {
    d.has_landmarks = true;
    for (int i = 0; i < 10; ++i) d.landmarks[i] = o["landmarks"][i].as<float>();
  }
  return d;
}

std::vector<id::Detection> detections_from(const val& list) {
  std::vector<id::Detection> out;
  const int n = list["length"].as<int>();
  for (int i = 0; i < n; ++i) out.push_back(detection_from(list[i]));
  return out;
}

val detections_js(const std::vector<id::Detection>& list) {
  val out = val::array();
  for (const auto& d : list) out.call<void>("push", detection_js(d));
  return out;
}

// {tensor, fit: {inputWidth, inputHeight, scale}}; spec.pad is the letterbox fill (0..255).
val letterbox_tensor(const IdentityFrame& frame, val spec_js) {
  const id::TensorSpec spec = spec_from(spec_js);
  std::vector<float> t(spec.size());
  const id::Letterbox fit = id::letterbox_to_tensor(frame.image(), spec, spec_js["pad"].as<float>(), t.data());
  val f = val::object();
  f.set("inputWidth", fit.input_width);
  f.set("inputHeight", fit.input_height);
  f.set("scale", fit.scale);
  val o = val::object();
  o.set("tensor", float_array(t));
  o.set("fit", f);
  return o;
}

val crop_tensor(const IdentityFrame& frame, val box, val spec_js) {
  const id::TensorSpec spec = spec_from(spec_js);
  std::vector<float> t(spec.size());
  id::crop_to_tensor(frame.image(), box_from(box), spec, t.data());
  return float_array(t);
}

val aligned_face_tensor(const IdentityFrame& frame, val landmarks, val spec_js) {
  const id::TensorSpec spec = spec_from(spec_js);
  std::array<float, 10> l{};
  for (int i = 0; i < 10; ++i) l[i] = landmarks[i].as<float>();
  std::vector<float> t(spec.size());
  id::aligned_face_to_tensor(frame.image(), l, spec, t.data());
  return float_array(t);
}

// Inside the frame's mask when it has one (the subject-only copy), else over the whole box.
val colour_descriptor(const IdentityFrame& frame, val box) {
  const auto& mask = frame.mask();
  return float_array(mask ? id::colour_descriptor(frame.image(), box_from(box), *mask)
                          : id::colour_descriptor(frame.image(), box_from(box)));
}

// The subject-only copy of a frame: segmenter logits [size, size, 21] of the square crop `box`
// (frame pixels) -> a new IdentityFrame (the caller deletes it) with the background filled, or
// null when the segmenter found less than `min_share` foreground (then keep the plain frame).
val mask_frame(const IdentityFrame& frame, val logits, int size, val box, float min_share) {
  const std::vector<float> data = to_vector<float>(logits);
  auto mask = id::foreground_mask(data.data(), data.size(), size, box_from(box), min_share);
  if (!mask || !frame.valid()) return val::null();
  return val(IdentityFrame(id::masked_image(frame.image(), *mask), std::move(*mask)));
}

// outputs: {cls_8, obj_8, bbox_8, kps_8, ... _16, _32} as Float32Arrays.
val decode_yunet(val outputs, val fit, float threshold, float nms_iou) {
  std::vector<float> store[12];
  std::array<id::YunetStride, 3> strides;
  const char* strides_names[3] = {"8", "16", "32"};
  for (int s = 0; s < 3; ++s) {
    const std::string n = strides_names[s];
    store[4 * s] = to_vector<float>(outputs["cls_" + n]);
    store[4 * s + 1] = to_vector<float>(outputs["obj_" + n]);
    store[4 * s + 2] = to_vector<float>(outputs["bbox_" + n]);
    store[4 * s + 3] = to_vector<float>(outputs["kps_" + n]);
    strides[s] = {store[4 * s].data(), store[4 * s + 1].data(), store[4 * s + 2].data(),
                  store[4 * s + 3].data()};
  }
  return detections_js(
      id::non_max_suppression(id::decode_yunet(strides, fit_from(fit), threshold), nms_iou));
}

val decode_yolox(val output, val fit, float threshold, float nms_iou) {
  const std::vector<float> data = to_vector<float>(output);
  return detections_js(id::non_max_suppression(
      id::decode_yolox(data.data(), int(data.size() / 85), fit_from(fit), threshold), nms_iou));
}

val foreground_detection(val logits, int size, int frame_width, int frame_height, float threshold) {
  const std::vector<float> data = to_vector<float>(logits);
  if (data.size() != size_t(size) * size * 21) return val::null();
  auto d = id::foreground_detection(data.data(), size, frame_width, frame_height, threshold);
  return d ? detection_js(*d) : val::null();
}

// frames: [{width, height, objects: [det], faces: [det]}]; caller_box: [x, y, w, h] normalised
// on the first frame, or null.
val choose_subject(val frames_js, val caller_box) {
  std::vector<id::FrameDetections> frames;
  const int n = frames_js["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    val f = frames_js[i];
    frames.push_back({f["width"].as<int>(), f["height"].as<int>(), detections_from(f["objects"]),
                      detections_from(f["faces"])});
  }
  const id::SubjectChoice c = caller_box.isNull() || caller_box.isUndefined()
                                  ? id::choose_subject(frames)
                                  : id::follow_caller_box(frames, box_from(caller_box));
  val boxes = val::array(), faces = val::array();
  for (size_t i = 0; i < c.boxes.size(); ++i) {
    boxes.call<void>("push", box_js(c.boxes[i]));
    faces.call<void>("push", c.faces[i] ? detection_js(*c.faces[i]) : val::null());
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

val centre_box(int width, int height) { return box_js(id::centre_box(width, height)); }

val aggregate_js(const charid::Result<id::Aggregate>& r) {
  if (!r) return error_result(r.error());
  val o = val::object();
  o.set("ok", true);
  o.set("vector", float_array(r.value().vector));
  o.set("kept", charid::js::array_of(r.value().kept));
  return o;
}

val fuse_frame(val osnet, val mobilenet, val face, val colour) {
  auto r = id::fuse_frame(to_vector<float>(osnet), to_vector<float>(mobilenet),
                          to_vector<float>(face), to_vector<float>(colour));
  return r ? float_array(r.value()) : error_result(r.error());
}

val aggregate_identity(val frames_js, val weights_js) {
  std::vector<std::vector<float>> frames;
  const int n = frames_js["length"].as<int>();
  for (int i = 0; i < n; ++i) frames.push_back(to_vector<float>(frames_js[i]));
  return aggregate_js(id::aggregate_identity(frames, to_vector<float>(weights_js)));
}

// layout: {parts: [{name, dims, weight}], facePart} (the manifest's embeddings entry).
id::VectorLayout layout_from(const val& l) {
  id::VectorLayout layout;
  const int n = l["parts"]["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    val p = l["parts"][i];
    layout.parts.push_back({p["name"].as<std::string>(), p["dims"].as<int>(), p["weight"].as<float>()});
  }
  if (!l["facePart"].isUndefined() && !l["facePart"].isNull()) layout.face_part = l["facePart"].as<std::string>();
  return layout;
}

std::vector<std::vector<float>> vectors_from(const val& list) {
  std::vector<std::vector<float>> out;
  const int n = list["length"].as<int>();
  for (int i = 0; i < n; ++i) out.push_back(to_vector<float>(list[i]));
  return out;
}

val fuse_parts(val layout, val parts) {
  auto r = id::fuse_parts(layout_from(layout), vectors_from(parts));
  return r ? float_array(r.value()) : error_result(r.error());
}

val aggregate_parts(val layout, val frames, val weights) {
  return aggregate_js(id::aggregate_parts(layout_from(layout), vectors_from(frames), to_vector<float>(weights)));
}

// The score of two vectors under a model's similarity rule (src/core/part_similarity), the same
// code the registry's index runs. rule: {rule: "cosine" | "face_led", face_part, face_weight,
// face_offset (optional, 0)};
// parts: [{name, offset, dims}].
val part_similarity(val rule_js, val parts_js, val a_js, val b_js) {
  charid::SimilarityRule rule;
  const std::string kind = rule_js["rule"].isUndefined() ? "cosine" : rule_js["rule"].as<std::string>();
  if (kind == "face_led") {
    rule.kind = charid::SimilarityKind::face_led;
    rule.face_part = rule_js["face_part"].as<std::string>();
    rule.face_weight = rule_js["face_weight"].as<double>();
    if (!rule_js["face_offset"].isUndefined()) rule.face_offset = rule_js["face_offset"].as<double>();
  } else if (kind != "cosine") {
    return error_result(charid::make_error(charid::ErrorCode::invalid_argument, "unknown similarity rule " + kind));
  }
  std::vector<charid::Part> parts;
  const int n = parts_js["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    val p = parts_js[i];
    parts.push_back({p["name"].as<std::string>(), p["offset"].as<size_t>(), p["dims"].as<size_t>()});
  }
  const std::vector<float> a = to_vector<float>(a_js), b = to_vector<float>(b_js);
  if (a.size() != b.size()) {
    return error_result(charid::make_error(charid::ErrorCode::invalid_argument, "vectors of different sizes cannot be compared"));
  }
  if (auto problem = charid::similarity_rule_problem(rule, parts, a.size())) {
    return error_result(charid::make_error(charid::ErrorCode::invalid_argument, *problem));
  }
  return val(charid::similarity_float(rule, parts, a.data(), b.data()));
}

// p: {model (default charid-id@1), vector: Float32Array (aggregated), window: {start, end}, frames, subject: {kind, box},
//     sourceJson, qualityJson, warnings: [string], timings: {name: ms}} -> JSON text.
std::string payload_json(val p) {
  id::EmbeddingPayload e;
  if (!p["model"].isUndefined()) e.model = p["model"].as<std::string>();
  e.vector = id::quantize_int8(to_vector<float>(p["vector"]));
  e.window_start = p["window"]["start"].as<double>();
  e.window_end = p["window"]["end"].as<double>();
  e.frames = p["frames"].as<int>();
  e.subject_kind = p["subject"]["kind"].as<std::string>();
  for (int i = 0; i < 4; ++i) e.subject_box[i] = p["subject"]["box"][i].as<double>();
  e.source_json = p["sourceJson"].as<std::string>();
  e.quality_json = p["qualityJson"].as<std::string>();
  const int nw = p["warnings"]["length"].as<int>();
  for (int i = 0; i < nw; ++i) e.warnings.push_back(p["warnings"][i].as<std::string>());
  val keys = val::global("Object").call<val>("keys", p["timings"]);
  const int nt = keys["length"].as<int>();
  for (int i = 0; i < nt; ++i) {
    const std::string k = keys[i].as<std::string>();
    e.timings_ms.emplace_back(k, p["timings"][k].as<double>());
  }
  return id::payload_json(e);
}

// A payload's vector back to floats (dequantised).
val decode_vector(std::string base64, int dims, float scale) {
  auto r = id::decode_vector(base64, dims, scale);
  return r ? float_array(id::dequantize(r.value())) : error_result(r.error());
}

val cosine(val a, val b) {
  auto r = id::cosine(to_vector<float>(a), to_vector<float>(b));
  return r ? val(r.value()) : error_result(r.error());
}

val identity_layout() {
  val parts = val::array();
  for (const id::PartLayout* p : {&id::kOsnetPart, &id::kMobilenetPart, &id::kFacePart, &id::kColourPart}) {
    val o = val::object();
    o.set("name", std::string(p->name));
    o.set("offset", p->offset);
    o.set("dims", p->dims);
    o.set("weight", p->weight);
    parts.call<void>("push", o);
  }
  val o = val::object();
  o.set("model", std::string(id::kIdentityModel));
  o.set("dims", id::kIdentityDims);
  o.set("parts", parts);
  return o;
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_identity) {
  emscripten::class_<IdentityFrame>("IdentityFrame")
      .constructor<val, int, int>()
      .function("valid", &IdentityFrame::valid)
      .property("width", &IdentityFrame::width)
      .property("height", &IdentityFrame::height);
  emscripten::function("letterboxTensor", &letterbox_tensor);
  emscripten::function("cropTensor", &crop_tensor);
  emscripten::function("alignedFaceTensor", &aligned_face_tensor);
  emscripten::function("colourDescriptor", &colour_descriptor);
  emscripten::function("decodeYunet", &decode_yunet);
  emscripten::function("decodeYolox", &decode_yolox);
  emscripten::function("foregroundDetection", &foreground_detection);
  emscripten::function("chooseSubject", &choose_subject);
  emscripten::function("centreBox", &centre_box);
  emscripten::function("fuseFrame", &fuse_frame);
  emscripten::function("aggregateIdentity", &aggregate_identity);
  emscripten::function("maskFrame", &mask_frame);
  emscripten::function("fuseParts", &fuse_parts);
  emscripten::function("aggregateParts", &aggregate_parts);
  emscripten::function("partSimilarity", &part_similarity);
  emscripten::function("payloadJson", &payload_json);
  emscripten::function("decodeVector", &decode_vector);
  emscripten::function("cosine", &cosine);
  emscripten::function("identityLayout", &identity_layout);
}
