// PostgreSQL storage for several registry instances on one database. Creates
// and deletes also append to a change log (character_changes) under one
// transaction-scoped advisory lock, so change numbers become visible in order
// and every instance can pull "everything after N" without missing a commit.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "registry/storage.h"

typedef struct pg_conn PGconn;

namespace charid::registry {

class PostgresStorage : public Storage {
 public:
  // Connects (throws StorageError when it cannot) and creates the schema.
  explicit PostgresStorage(const std::string& url, size_t pool_size = 8);
  ~PostgresStorage() override;

  void ping() override;
  KeyRecord create_key(const std::string& key_hash, std::optional<int64_t> credits,
                       const std::string& created_at) override;
  std::optional<KeyRecord> find_key(const std::string& key_hash) override;
  std::optional<std::optional<int64_t>> add_credits(const std::string& key_hash,
                                                    int64_t amount) override;
  CreateOutcome create_character(const NewCharacter& character) override;
  void bulk_insert(const std::vector<NewCharacter>& characters) override;
  std::optional<CharacterRecord> find_character(const std::string& id) override;
  std::vector<CharacterRecord> list_characters(int64_t owner_id, size_t limit,
                                               std::optional<int64_t> before_seq) override;
  bool delete_character(const std::string& id, int64_t owner_id) override;
  AddVectorOutcome add_vector(const std::string& id, int64_t owner_id, const ModelVector& vector,
                              const std::string& added_at) override;
  std::optional<ModelVector> find_vector(const std::string& id, const std::string& model) override;
  int64_t load_all(const std::function<void(CharacterRecord&&)>& sink) override;
  int64_t load_public(const std::function<void(CharacterRecord&&)>& sink) override;
  void load_owner_vectors(int64_t owner_id, const std::string& model,
                          const std::function<void(CharacterRecord&&)>& sink) override;
  ChangeBatch changes_since(int64_t cursor, size_t limit) override;
  void prune_changes(int retention_seconds) override;
  bool erase_deleted() override;
  bool shared_between_processes() const override { return true; }

  // A connection borrowed from the pool for one operation; given back (rolled
  // back first if a transaction was left open) when it goes out of scope.
  class Lease {
   public:
    Lease(PostgresStorage& owner, PGconn* conn) : owner_(owner), conn_(conn) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PGconn* get() const { return conn_; }

   private:
    PostgresStorage& owner_;
    PGconn* conn_;
  };

 private:
  Lease lease();
  PGconn* connect();
  int64_t load_rows(bool public_only, const std::function<void(CharacterRecord&&)>& sink);

  std::string url_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
};

}  // namespace charid::registry
