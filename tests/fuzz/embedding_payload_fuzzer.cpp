// Feeds arbitrary bytes, read as JSON, to the registry's payload parser
// (parse_embedding, whose schema check covers the descriptive fields too),
// with the real model manifest and with a tiny 4-dims
// model that random input can satisfy. Every input must end in an Embedding
// that fits its model or a 4xx ApiError with a message, never a crash, an
// exception or a hang.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "registry/embedding_payload.h"

namespace {

using charid::registry::ModelCatalog;

ModelCatalog load_or_die(const std::string& path) {
  std::string error;
  auto catalog = ModelCatalog::load(path, &error);
  if (!catalog) {
    std::fprintf(stderr, "embedding_payload_fuzzer: %s: %s\n", path.c_str(), error.c_str());
    std::abort();
  }
  return *catalog;
}

const ModelCatalog& manifest_catalog() {
  static const ModelCatalog catalog = load_or_die(CHARID_MODEL_MANIFEST);
  return catalog;
}

const ModelCatalog& tiny_catalog() {
  static const ModelCatalog catalog = [] {
    const std::string path = "embedding_payload_fuzzer_manifest.json";
    std::ofstream(path) << R"({"embeddings":[{"model":"m@1","dims":4,"dtype":"int8"}]})";
    ModelCatalog loaded = load_or_die(path);
    std::remove(path.c_str());
    return loaded;
  }();
  return catalog;
}

void check(const nlohmann::json& payload, const ModelCatalog& catalog) {
  auto result = charid::registry::parse_embedding(payload, catalog);
  if (result.ok()) {
    const auto& e = result.value();
    const auto* spec = catalog.find(e.model);
    // An accepted vector fits a known model and has a usable scale.
    if (spec == nullptr || e.vector.size() != static_cast<size_t>(spec->dims) ||
        !std::isfinite(e.scale) || e.scale <= 0) {
      __builtin_trap();
    }
  } else {
    const auto& err = result.error();
    if (err.status < 400 || err.status > 499 || err.code.empty() || err.message.empty()) {
      __builtin_trap();  // bad input is the caller's mistake, said in words
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* text = reinterpret_cast<const char*>(data);
  nlohmann::json payload =
      nlohmann::json::parse(text, text + size, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) return 0;
  for (const ModelCatalog* catalog : {&manifest_catalog(), &tiny_catalog()}) {
    check(payload, *catalog);
    // The API wraps the payload: {"embedding": {...}, ...}.
    if (payload.is_object() && payload.contains("embedding")) check(payload["embedding"], *catalog);
  }
  return 0;
}
