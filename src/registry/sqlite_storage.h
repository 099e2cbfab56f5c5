// SQLite storage: one file in DATA_DIR, WAL mode with synchronous=FULL so an
// acknowledged create survives kill -9 (and power loss), secure_delete so a
// deleted vector is overwritten rather than left in free pages.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "registry/storage.h"

struct sqlite3;

namespace charid::registry {

class SqliteStorage : public Storage {
 public:
  // Opens (creating if needed) `path`; throws StorageError on failure.
  explicit SqliteStorage(const std::string& path);
  ~SqliteStorage() override;

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

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  void exec(const char* sql);
  int64_t load_rows(bool public_only, const std::function<void(CharacterRecord&&)>& sink);

  // One connection: SQLite has one writer at a time anyway, and reads on an
  // indexed table take microseconds.
  std::mutex mutex_;
  std::unique_ptr<sqlite3, Closer> db_;
};

}  // namespace charid::registry
