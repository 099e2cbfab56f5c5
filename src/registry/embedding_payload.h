// Validation of a `charid.embedding/1` payload into the int8 vector the
// registry stores and searches. Every way a vector can be wrong for its model
// is a 422 with a message naming the problem; the payload's other fields
// (window, frames, quality, ...) are descriptive and not stored, but are
// checked against docs/schemas/charid.embedding-1.schema.json (built into
// the binary), a 422 naming the field.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "registry/api_error.h"
#include "registry/model_catalog.h"

namespace charid::registry {

inline constexpr const char* kEmbeddingSchema = "charid.embedding/1";

struct Embedding {
  std::string model;
  float scale = 0;             // value = scale * int8; cosine does not depend on it
  std::vector<int8_t> vector;  // exactly the model's dims
};

ApiResult<Embedding> parse_embedding(const nlohmann::json& payload, const ModelCatalog& catalog);

// Why the built-in schema cannot be used (not JSON, a keyword the checker
// lacks); nullopt when it loads. The server asks once at start and refuses
// to run without it.
std::optional<std::string> embedding_schema_problem();

}  // namespace charid::registry
