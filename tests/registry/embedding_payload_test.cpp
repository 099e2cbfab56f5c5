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
