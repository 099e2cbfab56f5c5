#include "registry/sqlite_storage.h"

#include <sqlite3.h>

#include "registry/api_error.h"
#include "registry/storage_rows.h"

namespace charid::registry {
namespace {

// A prepared statement that finalizes itself; binds are 1-based like SQLite.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  // A statement shared with PostgreSQL (storage_rows.h), in SQLite's words.
  Statement(sqlite3* db, std::string_view shared)
      : Statement(db, render(kSqliteDialect, shared).c_str()) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
  Statement& bind(int i, const std::string& v) {
    return check(
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind_blob(int i, const void* data, size_t size) {
    return check(sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT));
  }
  Statement& bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }
  Statement& bind_optional(int i, const std::optional<std::string>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  // true while there is a row; false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail();
    return false;
  }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : "";
  }
  std::vector<int8_t> blob(int col) const {
    const auto* p = static_cast<const int8_t*>(sqlite3_column_blob(stmt_, col));
    return p ? std::vector<int8_t>(p, p + sqlite3_column_bytes(stmt_, col)) : std::vector<int8_t>{};
  }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) fail();
    return *this;
  }
  [[noreturn]] void fail() const {
    throw StorageError(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void bind_character(Statement& s, const NewCharacter& c) {
  s.bind(1, c.id).bind(2, c.owner_id).bind(3, c.name).bind(4, c.model);
  s.bind(5, c.visibility).bind(6, c.created_at).bind(7, static_cast<double>(c.scale));
  s.bind_blob(8, c.vector.data(), c.vector.size());
  s.bind_blob(9, c.vector_hash.data(), c.vector_hash.size());
  s.bind_optional(10, c.consent ? std::optional(c.consent->basis) : std::nullopt);
  s.bind_optional(11, c.consent ? std::optional(c.consent->recorded_at) : std::nullopt);
}

// Rolls back unless committed, so an exception never leaves a transaction open.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { run("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    run("COMMIT");
    done_ = true;
  }
  void rollback() {
    run("ROLLBACK");
    done_ = true;
  }

 private:
  void run(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw StorageError(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
  }
  sqlite3* db_;
  bool done_ = false;
};

class SqliteSchemaSteps : public SchemaSteps {
 public:
  explicit SqliteSchemaSteps(sqlite3* db) : db_(db) {}
  void exec(const std::string& sql) override {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      throw StorageError("sqlite: " + text);
    }
  }
  bool has_column(const std::string& table, const std::string& column) override {
    Statement info(db_, ("PRAGMA table_info(" + table + ")").c_str());
    while (info.step()) {
      if (info.text(1) == column) return true;
    }
    return false;
  }

 private:
  sqlite3* db_;
};

// The create algorithm's steps (storage_rows.h) on one SQLite connection;
// BEGIN IMMEDIATE takes the write lock, so the credit check needs no row lock.
class SqliteCreateSteps : public CreateSteps {
 public:
  explicit SqliteCreateSteps(sqlite3* db) : db_(db) {}
  void begin() override { tx_.emplace(db_); }
  std::optional<CharacterRecord> find_same(const NewCharacter& c) override {
    Statement same(db_, sql::kFindSame);
    same.bind(1, c.owner_id).bind(2, c.name).bind(3, c.model);
    same.bind_blob(4, c.vector_hash.data(), c.vector_hash.size());
    if (!same.step()) return std::nullopt;
    return read_character(same);
  }
  std::optional<int64_t> locked_credits(int64_t owner_id) override {
    Statement credits(db_, sql::kCredits);
    credits.bind(1, owner_id);
    if (!credits.step() || credits.is_null(0)) return std::nullopt;
    return credits.integer(0);
  }
  void spend_credit(int64_t owner_id) override {
    Statement(db_, sql::kSpendCredit).bind(1, owner_id).step();
  }
  std::optional<int64_t> insert(const NewCharacter& c) override {
    Statement insert(db_, std::string(sql::kInsertCharacter) + std::string(sql::kInsertOnce));
    bind_character(insert, c);
    if (!insert.step()) return std::nullopt;
    const int64_t seq = insert.integer(0);
    while (insert.step()) {
    }
    return seq;
  }
  void commit() override { tx_->commit(); }
  void rollback() override { tx_->rollback(); }

 private:
  sqlite3* db_;
  std::optional<Transaction> tx_;  // rolled back if an exception leaves it open
};

}  // namespace

void SqliteStorage::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

SqliteStorage::SqliteStorage(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) {
    throw StorageError("cannot open " + path + ": " +
                       (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db_.get(), 5000);
  exec("PRAGMA journal_mode=WAL");
  // FULL: the WAL is fsynced at every commit, so a 201 is on disk.
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA secure_delete=ON");
  exec("PRAGMA foreign_keys=ON");
  // The tables, and the columns a database made by an earlier version lacks
  // (its rows kept): storage_rows.h, shared with PostgreSQL.
  SqliteSchemaSteps schema(db_.get());
  create_schema(schema, kSqliteDialect);
}

SqliteStorage::~SqliteStorage() = default;

void SqliteStorage::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw StorageError("sqlite: " + text);
  }
}

void SqliteStorage::ping() {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), "SELECT count(*) FROM api_keys");
  s.step();
}

KeyRecord SqliteStorage::create_key(const std::string& key_hash, std::optional<int64_t> credits,
                                    const std::string& created_at) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), "INSERT INTO api_keys (key_hash, credits, created_at) VALUES (?, ?, ?)");
  s.bind_blob(1, key_hash.data(), key_hash.size());
  if (credits)
    s.bind(2, *credits);
  else
    s.bind_null(2);
  s.bind(3, created_at);
  s.step();
  return KeyRecord{sqlite3_last_insert_rowid(db_.get()), credits, key_hash};
}

std::optional<KeyRecord> SqliteStorage::find_key(const std::string& key_hash) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), "SELECT id, credits, key_hash FROM api_keys WHERE key_hash = ?");
  s.bind_blob(1, key_hash.data(), key_hash.size());
  if (!s.step()) return std::nullopt;
  const auto stored = s.blob(2);
  KeyRecord k{s.integer(0), std::nullopt, std::string(stored.begin(), stored.end())};
  if (!s.is_null(1)) k.credits = s.integer(1);
  return k;
}

std::optional<std::optional<int64_t>> SqliteStorage::add_credits(const std::string& key_hash,
                                                                 int64_t amount) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_.get());
  Statement update(
      db_.get(),
      "UPDATE api_keys SET credits = credits + ? WHERE key_hash = ? AND credits IS NOT NULL");
  update.bind(1, amount).bind_blob(2, key_hash.data(), key_hash.size());
  update.step();
  Statement read(db_.get(), "SELECT credits FROM api_keys WHERE key_hash = ?");
  read.bind_blob(1, key_hash.data(), key_hash.size());
  if (!read.step()) return std::nullopt;
  std::optional<int64_t> balance;
  if (!read.is_null(0)) balance = read.integer(0);
  tx.commit();
  return balance;
}

CreateOutcome SqliteStorage::create_character(const NewCharacter& c) {
  std::lock_guard lock(mutex_);
  SqliteCreateSteps steps(db_.get());
  return create_character_once(steps, c);
}

void SqliteStorage::bulk_insert(const std::vector<NewCharacter>& characters) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_.get());
  for (const auto& c : characters) {
    Statement insert(db_.get(), sql::kInsertCharacter);
    bind_character(insert, c);
    insert.step();
  }
  tx.commit();
}

std::optional<CharacterRecord> SqliteStorage::find_character(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), sql::kFindCharacter);
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_character(s);
}

std::vector<CharacterRecord> SqliteStorage::list_characters(int64_t owner_id, size_t limit,
                                                            std::optional<int64_t> before_seq) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), sql::kListCharacters);
  s.bind(1, owner_id).bind(2, before_seq.value_or(INT64_MAX)).bind(3, static_cast<int64_t>(limit));
  std::vector<CharacterRecord> out;
  while (s.step()) out.push_back(read_character(s));
  return out;
}

bool SqliteStorage::delete_character(const std::string& id, int64_t owner_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), sql::kDeleteCharacter);
  s.bind(1, id).bind(2, owner_id);
  s.step();
  if (sqlite3_changes(db_.get()) == 0) return false;
  // secure_delete zeroed the row in the database pages; a truncating
  // checkpoint also drops the WAL frames that still held the old pages.
  sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  return true;
}

AddVectorOutcome SqliteStorage::add_vector(const std::string& id, int64_t owner_id,
                                           const ModelVector& v, const std::string& added_at) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_.get());
  {
    Statement owned(db_.get(), "SELECT model FROM characters WHERE id = ? AND owner_id = ?");
    owned.bind(1, id).bind(2, owner_id);
    if (!owned.step()) return AddVectorOutcome::not_found;
    if (owned.text(0) == v.model) return AddVectorOutcome::already_held;
  }
  Statement insert(db_.get(),
                   "INSERT OR IGNORE INTO character_vectors (character_id, model, scale, vector,"
                   " added_at) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, id).bind(2, v.model).bind(3, static_cast<double>(v.scale));
  insert.bind_blob(4, v.vector.data(), v.vector.size()).bind(5, added_at);
  insert.step();
  if (sqlite3_changes(db_.get()) == 0) return AddVectorOutcome::already_held;
  tx.commit();
  return AddVectorOutcome::added;
}

std::optional<ModelVector> SqliteStorage::find_vector(const std::string& id,
                                                      const std::string& model) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), sql::kFindVector);
  s.bind(1, id).bind(2, model);
  if (!s.step()) return std::nullopt;
  return ModelVector{model, static_cast<float>(s.real(0)), s.blob(1)};
}

int64_t SqliteStorage::load_all(const std::function<void(CharacterRecord&&)>& sink) {
  return load_rows(false, sink);
}

int64_t SqliteStorage::load_public(const std::function<void(CharacterRecord&&)>& sink) {
  return load_rows(true, sink);
}

void SqliteStorage::load_owner_vectors(int64_t owner_id, const std::string& model,
                                       const std::function<void(CharacterRecord&&)>& sink) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), sql::kOwnerVectors);
  s.bind(1, owner_id).bind(2, model);
  while (s.step()) {
    CharacterRecord r;
    r.id = s.text(0);
    r.owner_id = owner_id;
    r.name = s.text(1);
    r.model = model;
    r.visibility = s.text(2);
    r.vector = s.blob(3);
    sink(std::move(r));
  }
}

int64_t SqliteStorage::load_rows(bool public_only,
                                 const std::function<void(CharacterRecord&&)>& sink) {
  std::lock_guard lock(mutex_);
  int64_t last = 0;
  {
    Statement s(db_.get(),
                "SELECT " + character_columns(kSqliteDialect) + ", vector FROM characters" +
                    (public_only ? " WHERE visibility = 'public'" : "") + " ORDER BY seq");
    while (s.step()) {
      CharacterRecord r = read_character(s);
      r.vector = s.blob(kVectorColumn);
      last = r.seq;
      sink(std::move(r));
    }
  }
  // Then each added vector, as a record of its character with that model.
  Statement added(db_.get(), std::string(sql::kAddedVectorRows) +
                                 std::string(public_only ? sql::kPublicOnly : "") +
                                 " ORDER BY c.seq");
  while (added.step()) {
    CharacterRecord r = read_character(added);
    r.vector = added.blob(kVectorColumn);
    sink(std::move(r));
  }
  return last;
}

}  // namespace charid::registry
