// Reading the model manifest: thresholds, parts and the similarity rule, and
// the manifests the registry must refuse to start with.
#include <catch.hpp>
#include <cstdio>
#include <fstream>

#include "registry/model_catalog.h"

using namespace charid;
using namespace charid::registry;

namespace {

std::optional<ModelCatalog> load_text(const std::string& text, std::string* error) {
  const std::string path = "model_catalog_test_manifest.json";
  std::ofstream(path) << text;
  auto catalog = ModelCatalog::load(path, error);
  std::remove(path.c_str());
  return catalog;
}

}  // namespace

TEST_CASE("a missing manifest is an error that says what is missing") {
  std::string error;
  CHECK_FALSE(ModelCatalog::load("no/such/manifest.json", &error));
  CHECK(error.find("no/such/manifest.json") != std::string::npos);
  CHECK(error.find("--manifest") != std::string::npos);
}

TEST_CASE("malformed manifests and ones listing no model are errors") {
  for (const char* text :
       {R"({"embeddings":[{"model":"m@1"}]})", R"({"embeddings":3})", R"({"models":[]})",
        R"({"embeddings":[]})", "not json",
        R"({"embeddings":[{"model":"m@1","dims":8,"threshold":"high"}]})",
        R"({"embeddings":[{"model":"m@1","dims":8,"similarity":{"rule":"magic"}}]})",
        R"({"embeddings":[{"model":"m@1","dims":8,"parts":[{"name":"face","offset":4,"dims":8}]}]})",
        R"({"embeddings":[{"model":"m@1","dims":8,"parts":[{"name":"a","offset":0,"dims":4},)"
        R"({"name":"face","offset":4,"dims":4}],"similarity":{"rule":"face_led","face_part":"eyes","face_weight":0.5}}]})"}) {
    std::string error;
    CHECK_FALSE(load_text(text, &error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("threshold, parts and a face_led rule are read; cosine is the default") {
  std::string error;
  const auto catalog = load_text(
      R"({"embeddings":[
        {"model":"plain@1","dims":8,"dtype":"int8","threshold":0.676,
         "parts":[{"name":"a","offset":0,"dims":4},{"name":"face","offset":4,"dims":4}]},
        {"model":"fl@2","dims":8,"dtype":"int8","threshold":0.5,
         "parts":[{"name":"a","offset":0,"dims":4},{"name":"face","offset":4,"dims":4}],
         "similarity":{"rule":"face_led","face_part":"face","face_weight":0.8}}]})",
      &error);
  REQUIRE(catalog);
  const ModelSpec* plain = catalog->find("plain@1");
  REQUIRE(plain);
  CHECK(plain->threshold == 0.676);
  CHECK(plain->scoring.rule.kind == SimilarityKind::cosine);
  CHECK_FALSE(plain->scoring.per_part());
  const ModelSpec* fl = catalog->find("fl@2");
  REQUIRE(fl);
  CHECK(fl->scoring.rule.kind == SimilarityKind::face_led);
  CHECK(fl->scoring.rule.face_weight == 0.8);
  CHECK(fl->scoring.parts.size() == 2);
  // Only the per-part model goes to the index's scoring table.
  const ScoringTable table = catalog->scoring();
  CHECK(table.size() == 1);
  CHECK(table.count("fl@2") == 1);
}

TEST_CASE("the project's manifest loads") {
  std::string error;
  const auto catalog = ModelCatalog::load(std::string(CHARID_SOURCE_DIR) + "/models/manifest.json",
                                          &error);
  REQUIRE(catalog);
  const ModelSpec* v1 = catalog->find("charid-id@1");
  REQUIRE(v1);
  CHECK(v1->threshold.has_value());
  CHECK_FALSE(v1->scoring.per_part());  // @1 stays plain cosine
  if (const ModelSpec* v2 = catalog->find("charid-id@2")) {
    CHECK(v2->threshold.has_value());
    CHECK(v2->scoring.per_part());  // face_led, scored per part by the index
  }
}
