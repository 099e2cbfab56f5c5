#include "registry/embedding_payload.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "registry/json_schema_subset.h"

namespace charid::registry {

// docs/schemas/charid.embedding-1.schema.json, built in by CMake
// (embedding_schema_text.cpp.in).
extern const char kEmbeddingSchemaText[];

namespace {

struct LoadedSchema {
  std::optional<JsonSchemaSubset> schema;
  std::string error;
};

const LoadedSchema& loaded_schema() {
  static const LoadedSchema loaded = [] {
    LoadedSchema out;
    out.schema = JsonSchemaSubset::load(kEmbeddingSchemaText, &out.error);
    return out;
  }();
  return loaded;
}

}  // namespace

std::optional<std::string> embedding_schema_problem() {
  const LoadedSchema& loaded = loaded_schema();
  if (loaded.schema) return std::nullopt;
  return "docs/schemas/charid.embedding-1.schema.json: " + loaded.error;
}

ApiResult<Embedding> parse_embedding(const nlohmann::json& payload, const ModelCatalog& catalog) {
  if (!payload.is_object()) return bad_request("\"embedding\" must be a charid.embedding/1 object");

  const auto schema = payload.find("schema");
  if (schema == payload.end() || !schema->is_string() || *schema != kEmbeddingSchema) {
    return invalid_embedding("embedding.schema must be \"charid.embedding/1\"");
  }
  const auto model = payload.find("model");
  if (model == payload.end() || !model->is_string()) {
    return invalid_embedding("embedding.model must be a model id such as \"charid-id@1\"");
  }
  const ModelSpec* spec = catalog.find(model->get<std::string>());
  if (spec == nullptr) {
    return ApiError{
        422, "unknown_model",
        "embedding.model \"" + model->get<std::string>() + "\" is not a model this registry knows"};
  }
  const auto dtype = payload.find("dtype");
  if (dtype == payload.end() || !dtype->is_string() || *dtype != "int8" || spec->dtype != "int8") {
    return invalid_embedding("embedding.dtype must be \"int8\"");
  }
  const auto dims = payload.find("dims");
  if (dims == payload.end() || !dims->is_number_integer() || dims->get<long long>() != spec->dims) {
    return invalid_embedding("embedding.dims must be " + std::to_string(spec->dims) + " for " +
                             spec->model);
  }
  const auto scale = payload.find("scale");
  if (scale == payload.end() || !scale->is_number()) {
    return invalid_embedding("embedding.scale must be a number");
  }
  const double scale_value = scale->get<double>();
  if (!std::isfinite(scale_value) || scale_value <= 0 ||
      !std::isfinite(static_cast<float>(scale_value))) {
    return invalid_embedding("embedding.scale must be finite and positive");
  }
  const auto vector = payload.find("vector");
  if (vector == payload.end() || !vector->is_string()) {
    return invalid_embedding("embedding.vector must be a base64 string");
  }
  auto bytes = base64_decode(vector->get_ref<const std::string&>());
  if (!bytes) return invalid_embedding("embedding.vector is not valid base64");
  if (bytes->size() != static_cast<size_t>(spec->dims)) {
    return invalid_embedding("embedding.vector holds " + std::to_string(bytes->size()) +
                             " values; " + spec->model + " needs " + std::to_string(spec->dims));
  }
  if (std::all_of(bytes->begin(), bytes->end(), [](uint8_t b) { return b == 0; })) {
    return invalid_embedding("embedding.vector is all zeros and has no direction");
  }
  // The rest of the contract, descriptive fields included, from the schema
  // file. The checks above come first: their messages say what the model needs.
  const LoadedSchema& loaded = loaded_schema();
  if (!loaded.schema) {
    throw std::logic_error("the built-in payload schema does not load: " + loaded.error);
  }
  // One exception until the create route applies the consent rule before
  // this parser: a bare string subject ("face") is what consent.cpp reads as
  // the kind, and a face without consent must stay consent_required (the
  // subject is descriptive and never stored).
  const auto subject = payload.find("subject");
  if (subject != payload.end() && subject->is_string()) {
    nlohmann::json rest = payload;
    rest.erase("subject");
    if (auto problem = loaded.schema->first_problem(rest, "embedding")) {
      return invalid_embedding(*problem);
    }
  } else if (auto problem = loaded.schema->first_problem(payload, "embedding")) {
    return invalid_embedding(*problem);
  }
  Embedding out;
  out.model = spec->model;
  out.scale = static_cast<float>(scale_value);
  out.vector.assign(reinterpret_cast<const int8_t*>(bytes->data()),
                    reinterpret_cast<const int8_t*>(bytes->data()) + bytes->size());
  return out;
}

}  // namespace charid::registry
