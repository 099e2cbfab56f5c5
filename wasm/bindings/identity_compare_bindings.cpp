// Embind bindings of the identity core, part 5: the vector maths the page, the CLI and the
// registry share (a payload's vector back to floats, cosine, a model's similarity rule).
//
// Ownership: every result is a fresh JS value.
#include <emscripten/bind.h>

#include "core/part_similarity.h"
#include "identity/identity_vector.h"
#include "identity_values.h"

using emscripten::val;
using namespace charid::js;

namespace {

// The score of two vectors under a model's similarity rule (src/core/part_similarity), the same
// code the registry's index runs. rule: {rule: "cosine" | "face_led", face_part, face_weight,
// face_offset (optional, 0)}; parts: [{name, offset, dims}].
val part_similarity(val rule_js, val parts_js, val a_js, val b_js) {
  if (is_absent(rule_js)) return error_result(invalid("the similarity rule must be an object"));
  charid::SimilarityRule rule;
  const val kind_js = rule_js["rule"];
  const std::string kind = kind_js.isUndefined() ? "cosine" : kind_js.isString() ? kind_js.as<std::string>() : "";
  if (kind == "face_led") {
    rule.kind = charid::SimilarityKind::face_led;
    auto face = read_string(rule_js["face_part"], "face_part", 64);
    if (!face) return error_result(face.error());
    auto weight = read_number(rule_js["face_weight"], "face_weight");
    if (!weight) return error_result(weight.error());
    rule.face_part = face.value();
    rule.face_weight = weight.value();
    if (!rule_js["face_offset"].isUndefined()) {
      auto offset = read_number(rule_js["face_offset"], "face_offset");
      if (!offset) return error_result(offset.error());
      rule.face_offset = offset.value();
    }
  } else if (kind != "cosine") {
    return error_result(invalid("unknown similarity rule " + kind));
  }
  auto n = read_length(parts_js, "the parts", 64);
  if (!n) return error_result(n.error());
  std::vector<charid::Part> parts;
  for (size_t i = 0; i < n.value(); ++i) {
    const val p = parts_js[i];
    if (is_absent(p)) return error_result(invalid("each part must be {name, offset, dims}"));
    auto name = read_string(p["name"], "a part name", 64);
    if (!name) return error_result(name.error());
    auto offset = read_int(p["offset"], "a part offset", 0, 65536);
    if (!offset) return error_result(offset.error());
    auto dims = read_int(p["dims"], "a part's dims", 0, 65536);
    if (!dims) return error_result(dims.error());
    parts.push_back({name.value(), size_t(offset.value()), size_t(dims.value())});
  }
  auto a = read_floats(a_js, "the first vector", 65536);
  if (!a) return error_result(a.error());
  auto b = read_floats(b_js, "the second vector", 65536);
  if (!b) return error_result(b.error());
  if (a.value().size() != b.value().size()) {
    return error_result(invalid("vectors of different sizes cannot be compared"));
  }
  if (auto problem = charid::similarity_rule_problem(rule, parts, a.value().size())) {
    return error_result(invalid(*problem));
  }
  return val(charid::similarity_float(rule, parts, a.value().data(), b.value().data()));
}

// A payload's vector back to floats (dequantised).
val decode_vector(val base64, val dims, val scale) {
  auto text = read_string(base64, "the vector", 1u << 20);
  if (!text) return error_result(text.error());
  auto d = read_int(dims, "dims", 1, 65536);
  if (!d) return error_result(d.error());
  if (!scale.isNumber()) return error_result(invalid("scale must be a positive number"));
  auto r = id::decode_vector(text.value(), d.value(), scale.as<float>());
  return r ? float_array(id::dequantize(r.value())) : error_result(r.error());
}

// Lenient on purpose: any array-like is read as it is (tests/web/core_module.test.mjs uses a
// hostile {length: 3e8} here to make the module abort and checks that loadCore() replaces it).
val cosine(val a_js, val b_js) {
  auto r = id::cosine(emscripten::convertJSArrayToNumberVector<float>(a_js),
                      emscripten::convertJSArrayToNumberVector<float>(b_js));
  return r ? val(r.value()) : error_result(r.error());
}

}  // namespace

EMSCRIPTEN_BINDINGS(charid_identity_compare) {
  emscripten::function("partSimilarity", &part_similarity);
  emscripten::function("decodeVector", &decode_vector);
  emscripten::function("cosine", &cosine);
}
