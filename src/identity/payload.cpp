#include "identity/payload.h"

#include <cmath>
#include <cstdio>

namespace charid::identity {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

// Shortest text that reads back as the same double; JSON has no NaN or infinity.
static std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string payload_json(const EmbeddingPayload& p) {
  const auto& values = p.vector.values;
  std::string j = "{\"schema\":\"charid.embedding/1\"";
  j += ",\"model\":" + json_string(p.model);
  j += ",\"dims\":" + std::to_string(values.size());
  j += ",\"dtype\":\"int8\"";
  j += ",\"scale\":" + number(p.vector.scale);
  j += ",\"vector\":\"" +
       base64_encode(reinterpret_cast<const uint8_t*>(values.data()), values.size()) + "\"";
  j += ",\"window\":{\"start\":" + number(p.window_start) + ",\"end\":" + number(p.window_end) + "}";
  j += ",\"frames\":" + std::to_string(p.frames);
  j += ",\"subject\":{\"kind\":" + json_string(p.subject_kind) + ",\"box\":[";
  for (int i = 0; i < 4; ++i) j += (i ? "," : "") + number(p.subject_box[i]);
  j += "]}";
  j += ",\"source\":" + p.source_json;
  j += ",\"quality\":" + p.quality_json;
  j += ",\"warnings\":[";
  for (size_t i = 0; i < p.warnings.size(); ++i) j += (i ? "," : "") + json_string(p.warnings[i]);
  j += "],\"timings_ms\":{";
  for (size_t i = 0; i < p.timings_ms.size(); ++i) {
    j += (i ? "," : "") + json_string(p.timings_ms[i].first) + ":" + number(p.timings_ms[i].second);
  }
  return j + "}}";
}

}  // namespace charid::identity
