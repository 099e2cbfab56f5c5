#include "registry/registry_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/base64.h"

#include "registry/clock.h"
#include "registry/consent.h"
#include "registry/embedding_payload.h"
#include "registry/index_sync.h"
#include "registry/random_token.h"

namespace charid::registry {
namespace {

// Ids are "char_" + base62 (random_token.h). Anything else cannot name a
// character, and must not reach the database: PostgreSQL refuses text that
// is not UTF-8 (or holds NUL) with an error, which would be a 503.
bool could_be_character_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

ApiError rate_limited(int retry_after, const std::string& what) {
  return ApiError{429, "rate_limited",
                  "Too many " + what + "; retry after " + std::to_string(retry_after) + " s.",
                  retry_after};
}

bool is_visible_to(const CharacterRecord& r, const KeyRecord& caller) {
  return r.owner_id == caller.id || r.visibility == "public" || r.visibility == "unlisted";
}

std::optional<int> parse_int(const std::string& text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The body's "embedding", validated for its model (400 when there is none).
ApiResult<Embedding> body_embedding(const nlohmann::json& body, const ModelCatalog& catalog) {
  const auto embedding = body.find("embedding");
  if (embedding == body.end()) return bad_request("embedding is required");
  return parse_embedding(*embedding, catalog);
}

}  // namespace

std::optional<std::string> name_problem(const std::string& name) {
  // The JSON parser has already rejected invalid UTF-8; count code points.
  size_t count = 0;
  bool blank = true;
  for (size_t i = 0; i < name.size();) {
    const auto lead = static_cast<unsigned char>(name[i]);
    const size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? lead : lead & (0x7F >> len);
    for (size_t j = 1; j < len && i + j < name.size(); ++j) {
      cp = (cp << 6) | (static_cast<unsigned char>(name[i + j]) & 0x3F);
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) {
      return "name must not contain control characters";
    }
    if (cp != ' ' && cp != 0xA0 && cp != 0x3000) blank = false;
    ++count;
    i += len;
  }
  if (count == 0 || blank) return "name must not be empty";
  if (count > kMaxNameCharacters) return "name must be at most 80 characters";
  return std::nullopt;
}

RegistryService::RegistryService(Storage& storage, VectorIndex& index, const ModelCatalog& catalog,
                                 ServiceLimits limits, size_t owner_cache_bytes)
    : storage_(storage),
      index_(index),
      catalog_(catalog),
      limits_(limits),
      key_limiter_(limits.keys_per_minute / 60.0, limits.keys_per_minute),
      create_limiter_(limits.creates_per_second, limits.creates_per_second * 2),
      match_limiter_(limits.matches_per_second, limits.matches_per_second * 2) {
  // Owners' blocks are read on their first match (vector_index.h), so the
  // index holds the public characters and the active owners, not everyone.
  index_.load_owners_on_demand(
      [this](int64_t owner, const std::string& model,
             const std::function<void(IndexedCharacter&&)>& sink) {
        storage_.load_owner_vectors(
            owner, model, [&sink](CharacterRecord&& r) { sink(to_indexed(std::move(r))); });
      },
      owner_cache_bytes);
}

int64_t RegistryService::load_index() {
  return storage_.load_public(
      [this](CharacterRecord&& r) { index_.add(to_indexed(std::move(r))); });
}

ApiResult<NewKey> RegistryService::create_key(const std::string& client_address) {
  if (const int wait = key_limiter_.acquire(client_address)) return rate_limited(wait, "new keys");
  NewKey out{new_api_key(), limits_.credits_per_key};
  storage_.create_key(sha256(out.key), out.credits, now_rfc3339());
  return out;
}

ApiResult<KeyRecord> RegistryService::authenticate(const std::string& authorization) {
  const ApiError unauthorized{401, "unauthorized",
                              "Send an API key as \"Authorization: Bearer ck_...\" "
                              "(POST /v1/keys makes one)."};
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return unauthorized;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i])
      return unauthorized;
  }
  std::string key = authorization.substr(kScheme.size());
  while (!key.empty() && key.back() == ' ') key.pop_back();
  while (!key.empty() && key.front() == ' ') key.erase(0, 1);
  if (key.rfind("ck_", 0) != 0 || key.size() > 128) return unauthorized;
  // The lookup is by hash (an index seek); the final comparison of the
  // stored and computed hashes is constant-time.
  const std::string hash = sha256(key);
  auto found = storage_.find_key(hash);
  if (!found || !constant_time_equal(found->key_hash, hash)) return unauthorized;
  return *found;
}

ApiResult<CreatedCharacter> RegistryService::create_character(const KeyRecord& caller,
                                                              const nlohmann::json& body) {
  if (const int wait = create_limiter_.acquire(std::to_string(caller.id))) {
    return rate_limited(wait, "characters created with this key");
  }
  if (!body.is_object()) return bad_request("The body must be a JSON object");
  const auto name = body.find("name");
  if (name == body.end() || !name->is_string()) return bad_request("name must be a string");
  if (auto problem = name_problem(name->get<std::string>())) return bad_request(*problem);
  std::string visibility = "private";
  if (const auto v = body.find("visibility"); v != body.end()) {
    if (!v->is_string() || (*v != "private" && *v != "unlisted" && *v != "public")) {
      return bad_request("visibility must be \"private\", \"unlisted\" or \"public\"");
    }
    visibility = v->get<std::string>();
  }
  auto embedding = body_embedding(body, catalog_);
  if (!embedding.ok()) return embedding.error();
  Embedding e = std::move(embedding).value();
  const std::string now = now_rfc3339();
  auto consent = parse_consent(body, now);
  if (!consent.ok()) return consent.error();
  const std::string kind = subject_kind(body.at("embedding"));
  if (!consent.value() && needs_consent(kind)) {
    return consent_required(
        kind, "Send \"consent\": {\"basis\": \"self\" | \"permission\" | \"fictional\" | "
              "\"not_a_person\"} with the create: your own likeness, a person who gave you "
              "permission, a fictional character, or not a person at all.");
  }

  NewCharacter c;
  c.id = new_character_id();
  c.owner_id = caller.id;
  c.name = name->get<std::string>();
  c.model = e.model;
  c.visibility = visibility;
  c.created_at = now;
  c.consent = consent.value();
  c.scale = e.scale;
  c.vector = std::move(e.vector);
  c.vector_hash =
      sha256(std::string_view(reinterpret_cast<const char*>(c.vector.data()), c.vector.size()));

  CreateOutcome outcome = storage_.create_character(c);
  switch (outcome.status) {
    case CreateOutcome::Status::insufficient_credits:
      return ApiError{402, "insufficient_credits",
                      "This key has no credits left; each new character costs one."};
    case CreateOutcome::Status::existing:
      return CreatedCharacter{std::move(outcome.record), false};
    case CreateOutcome::Status::created:
      break;
  }
  index_.add(
      IndexedCharacter{c.id, c.name, c.model, c.owner_id, c.visibility == "public", c.vector});
  return CreatedCharacter{std::move(outcome.record), true};
}

ApiResult<CharacterRecord> RegistryService::get_character(const KeyRecord& caller,
                                                          const std::string& id) {
  if (!could_be_character_id(id)) return not_found();
  auto found = storage_.find_character(id);
  if (!found || !is_visible_to(*found, caller)) return not_found();
  return std::move(*found);
}

ApiResult<CharacterPage> RegistryService::list_characters(const KeyRecord& caller,
                                                          const std::optional<std::string>& limit,
                                                          const std::optional<std::string>& after) {
  int page_size = 20;
  if (limit) {
    const auto parsed = parse_int(*limit);
    if (!parsed || *parsed < 1 || *parsed > kMaxPageSize) {
      return bad_request("limit must be an integer from 1 to 100");
    }
    page_size = *parsed;
  }
  std::optional<int64_t> before_seq;
  if (after) {
    const auto cursor =
        could_be_character_id(*after) ? storage_.find_character(*after) : std::nullopt;
    if (!cursor || cursor->owner_id != caller.id) {
      return bad_request("after must be the id of one of your characters");
    }
    before_seq = cursor->seq;
  }
  // One extra row answers has_more without a count query.
  auto rows = storage_.list_characters(caller.id, static_cast<size_t>(page_size) + 1, before_seq);
  const bool has_more = rows.size() > static_cast<size_t>(page_size);
  if (has_more) rows.pop_back();
  return CharacterPage{std::move(rows), has_more};
}

ApiResult<bool> RegistryService::delete_character(const KeyRecord& caller, const std::string& id) {
  if (!could_be_character_id(id) || !storage_.delete_character(id, caller.id)) return not_found();
  index_.remove(id);
  return true;
}

ApiResult<std::vector<IndexMatch>> RegistryService::match(const KeyRecord& caller,
                                                          const nlohmann::json& body) {
  if (const int wait = match_limiter_.acquire(std::to_string(caller.id))) {
    return rate_limited(wait, "match requests with this key");
  }
  if (!body.is_object()) return bad_request("The body must be a JSON object");
  int k = 10;
  if (const auto kv = body.find("k"); kv != body.end()) {
    if (!kv->is_number_integer() || kv->get<long long>() < 1 ||
        kv->get<long long>() > kMaxMatches) {
      return bad_request("k must be an integer from 1 to 50");
    }
    k = kv->get<int>();
  }
  auto embedding = body_embedding(body, catalog_);
  if (!embedding.ok()) return embedding.error();
  return index_.search(embedding.value().model, embedding.value().vector, caller.id,
                       static_cast<size_t>(k));
}

ApiResult<AddedVector> RegistryService::add_vector(const KeyRecord& caller, const std::string& id,
                                                  const nlohmann::json& body) {
  if (const int wait = create_limiter_.acquire(std::to_string(caller.id))) {
    return rate_limited(wait, "vectors added with this key");
  }
  if (!body.is_object()) return bad_request("The body must be a JSON object");
  auto embedding = body_embedding(body, catalog_);
  if (!embedding.ok()) return embedding.error();
  Embedding e = std::move(embedding).value();
  if (!could_be_character_id(id)) return not_found();
  auto found = storage_.find_character(id);
  if (!found || found->owner_id != caller.id) return not_found();
  const std::string kind = subject_kind(body.at("embedding"));
  if (!found->consent && needs_consent(kind)) {
    return consent_required(kind,
                            "This character was registered without one, and consent is never "
                            "added afterwards: delete it and create it again with \"consent\".");
  }
  const AddVectorOutcome outcome =
      storage_.add_vector(id, caller.id, ModelVector{e.model, e.scale, e.vector}, now_rfc3339());
  if (outcome == AddVectorOutcome::not_found) return not_found();  // deleted meanwhile
  if (outcome == AddVectorOutcome::added) {
    index_.add(IndexedCharacter{found->id, found->name, e.model, found->owner_id,
                                found->visibility == "public", std::move(e.vector)});
  }
  auto now = storage_.find_character(id);
  if (!now) return not_found();
  return AddedVector{std::move(*now), outcome == AddVectorOutcome::added};
}

ApiResult<Verification> RegistryService::verify(const KeyRecord& caller, const std::string& id,
                                                const nlohmann::json& body) {
  if (const int wait = match_limiter_.acquire(std::to_string(caller.id))) {
    return rate_limited(wait, "verify requests with this key");
  }
  if (!body.is_object()) return bad_request("The body must be a JSON object");
  auto embedding = body_embedding(body, catalog_);
  if (!embedding.ok()) return embedding.error();
  const Embedding& e = embedding.value();

  std::vector<std::vector<int8_t>> frames;
  if (const auto f = body.find("frames"); f != body.end()) {
    if (!f->is_array()) return bad_request("frames must be an array of base64 int8 vectors");
    if (f->size() > kMaxVerifyFrames) return bad_request("frames holds at most 64 vectors");
    for (size_t i = 0; i < f->size(); ++i) {
      const std::string where = "frames[" + std::to_string(i) + "]";
      if (!(*f)[i].is_string()) return invalid_embedding(where + " must be a base64 string");
      auto bytes = base64_decode((*f)[i].get_ref<const std::string&>());
      if (!bytes) return invalid_embedding(where + " is not valid base64");
      if (bytes->size() != e.vector.size()) {
        return invalid_embedding(where + " holds " + std::to_string(bytes->size()) +
                                 " values; " + e.model + " needs " +
                                 std::to_string(e.vector.size()));
      }
      frames.emplace_back(reinterpret_cast<const int8_t*>(bytes->data()),
                          reinterpret_cast<const int8_t*>(bytes->data()) + bytes->size());
    }
  }

  if (!could_be_character_id(id)) return not_found();
  const auto found = storage_.find_character(id);
  if (!found || !is_visible_to(*found, caller)) return not_found();
  const auto stored = storage_.find_vector(id, e.model);
  if (!stored) {
    std::string held;
    for (const auto& m : found->models) held += (held.empty() ? "" : ", ") + m;
    ApiError error{422, "model_not_held",
                   "This character holds no vector of " + e.model + " (it holds " + held +
                       "); send a vector of one of those models, or add one of " + e.model +
                       " with POST /v1/characters/{id}/embeddings."};
    error.models = found->models;
    return error;
  }
  const ModelSpec* spec = catalog_.find(e.model);
  if (!spec->threshold) {
    return ApiError{422, "no_threshold",
                    "The registry's manifest gives no calibrated threshold for " + e.model +
                        ", so it cannot say same or different."};
  }
  Verification out{found->id, e.model, index_.score_pair(e.model, e.vector, stored->vector),
                   *spec->threshold, false, {}};
  out.same = out.score >= out.threshold;
  for (const auto& frame : frames) {
    out.frames.push_back(index_.score_pair(e.model, frame, stored->vector));
  }
  return out;
}

bool RegistryService::healthy() {
  try {
    storage_.ping();
    return true;
  } catch (const StorageError&) {
    return false;
  }
}

}  // namespace charid::registry
