// The registry's rules, free of HTTP: who may see what, idempotent creates,
// credits, rate limits, and keeping the search index in step with storage.
// api_routes.cpp turns these results into responses.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "registry/api_error.h"
#include "registry/model_catalog.h"
#include "registry/rate_limiter.h"
#include "registry/storage.h"
#include "registry/vector_index.h"

namespace charid::registry {

struct ServiceLimits {
  double keys_per_minute = 30;             // per client address
  double creates_per_second = 100;         // per key (batch clients need >= 50)
  double matches_per_second = 100;         // per key
  std::optional<int64_t> credits_per_key;  // nullopt: unlimited
};

struct NewKey {
  std::string key;  // shown once; only its hash is stored
  std::optional<int64_t> credits;
};

struct CreatedCharacter {
  CharacterRecord record;
  bool created;  // false: the same owner, name and vector already existed
};

struct AddedVector {
  CharacterRecord record;  // with `models` as it now stands
  bool added;              // false: it already held a vector of that model
};

struct Verification {
  std::string id;
  std::string model;
  double score;
  double threshold;
  bool same;                  // score >= threshold
  std::vector<double> frames;  // one score per frame vector sent, in order
};

struct CharacterPage {
  std::vector<CharacterRecord> data;
  bool has_more;
};

inline constexpr size_t kMaxNameCharacters = 80;
inline constexpr int kMaxMatches = 50;
inline constexpr int kMaxPageSize = 100;
inline constexpr size_t kMaxVerifyFrames = 64;

class RegistryService {
 public:
  // `owner_cache_bytes`: the bound of the index's cache of owners' blocks.
  RegistryService(Storage& storage, VectorIndex& index, const ModelCatalog& catalog,
                  ServiceLimits limits,
                  size_t owner_cache_bytes = VectorIndex::kDefaultOwnerCacheBytes);

  // Fills the index's public blocks from storage (owners' blocks are read on
  // their first match); returns the change cursor to poll from.
  int64_t load_index();

  ApiResult<NewKey> create_key(const std::string& client_address);
  // `authorization` is the raw header value ("Bearer ck_...").
  ApiResult<KeyRecord> authenticate(const std::string& authorization);

  ApiResult<CreatedCharacter> create_character(const KeyRecord& caller, const nlohmann::json& body);
  ApiResult<CharacterRecord> get_character(const KeyRecord& caller, const std::string& id);
  ApiResult<CharacterPage> list_characters(const KeyRecord& caller,
                                           const std::optional<std::string>& limit,
                                           const std::optional<std::string>& after);
  ApiResult<bool> delete_character(const KeyRecord& caller, const std::string& id);
  ApiResult<std::vector<IndexMatch>> match(const KeyRecord& caller, const nlohmann::json& body);
  // POST /v1/characters/{id}/embeddings: a vector of another model, owner only.
  ApiResult<AddedVector> add_vector(const KeyRecord& caller, const std::string& id,
                                    const nlohmann::json& body);
  // POST /v1/characters/{id}/verify: scored here; the stored vector never leaves.
  ApiResult<Verification> verify(const KeyRecord& caller, const std::string& id,
                                 const nlohmann::json& body);

  bool healthy();

 private:
  Storage& storage_;
  VectorIndex& index_;
  const ModelCatalog& catalog_;
  ServiceLimits limits_;
  RateLimiter key_limiter_;
  RateLimiter create_limiter_;
  RateLimiter match_limiter_;
};

// Checks a character name: 1..80 Unicode characters, no control characters,
// not only whitespace. Returns an error message, or nullopt when valid.
std::optional<std::string> name_problem(const std::string& name);

}  // namespace charid::registry
