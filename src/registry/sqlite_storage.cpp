#include "registry/sqlite_storage.h"

#include <sqlite3.h>

#include <set>

#include "registry/api_error.h"
#include "registry/storage_rows.h"

namespace charid::registry {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_keys (
  id INTEGER PRIMARY KEY,
  key_hash BLOB NOT NULL UNIQUE,
  credits INTEGER,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS characters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  owner_id INTEGER NOT NULL REFERENCES api_keys(id),
  name TEXT NOT NULL,
  model TEXT NOT NULL,
  visibility TEXT NOT NULL,
  created_at TEXT NOT NULL,
  scale REAL NOT NULL,
  vector BLOB NOT NULL,
  vector_hash BLOB NOT NULL,
  consent_basis TEXT,
  consent_at TEXT,
  UNIQUE (owner_id, name, model, vector_hash)
);
CREATE INDEX IF NOT EXISTS characters_by_owner ON characters (owner_id, seq);
CREATE INDEX IF NOT EXISTS characters_public ON characters (seq) WHERE visibility = 'public';
CREATE TABLE IF NOT EXISTS character_vectors (
  character_id TEXT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  scale REAL NOT NULL,
  vector BLOB NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (character_id, model)
);
)sql";

// Columns that databases made before consent records lack (ALTER TABLE adds
// them on open; existing characters have no consent record).
constexpr const char* kAddedColumns[][2] = {
    {"consent_basis", "ALTER TABLE characters ADD COLUMN consent_basis TEXT"},
    {"consent_at", "ALTER TABLE characters ADD COLUMN consent_at TEXT"},
};

// The creation vector lives in `characters` (it is part of the idempotency
// key); vectors of models added later in `character_vectors`.
constexpr const char* kCharacterColumns =
    "id, owner_id, name, model, visibility, created_at, seq, scale, consent_basis, consent_at,"
    " (SELECT group_concat(v.model, ',') FROM character_vectors v"
    " WHERE v.character_id = characters.id) AS added_models";
constexpr int kVectorColumn = 11;  // after kCharacterColumns, where a query adds it

// A prepared statement that finalizes itself; binds are 1-based like SQLite.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
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

CharacterRecord read_character(const Statement& s) {
  CharacterRecord r;
  r.id = s.text(0);
  r.owner_id = s.integer(1);
  r.name = s.text(2);
  r.model = s.text(3);
  r.visibility = s.text(4);
  r.created_at = s.text(5);
  r.seq = s.integer(6);
  r.scale = static_cast<float>(s.real(7));
  if (!s.is_null(8)) r.consent = Consent{s.text(8), s.text(9)};
  r.models = models_held(r.model, s.text(10));
  return r;
}

int64_t insert_row(sqlite3* db, const NewCharacter& c) {
  Statement insert(db,
                   "INSERT INTO characters (id, owner_id, name, model, visibility, created_at,"
                   " scale, vector, vector_hash, consent_basis, consent_at)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, c.id).bind(2, c.owner_id).bind(3, c.name).bind(4, c.model);
  insert.bind(5, c.visibility).bind(6, c.created_at).bind(7, static_cast<double>(c.scale));
  insert.bind_blob(8, c.vector.data(), c.vector.size());
  insert.bind_blob(9, c.vector_hash.data(), c.vector_hash.size());
  insert.bind_optional(10, c.consent ? std::optional(c.consent->basis) : std::nullopt);
  insert.bind_optional(11, c.consent ? std::optional(c.consent->recorded_at) : std::nullopt);
  insert.step();
  return sqlite3_last_insert_rowid(db);
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

 private:
  void run(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw StorageError(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
  }
  sqlite3* db_;
  bool done_ = false;
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
  exec(kSchema);
  migrate();
}

// Brings a database made by an earlier version up to this schema, keeping
// its rows (new tables come from kSchema's IF NOT EXISTS).
void SqliteStorage::migrate() {
  std::set<std::string> columns;
  {
    Statement info(db_.get(), "PRAGMA table_info(characters)");
    while (info.step()) columns.insert(info.text(1));
  }
  for (const auto& [column, sql] : kAddedColumns) {
    if (!columns.count(column)) exec(sql);
  }
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
  Transaction tx(db_.get());
  {
    Statement same(db_.get(), (std::string("SELECT ") + kCharacterColumns +
                               " FROM characters WHERE owner_id = ? AND name = ? AND model = ?"
                               " AND vector_hash = ?")
                                  .c_str());
    same.bind(1, c.owner_id).bind(2, c.name).bind(3, c.model);
    same.bind_blob(4, c.vector_hash.data(), c.vector_hash.size());
    if (same.step()) return {CreateOutcome::Status::existing, read_character(same)};
  }
  {
    Statement credits(db_.get(), "SELECT credits FROM api_keys WHERE id = ?");
    credits.bind(1, c.owner_id);
    if (credits.step() && !credits.is_null(0) && credits.integer(0) <= 0) {
      return {CreateOutcome::Status::insufficient_credits, {}};
    }
  }
  Statement(db_.get(),
            "UPDATE api_keys SET credits = credits - 1 WHERE id = ? AND credits IS NOT NULL")
      .bind(1, c.owner_id)
      .step();
  const int64_t seq = insert_row(db_.get(), c);
  tx.commit();

  return {CreateOutcome::Status::created, created_record(c, seq)};
}

void SqliteStorage::bulk_insert(const std::vector<NewCharacter>& characters) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_.get());
  for (const auto& c : characters) insert_row(db_.get(), c);
  tx.commit();
}

std::optional<CharacterRecord> SqliteStorage::find_character(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(
      db_.get(),
      (std::string("SELECT ") + kCharacterColumns + " FROM characters WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_character(s);
}

std::vector<CharacterRecord> SqliteStorage::list_characters(int64_t owner_id, size_t limit,
                                                            std::optional<int64_t> before_seq) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), (std::string("SELECT ") + kCharacterColumns +
                          " FROM characters WHERE owner_id = ? AND seq < ?"
                          " ORDER BY seq DESC LIMIT ?")
                             .c_str());
  s.bind(1, owner_id).bind(2, before_seq.value_or(INT64_MAX)).bind(3, static_cast<int64_t>(limit));
  std::vector<CharacterRecord> out;
  while (s.step()) out.push_back(read_character(s));
  return out;
}

bool SqliteStorage::delete_character(const std::string& id, int64_t owner_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_.get(), "DELETE FROM characters WHERE id = ? AND owner_id = ?");
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
  Statement s(db_.get(),
              "SELECT scale, vector FROM characters WHERE id = ? AND model = ?"
              " UNION ALL SELECT scale, vector FROM character_vectors"
              " WHERE character_id = ? AND model = ?");
  s.bind(1, id).bind(2, model).bind(3, id).bind(4, model);
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
  Statement s(db_.get(),
              "SELECT id, name, visibility, vector FROM characters"
              " WHERE owner_id = ?1 AND model = ?2 AND visibility <> 'public'"
              " UNION ALL SELECT c.id, c.name, c.visibility, v.vector FROM characters c"
              " JOIN character_vectors v ON v.character_id = c.id"
              " WHERE c.owner_id = ?1 AND v.model = ?2 AND c.visibility <> 'public'");
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
                (std::string("SELECT ") + kCharacterColumns + ", vector FROM characters" +
                 (public_only ? " WHERE visibility = 'public'" : "") + " ORDER BY seq")
                    .c_str());
    while (s.step()) {
      CharacterRecord r = read_character(s);
      r.vector = s.blob(kVectorColumn);
      last = r.seq;
      sink(std::move(r));
    }
  }
  // Then each added vector, as a record of its character with that model.
  Statement added(db_.get(),
                  (std::string("SELECT c.id, c.owner_id, c.name, v.model, c.visibility,"
                               " c.created_at, c.seq, v.scale, NULL, NULL, NULL, v.vector"
                               " FROM character_vectors v JOIN characters c"
                               " ON c.id = v.character_id") +
                   (public_only ? " WHERE c.visibility = 'public'" : "") + " ORDER BY c.seq")
                      .c_str());
  while (added.step()) {
    CharacterRecord r = read_character(added);
    r.vector = added.blob(kVectorColumn);
    sink(std::move(r));
  }
  return last;
}

}  // namespace charid::registry
