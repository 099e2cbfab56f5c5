// The charid.embedding/1 payload: one JSON object, fields in a fixed order.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "identity/identity_vector.h"

namespace charid::identity {

struct EmbeddingPayload {
  std::string model = kIdentityModel;
  QuantizedVector vector;
  double window_start = 0, window_end = 0;
  int frames = 0;
  std::string subject_kind = "unknown";
  std::array<double, 4> subject_box{0, 0, 1, 1};  // normalised x, y, w, h on the first frame
  std::string source_json = "{}";                  // the probe's source object, already JSON
  std::string quality_json = "{}";                 // the media core's quality object, already JSON
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, double>> timings_ms;  // decode, detect, embed, total
};

std::string payload_json(const EmbeddingPayload& p);

// JSON string literal with quotes and escapes.
std::string json_string(const std::string& s);

}  // namespace charid::identity
