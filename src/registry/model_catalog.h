// The models the registry accepts, read once from the model manifest's
// "embeddings" array: {"model": "charid-id@1", "dims": 2176, "dtype": "int8",
// "threshold": 0.676, "parts": [{"name", "offset", "dims"}...],
// "similarity": {"rule": "face_led", "face_part": "face", "face_weight": 0.8}}.
// A vector for a model not listed here is refused (422). "similarity" absent
// means plain cosine of the whole vector (charid-id@1).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/part_similarity.h"

namespace charid::registry {

// How the index scores two vectors of one model (see core/part_similarity.h).
struct ModelScoring {
  std::vector<Part> parts;
  SimilarityRule rule;  // cosine: the whole vector, scored as before parts existed
  bool per_part() const { return rule.kind != SimilarityKind::cosine; }
};
using ScoringTable = std::map<std::string, ModelScoring>;

struct ModelSpec {
  std::string model;  // "<id>@<version>"
  int dims = 0;
  std::string dtype;                // "int8"
  std::optional<double> threshold;  // the calibrated "same character" score
  ModelScoring scoring;
};

class ModelCatalog {
 public:
  // A missing, unreadable or malformed file, or one that lists no models, is
  // an error (a registry that accepts nothing is a misconfiguration), returned
  // as a message.
  static std::optional<ModelCatalog> load(const std::string& path, std::string* error);

  const ModelSpec* find(const std::string& model) const;
  size_t size() const { return models_.size(); }
  // The models scored per part, for the vector index.
  ScoringTable scoring() const;

 private:
  std::map<std::string, ModelSpec> models_;
};

}  // namespace charid::registry
