#include <catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "registry/embedding_payload.h"

using namespace charid::registry;
using nlohmann::json;
using charid::base64_encode;

namespace {

ModelCatalog test_catalog() {
  const std::string path = "registry_test_manifest.json";
  std::ofstream(path) << R"({"embeddings":[{"model":"m@1","dims":4,"dtype":"int8"}]})";
  std::string error;
  auto catalog = ModelCatalog::load(path, &error);
  std::remove(path.c_str());
  REQUIRE(catalog);
  return *catalog;
}

json with(json p, const char* field, json value) {
  p[field] = std::move(value);
  return p;
}

json payload(std::vector<uint8_t> bytes) {
  return {{"schema", "charid.embedding/1"},
          {"model", "m@1"},
          {"dims", 4},
          {"dtype", "int8"},
          {"scale", 0.01},
          {"vector", base64_encode(bytes.data(), bytes.size())}};
}

}  // namespace

TEST_CASE("a valid payload becomes the int8 vector") {
  const auto catalog = test_catalog();
  const auto r = parse_embedding(payload({1, 255, 128, 127}), catalog);
  REQUIRE(r.ok());
  CHECK(r.value().model == "m@1");
  CHECK(r.value().vector == std::vector<int8_t>{1, -1, -128, 127});
}

TEST_CASE("every way a vector is wrong for its model is 422") {
  const auto catalog = test_catalog();
  const auto status = [&](json p) {
    const auto r = parse_embedding(p, catalog);
    return r.ok() ? 0 : r.error().status;
  };
  auto p = payload({1, 2, 3, 4});
  CHECK(status(with(p, "model", "other@1")) == 422);
  CHECK(parse_embedding(with(p, "model", "other@1"), catalog).error().code == "unknown_model");
  CHECK(status(with(p, "dims", 5)) == 422);
  CHECK(status(with(p, "dtype", "float32")) == 422);
  CHECK(status(with(p, "schema", "x")) == 422);
  CHECK(status(with(p, "scale", 0)) == 422);
  CHECK(status(with(p, "scale", -0.5)) == 422);
  CHECK(status(with(p, "vector", "AQID")) == 422);  // 3 values
  CHECK(status(with(p, "vector", "!!!!")) == 422);
  CHECK(status(payload({0, 0, 0, 0})) == 422);
  CHECK(status(json::array()) == 400);  // not an object at all: a malformed field
}

TEST_CASE("descriptive fields are checked against the schema file, naming the field") {
  const auto catalog = test_catalog();
  const auto message = [&](json p) {
    const auto r = parse_embedding(p, catalog);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().status == 422);
    CHECK(r.error().code == "invalid_embedding");
    return r.error().message;
  };
  const auto p = payload({1, 2, 3, 4});
  CHECK(message(with(p, "window", {{"start", "0"}, {"end", 3}})) ==
        "embedding.window.start must be number, not string");
  CHECK(message(with(p, "window", {{"start", -1}, {"end", 3}})) ==
        "embedding.window.start must be at least 0");
  CHECK(message(with(p, "window", {{"start_s", 0}, {"end_s", 3}})) ==
        "embedding.window.start is missing");
  CHECK(message(with(p, "frames", 2.5)) == "embedding.frames must be integer, not number");
  CHECK(message(with(p, "frames", 2000)) == "embedding.frames must be at most 1024");
  CHECK(message(with(p, "subject", {{"kind", "ghost"}, {"box", {0, 0, 1, 1}}})) ==
        R"(embedding.subject.kind must be one of "face", "person", "animal", "object", "unknown")");
  CHECK(message(with(p, "subject", {{"kind", "face"}, {"box", {0, 0, 1, 1.5}}})) ==
        "embedding.subject.box[3] must be at most 1");
  CHECK(message(with(p, "subject", {{"kind", "face"}, {"box", {0, 0, 1}}})) ==
        "embedding.subject.box must hold at least 4 items");
  CHECK(message(with(p, "warnings", {"Not A Code"})) ==
        "embedding.warnings[0] is not in the expected format");
  CHECK(message(with(p, "timings_ms", {{"decode", true}})) ==
        "embedding.timings_ms.decode must be number or string, not boolean");
  CHECK(message(with(p, "source", "file.mp4")) == "embedding.source must be object, not string");
}

TEST_CASE("a payload with every descriptive field as the product writes it is accepted") {
  const auto catalog = test_catalog();
  json p = payload({1, 2, 3, 4});
  p["window"] = {{"start", 0}, {"end", 4.5}};
  p["frames"] = 16.0;  // an integer however it is written, as in JSON Schema
  p["subject"] = {{"kind", "person"}, {"box", {0.1, 0.2, 0.3, 0.4}}};
  p["source"] = {{"container", "mp4"}};
  p["quality"] = {{"sharpness", 12.5}};
  p["warnings"] = {"multiple_subjects"};
  p["timings_ms"] = {{"decode", 10.5}, {"backend", "wasm"}};
  p["extra"] = {{"anything", true}};  // additionalProperties: true
  CHECK(parse_embedding(p, catalog).ok());
  CHECK_FALSE(embedding_schema_problem().has_value());
}

TEST_CASE("the schema's vector pattern holds for the longest vector the schema allows") {
  // 65536 int8 values are 87384 base64 characters: a backtracking regex
  // engine would overflow its stack here.
  const std::string path = "registry_test_manifest_wide.json";
  std::ofstream(path) << R"({"embeddings":[{"model":"wide@1","dims":65536,"dtype":"int8"}]})";
  std::string error;
  const auto catalog = ModelCatalog::load(path, &error);
  std::remove(path.c_str());
  REQUIRE(catalog);
  std::vector<uint8_t> bytes(65536, 7);
  json p = payload(bytes);
  p["model"] = "wide@1";
  p["dims"] = 65536;
  CHECK(parse_embedding(p, *catalog).ok());
}
