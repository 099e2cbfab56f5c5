// Storage: what the registry keeps (API keys and characters) behind one
// interface with two implementations, SQLite (one process, the default) and
// PostgreSQL (several processes on one database). Methods throw StorageError
// when the database fails; bad input never reaches this layer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace charid::registry {

struct KeyRecord {
  int64_t id = 0;
  std::optional<int64_t> credits;  // nullopt: unlimited
  std::string key_hash;            // as stored, for the constant-time check
};

// Why a real person's biometric vector may be kept: recorded at creation and
// never changed afterwards (only deleting the character removes it).
struct Consent {
  std::string basis;        // "self" | "permission" | "fictional" | "not_a_person"
  std::string recorded_at;  // RFC 3339 UTC
};

// A vector of one model that a character holds.
struct ModelVector {
  std::string model;
  float scale = 0;
  std::vector<int8_t> vector;
};

struct CharacterRecord {
  std::string id;  // "char_..."
  int64_t owner_id = 0;
  std::string name;
  std::string model;       // the model it was created with (load_all: see there)
  std::string visibility;  // "private" | "unlisted" | "public"
  std::string created_at;  // RFC 3339 UTC
  int64_t seq = 0;         // insertion order: newest first is seq descending
  float scale = 0;
  std::optional<Consent> consent;
  std::vector<std::string> models;  // every model it holds, `model` first
  std::vector<int8_t> vector;       // empty when a query did not ask for it
};

struct NewCharacter {
  std::string id;
  int64_t owner_id = 0;
  std::string name;
  std::string model;
  std::string visibility;
  std::string created_at;
  float scale = 0;
  std::optional<Consent> consent;
  std::vector<int8_t> vector;
  std::string
      vector_hash;  // SHA-256 of the vector bytes: the idempotency key with owner+name+model
};

enum class AddVectorOutcome {
  added,
  already_held,  // the character holds a vector of this model: kept as it was
  not_found,     // no such character of this owner
};

struct CreateOutcome {
  enum class Status { created, existing, insufficient_credits };
  Status status;
  CharacterRecord record;  // the stored character (created or existing), without vector
};

// One committed change, for instances that share a database.
struct Change {
  int64_t seq = 0;
  std::string id;
  bool deleted = false;
  // With the vector the change stored (the creation vector or an added one,
  // as in load_all); absent when deleted since.
  std::optional<CharacterRecord> record;
};

struct ChangeBatch {
  std::vector<Change> changes;
  bool gap = false;
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual void ping() = 0;

  virtual KeyRecord create_key(const std::string& key_hash, std::optional<int64_t> credits,
                               const std::string& created_at) = 0;
  virtual std::optional<KeyRecord> find_key(const std::string& key_hash) = 0;
  // The new balance (nullopt inside: unlimited), or nullopt when no such key.
  virtual std::optional<std::optional<int64_t>> add_credits(const std::string& key_hash,
                                                            int64_t amount) = 0;

  // Atomic: an existing identical character wins; otherwise one credit is
  // taken (when the key is limited) and the row inserted, durably, before
  // this returns.
  virtual CreateOutcome create_character(const NewCharacter& character) = 0;
  // Many rows in one transaction, without credits or idempotency checks: for
  // seeding benchmarks and imports, never for API requests.
  virtual void bulk_insert(const std::vector<NewCharacter>& characters) = 0;
  virtual std::optional<CharacterRecord> find_character(const std::string& id) = 0;
  virtual std::vector<CharacterRecord> list_characters(int64_t owner_id, size_t limit,
                                                       std::optional<int64_t> before_seq) = 0;
  virtual bool delete_character(const std::string& id, int64_t owner_id) = 0;

  // A vector of another model for an existing character of `owner_id`.
  virtual AddVectorOutcome add_vector(const std::string& id, int64_t owner_id,
                                      const ModelVector& vector, const std::string& added_at) = 0;
  // The character's vector of `model`, if it holds one (for verify, which
  // scores it on the server and never returns it).
  virtual std::optional<ModelVector> find_vector(const std::string& id,
                                                 const std::string& model) = 0;

  // Streams every stored vector as a record of its character whose `model`,
  // `scale` and `vector` are that vector's (a character holding two models
  // comes twice); returns the change cursor to poll from afterwards.
  virtual int64_t load_all(const std::function<void(CharacterRecord&&)>& sink) = 0;
  // The same for public characters only (the index's resident blocks; a
  // partial index, characters_public, finds them).
  virtual int64_t load_public(const std::function<void(CharacterRecord&&)>& sink) = 0;
  // The vectors of `model` that `owner_id`'s characters other than public
  // ones hold, creation or added (one indexed read by characters_by_owner):
  // that owner's block of the index, read on the owner's first match. The
  // records carry id, owner_id, name, model, visibility and vector.
  virtual void load_owner_vectors(int64_t owner_id, const std::string& model,
                                  const std::function<void(CharacterRecord&&)>& sink) = 0;
  // Changes committed after `cursor`, oldest first. Only a shared database
  // has changes made elsewhere; SQLite has one writer process. `gap` says
  // that changes after the cursor were pruned: the caller must reload.
  virtual ChangeBatch changes_since(int64_t /*cursor*/, size_t /*limit*/) { return {}; }
  // Forgets changes older than `retention_seconds`; instances that fell
  // further behind reload everything (see ChangeBatch::gap).
  virtual void prune_changes(int /*retention_seconds*/) {}
  // Physically erases what deletes left behind in the database files: true
  // when it ran (or had nothing to do), false when another instance holds
  // the purge or the tables were busy, to retry later. SQLite needs none: it
  // erases at each delete (secure_delete and a truncating checkpoint).
  virtual bool erase_deleted() { return true; }
  virtual bool shared_between_processes() const { return false; }
};

}  // namespace charid::registry
