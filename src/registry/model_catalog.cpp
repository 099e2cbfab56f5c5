#include "registry/model_catalog.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace charid::registry {

std::optional<ModelCatalog> ModelCatalog::load(const std::string& path, std::string* error) {
  ModelCatalog catalog;
  std::ifstream in(path);
  if (!in) return catalog;
  const auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    *error = path + " is not valid JSON";
    return std::nullopt;
  }
  const auto it = doc.find("embeddings");
  if (it == doc.end()) return catalog;
  if (!it->is_array()) {
    *error = path + ": \"embeddings\" must be an array";
    return std::nullopt;
  }
  for (const auto& entry : *it) {
    if (!entry.is_object() || !entry.contains("model") || !entry["model"].is_string() ||
        !entry.contains("dims") || !entry["dims"].is_number_integer() ||
        entry["dims"].get<long long>() <= 0 || entry["dims"].get<long long>() > 65536) {
      *error = path + ": each embeddings entry needs a string \"model\" and positive \"dims\"";
      return std::nullopt;
    }
    ModelSpec spec;
    spec.model = entry["model"].get<std::string>();
    spec.dims = entry["dims"].get<int>();
    spec.dtype = entry.value("dtype", std::string("int8"));
    catalog.models_[spec.model] = spec;
  }
  return catalog;
}

const ModelSpec* ModelCatalog::find(const std::string& model) const {
  const auto it = models_.find(model);
  return it == models_.end() ? nullptr : &it->second;
}

}  // namespace charid::registry
