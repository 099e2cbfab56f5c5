#include "identity/payload.h"

#include <cmath>

namespace charid::identity {

using nlohmann::ordered_json;

ordered_json json_number(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) return int64_t(v);
  return v;
}

std::string payload_json(const EmbeddingPayload& p) {
  const auto& values = p.vector.values;
  ordered_json j;
  j["schema"] = "charid.embedding/1";
  j["model"] = p.model;
  j["dims"] = values.size();
  j["dtype"] = "int8";
  j["scale"] = json_number(p.vector.scale);
  j["vector"] = base64_encode(reinterpret_cast<const uint8_t*>(values.data()), values.size());
  j["window"] = {{"start", json_number(p.window_start)}, {"end", json_number(p.window_end)}};
  j["frames"] = p.frames;
  ordered_json box = ordered_json::array();
  for (double v : p.subject_box) box.push_back(json_number(v));
  j["subject"] = {{"kind", p.subject_kind}, {"box", box}};
  j["source"] = p.source;
  j["quality"] = p.quality;
  j["warnings"] = p.warnings;
  ordered_json timings = ordered_json::object();
  for (const auto& [name, ms] : p.timings_ms) timings[name] = json_number(ms);
  if (!p.backend.empty()) timings["backend"] = p.backend;
  j["timings_ms"] = timings;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace charid::identity
