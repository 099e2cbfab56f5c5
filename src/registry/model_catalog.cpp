#include "registry/model_catalog.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace charid::registry {
namespace {

using nlohmann::json;

bool is_size(const json& v, long long max) {
  return v.is_number_integer() && v.get<long long>() >= 0 && v.get<long long>() <= max;
}

// The entry's "parts" and "similarity", checked against its dims.
std::optional<std::string> read_scoring(const json& entry, int dims, ModelScoring& out) {
  if (const auto parts = entry.find("parts"); parts != entry.end()) {
    if (!parts->is_array()) return std::string("\"parts\" must be an array");
    for (const auto& p : *parts) {
      if (!p.is_object() || !p.contains("name") || !p["name"].is_string() ||
          !p.contains("offset") || !is_size(p["offset"], dims) || !p.contains("dims") ||
          !is_size(p["dims"], dims)) {
        return std::string("each part needs a string \"name\", an \"offset\" and \"dims\"");
      }
      out.parts.push_back(Part{p["name"].get<std::string>(), p["offset"].get<size_t>(),
                               p["dims"].get<size_t>()});
    }
  }
  if (const auto s = entry.find("similarity"); s != entry.end()) {
    if (!s->is_object() || !s->contains("rule") || !(*s)["rule"].is_string()) {
      return std::string("\"similarity\" must be an object with a \"rule\"");
    }
    const std::string rule = (*s)["rule"].get<std::string>();
    if (rule == "face_led") {
      out.rule.kind = SimilarityKind::face_led;
      if (!s->contains("face_part") || !(*s)["face_part"].is_string() ||
          !s->contains("face_weight") || !(*s)["face_weight"].is_number()) {
        return std::string("face_led needs a string \"face_part\" and a number \"face_weight\"");
      }
      out.rule.face_part = (*s)["face_part"].get<std::string>();
      out.rule.face_weight = (*s)["face_weight"].get<double>();
      if (s->contains("face_offset") && !(*s)["face_offset"].is_number()) {
        return std::string("face_led's optional \"face_offset\" must be a number");
      }
      out.rule.face_offset = s->value("face_offset", 0.0);  // range checked below
    } else if (rule != "cosine") {
      return "unknown similarity rule \"" + rule + "\" (cosine or face_led)";
    }
  }
  return similarity_rule_problem(out.rule, out.parts, static_cast<size_t>(dims));
}

}  // namespace

std::optional<ModelCatalog> ModelCatalog::load(const std::string& path, std::string* error) {
  ModelCatalog catalog;
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read the model manifest " + path +
             " (--manifest); without it no embedding model is known and nothing could be "
             "registered";
    return std::nullopt;
  }
  const auto doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    *error = path + " is not valid JSON";
    return std::nullopt;
  }
  const auto it = doc.find("embeddings");
  if (it == doc.end() || !it->is_array()) {
    *error = path + ": \"embeddings\" must be an array of the embedding models";
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
    if (spec.model.empty() || spec.model.find(',') != std::string::npos) {
      *error = path + ": a model id must be non-empty and without commas";
      return std::nullopt;
    }
    spec.dims = entry["dims"].get<int>();
    spec.dtype = entry.value("dtype", std::string("int8"));
    if (const auto t = entry.find("threshold"); t != entry.end()) {
      if (!t->is_number() || t->get<double>() < -1 || t->get<double>() > 1) {
        *error = path + ": " + spec.model + ": \"threshold\" must be a number from -1 to 1";
        return std::nullopt;
      }
      spec.threshold = t->get<double>();
    }
    if (auto problem = read_scoring(entry, spec.dims, spec.scoring)) {
      *error = path + ": " + spec.model + ": " + *problem;
      return std::nullopt;
    }
    catalog.models_[spec.model] = std::move(spec);
  }
  if (catalog.models_.empty()) {
    *error = path + ": \"embeddings\" lists no model; nothing could be registered";
    return std::nullopt;
  }
  return catalog;
}

const ModelSpec* ModelCatalog::find(const std::string& model) const {
  const auto it = models_.find(model);
  return it == models_.end() ? nullptr : &it->second;
}

ScoringTable ModelCatalog::scoring() const {
  ScoringTable out;
  for (const auto& [name, spec] : models_) {
    if (spec.scoring.per_part()) out[name] = spec.scoring;
  }
  return out;
}

}  // namespace charid::registry
