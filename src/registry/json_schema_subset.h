// A checker for the subset of JSON Schema (draft 2020-12) that charid's wire
// formats use (docs/schemas/*.schema.json), so the registry takes its payload
// rules from the schema file instead of repeating them. It mirrors
// lib/schemas/check.mjs (the JS side's checker): the same keywords, the same
// verdicts (tests/registry/payload_schema.test.mjs holds the running server
// to Ajv's), the same words. A keyword outside the subset refuses the schema
// at load, so a schema can never silently mean more than is checked. Debian
// has no C++ JSON Schema validator; this is small on purpose.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace charid::registry {

class SchemaPatterns;

class JsonSchemaSubset {
 public:
  // nullopt with `error` set when the text is not JSON or uses a keyword
  // (or a pattern construct) outside the subset.
  static std::optional<JsonSchemaSubset> load(const std::string& text, std::string* error);

  // The first problem of `value`, named by its path under `root` (e.g.
  // "embedding.window.start must be number, not string"); nullopt when it holds.
  std::optional<std::string> first_problem(const nlohmann::json& value,
                                           const std::string& root) const;

 private:
  nlohmann::json schema_;
  std::shared_ptr<const SchemaPatterns> patterns_;  // compiled once; copies share them
};

}  // namespace charid::registry
