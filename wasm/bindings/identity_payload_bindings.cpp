// Embind bindings of the identity core, part 4: the charid.embedding/1 payload. JS passes plain
// values (the probe's source and the quality summary as objects, not JSON text); the payload is
// written by nlohmann-json (src/identity/payload.cpp) and comes back as JSON text.
//
// Ownership: the result is a fresh JS value.
#include <emscripten/bind.h>

#include "identity/payload.h"
#include "identity_values.h"

using emscripten::val;
using namespace charid::js;
using nlohmann::ordered_json;

namespace {

constexpr int kMaxDepth = 8;         // source and quality are flat objects of a level or two
constexpr size_t kMaxEntries = 4096;  // per object or array

// What JSON.stringify leaves out of an object (and writes as null in an array).
bool unwritable(const val& v) {
  const std::string type = v.typeOf().as<std::string>();
  return type == "undefined" || type == "function" || type == "symbol";
}

// A plain JS value (object, array, string, number, boolean, null) as JSON, keys in their order,
// as JSON.stringify writes it (undefined, functions and symbols left out of objects, null in
// arrays); a BigInt or a nest deeper than kMaxDepth is an error.
charid::Result<ordered_json> json_of(const val& v, const char* what, int depth = 0) {
  if (depth > kMaxDepth) return invalid(std::string(what) + " is nested too deeply");
  if (v.isNull() || unwritable(v)) return ordered_json(nullptr);
  if (v.isTrue()) return ordered_json(true);
  if (v.isFalse()) return ordered_json(false);
  if (v.isNumber()) return id::json_number(v.as<double>());
  if (v.isString()) return ordered_json(v.as<std::string>());
  if (v.typeOf().as<std::string>() != "object") return invalid(std::string(what) + " holds a value JSON cannot hold");
  if (val::global("Array").call<bool>("isArray", v)) {
    auto n = read_length(v, what, kMaxEntries);
    if (!n) return n.error();
    ordered_json out = ordered_json::array();
    for (size_t i = 0; i < n.value(); ++i) {
      auto e = json_of(v[i], what, depth + 1);
      if (!e) return e.error();
      out.push_back(std::move(e).value());
    }
    return out;
  }
  const val keys = val::global("Object").call<val>("keys", v);
  const size_t n = keys["length"].as<size_t>();
  if (n > kMaxEntries) return invalid(std::string(what) + " has too many entries");
  ordered_json out = ordered_json::object();
  for (size_t i = 0; i < n; ++i) {
    const std::string key = keys[i].as<std::string>();
    const val e = v[key];
    if (unwritable(e)) continue;
    auto j = json_of(e, what, depth + 1);
    if (!j) return j.error();
    out[key] = std::move(j).value();
  }
  return out;
}

charid::Result<std::vector<std::string>> read_strings(const val& v, const char* what, size_t max) {
  auto n = read_length(v, what, max);
  if (!n) return n.error();
  std::vector<std::string> out;
  for (size_t i = 0; i < n.value(); ++i) {
    auto s = read_string(v[i], what, 256);
    if (!s) return s.error();
    out.push_back(s.value());
  }
  return out;
}

// p: {model, vector (Float32Array, the clip's vector before quantisation), window: {start, end},
// frames, subject: {kind, box ([x, y, w, h] normalised)}, source: {...}, quality: {...},
// warnings: [string], timings: {name: ms}, backend (optional string)} -> {ok, json}
val embedding_payload(val p) {
  if (is_absent(p) || p.typeOf().as<std::string>() != "object") return error_result(invalid("the payload fields must be an object"));
  id::EmbeddingPayload e;
  auto model = read_string(p["model"], "the model", 64);
  if (!model) return error_result(model.error());
  e.model = model.value();
  auto vector = read_floats(p["vector"], "the vector", 65536);
  if (!vector) return error_result(vector.error());
  if (vector.value().empty()) return error_result(invalid("the vector is empty"));
  e.vector = id::quantize_int8(vector.value());
  const val window = p["window"];
  if (is_absent(window)) return error_result(invalid("the window must be {start, end}"));
  auto start = read_number(window["start"], "the window start");
  if (!start) return error_result(start.error());
  auto end = read_number(window["end"], "the window end");
  if (!end) return error_result(end.error());
  e.window_start = start.value(), e.window_end = end.value();
  auto frames = read_int(p["frames"], "the frame count", 0, kMaxFrames);
  if (!frames) return error_result(frames.error());
  e.frames = frames.value();
  const val subject = p["subject"];
  if (is_absent(subject)) return error_result(invalid("the subject must be {kind, box}"));
  auto kind = read_string(subject["kind"], "the subject kind", 16);
  if (!kind) return error_result(kind.error());
  e.subject_kind = kind.value();
  auto box = read_numbers(subject["box"], "the subject box", 4);
  if (!box) return error_result(box.error());
  for (int i = 0; i < 4; ++i) e.subject_box[i] = box.value()[i];
  auto source = json_of(is_absent(p["source"]) ? val::object() : p["source"], "the source");
  if (!source) return error_result(source.error());
  auto quality = json_of(is_absent(p["quality"]) ? val::object() : p["quality"], "the quality");
  if (!quality) return error_result(quality.error());
  if (!source.value().is_object() || !quality.value().is_object()) return error_result(invalid("the source and the quality must be objects"));
  e.source = std::move(source).value();
  e.quality = std::move(quality).value();
  auto warnings = read_strings(is_absent(p["warnings"]) ? val::array() : p["warnings"], "the warnings", 64);
  if (!warnings) return error_result(warnings.error());
  e.warnings = warnings.value();
  const val timings = is_absent(p["timings"]) ? val::object() : p["timings"];
  if (timings.typeOf().as<std::string>() != "object") return error_result(invalid("the timings must be an object of numbers"));
  const val keys = val::global("Object").call<val>("keys", timings);
  const size_t nt = keys["length"].as<size_t>();
  if (nt > 64) return error_result(invalid("the timings have too many entries"));
  for (size_t i = 0; i < nt; ++i) {
    const std::string k = keys[i].as<std::string>();
    auto ms = read_number(timings[k], "a timing");
    if (!ms) return error_result(ms.error());
    e.timings_ms.emplace_back(k, ms.value());
  }
  if (!is_absent(p["backend"])) {
    auto backend = read_string(p["backend"], "the backend", 64);
    if (!backend) return error_result(backend.error());
    e.backend = backend.value();
  }
  val o = val::object();
  o.set("ok", true);
  o.set("json", id::payload_json(e));
  return o;
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_identity_payload) {
  emscripten::function("embeddingPayload", &embedding_payload);
}
