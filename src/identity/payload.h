// The charid.embedding/1 payload (docs/schemas/charid.embedding-1.schema.json): one JSON object,
// fields in the schema's order, written with nlohmann-json from plain values.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
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
  std::array<double, 4> subject_box{0, 0, 1, 1};   // normalised x, y, w, h on the first frame
  nlohmann::ordered_json source = nlohmann::ordered_json::object();   // the probe's public source fields
  nlohmann::ordered_json quality = nlohmann::ordered_json::object();  // quality summary + frames_kept, frames_with_face
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, double>> timings_ms;  // decode, detect, embed, total
  std::string backend;  // the inference backend that ran ("wasm", "webgpu+wasm"); "" = not said
};

// The payload as JSON text (compact). Invalid UTF-8 in a string is replaced, never thrown on.
std::string payload_json(const EmbeddingPayload& p);

// A number as JSON: whole numbers as integers (20, not 20.0), NaN and infinities as null (JSON
// has neither).
nlohmann::ordered_json json_number(double v);

}  // namespace charid::identity
