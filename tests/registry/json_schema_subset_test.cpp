#include <catch.hpp>
#include <nlohmann/json.hpp>

#include "registry/json_schema_subset.h"

using charid::registry::JsonSchemaSubset;
using nlohmann::json;

namespace {

std::string load_error(const std::string& text) {
  std::string error;
  CHECK_FALSE(JsonSchemaSubset::load(text, &error).has_value());
  return error;
}

}  // namespace

TEST_CASE("a keyword outside the subset refuses the schema, so nothing is silently unchecked") {
  CHECK(load_error(R"({"type": "object", "properties": {"a": {"format": "date-time"}}})") ==
        R"(schema keyword "format" at //a is not supported)");
  CHECK(load_error(R"({"oneOf": []})") == R"(schema keyword "oneOf" at / is not supported)");
  CHECK(load_error(R"j({"pattern": "^(?=a)"})j").find("does not support") != std::string::npos);
  CHECK(load_error(R"({"pattern": "\\d+"})").find("does not support") != std::string::npos);
  CHECK(load_error(R"({"minLength": -1})").find("minLength") != std::string::npos);
  CHECK(load_error(R"({"type": 3})").find("type") != std::string::npos);
  CHECK(load_error("{not json") == "the schema is not valid JSON");
}

TEST_CASE("the subset's keywords give JSON Schema's verdicts") {
  std::string error;
  const auto schema = JsonSchemaSubset::load(R"j({
    "type": "object", "required": ["n"],
    "properties": {
      "n": {"type": "integer", "minimum": 1, "maximum": 10},
      "x": {"type": "number", "exclusiveMinimum": 0},
      "s": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^(?:ab)+c?$"},
      "c": {"const": "k"},
      "e": {"enum": [1, "two", null]},
      "a": {"type": "array", "maxItems": 2, "items": {"type": "boolean"}}
    },
    "additionalProperties": {"type": "string"}
  })j", &error);
  REQUIRE(schema);
  const auto problem = [&](const char* text) {
    return schema->first_problem(json::parse(text), "p").value_or("");
  };
  CHECK(problem(R"({"n": 1})").empty());
  CHECK(problem(R"({"n": 1.0, "x": 0.5, "s": "ab", "c": "k", "e": 1.0, "a": [true]})").empty());
  CHECK(problem(R"({"n": 1, "s": "abc", "extra": "fine"})").empty());
  CHECK(problem(R"({})") == "p.n is missing");
  CHECK(problem(R"({"n": 0})") == "p.n must be at least 1");
  CHECK(problem(R"({"n": 1.5})") == "p.n must be integer, not number");
  CHECK(problem(R"({"n": 1, "x": 0})") == "p.x must be greater than 0");
  CHECK(problem(R"({"n": 1, "s": "aba"})") == "p.s is not in the expected format");
  // Lengths count code points, not bytes: three characters, six bytes.
  CHECK(problem(R"({"n": 1, "s": "ééé"})") == "p.s is not in the expected format");
  CHECK(problem(R"({"n": 1, "s": "abab"})") == "p.s must be at most 3 characters");
  CHECK(problem(R"({"n": 1, "c": "K"})") == R"(p.c must be "k")");
  CHECK(problem(R"({"n": 1, "e": "one"})") == R"(p.e must be one of 1, "two", null)");
  CHECK(problem(R"({"n": 1, "a": [true, 1]})") == "p.a[1] must be boolean, not integer");
  CHECK(problem(R"({"n": 1, "a": [true, true, true]})") == "p.a must hold at most 2 items");
  CHECK(problem(R"({"n": 1, "extra": 5})") == "p.extra must be string, not integer");
  CHECK(problem(R"([])") == "p must be object, not array");
}
