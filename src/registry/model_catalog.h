// The models the registry accepts and their vector sizes, read once from the
// model manifest's "embeddings" array: {"model": "charid-id@1", "dims": 1536,
// "dtype": "int8"}. A vector for a model not listed here is refused (422).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace charid::registry {

struct ModelSpec {
  std::string model;  // "<id>@<version>"
  int dims = 0;
  std::string dtype;  // "int8"
};

class ModelCatalog {
 public:
  // A missing file is an empty catalog (nothing is accepted until models are
  // known); a malformed file is an error, returned as a message.
  static std::optional<ModelCatalog> load(const std::string& path, std::string* error);

  const ModelSpec* find(const std::string& model) const;
  size_t size() const { return models_.size(); }

 private:
  std::map<std::string, ModelSpec> models_;
};

}  // namespace charid::registry
