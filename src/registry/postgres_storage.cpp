// Over 400 lines by choice: every SQL statement of the PostgreSQL backend
// (schema, migration, change log, the pool) stays in this one file, so a
// change to a table is made and reviewed in one place.
#include "registry/postgres_storage.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdio>
#include <cstring>

#include "registry/api_error.h"
#include "registry/storage_rows.h"

namespace charid::registry {
namespace {

// Any constant works; all instances must agree on it.
constexpr const char* kChangeLock = "SELECT pg_advisory_xact_lock(4242001)";
constexpr const char* kSchemaLock = "SELECT pg_advisory_lock(4242002)";
constexpr const char* kSchemaUnlock = "SELECT pg_advisory_unlock(4242002)";
// One instance at a time rewrites the vector tables (erase_deleted).
constexpr const char* kPurgeTryLock = "SELECT pg_try_advisory_lock(4242003)";
constexpr const char* kPurgeUnlock = "SELECT pg_advisory_unlock(4242003)";

// PostgreSQL's own table: the change log other instances pull. Its `model`:
// NULL when the change stored the creation vector, else the model of the
// vector it added (a column databases made before added vectors lack).
constexpr std::string_view kChangeLogSchema = R"sql(
CREATE TABLE IF NOT EXISTS character_changes (
  seq BIGSERIAL PRIMARY KEY,
  character_id TEXT NOT NULL,
  deleted BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Query parameters: text for numbers and strings, binary for byte strings.
class Params {
 public:
  Params& text(std::string v) { return add(std::move(v), 0); }
  Params& integer(int64_t v) { return add(std::to_string(v), 0); }
  Params& real(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return add(buf, 0);
  }
  Params& bytes(const void* data, size_t size) {
    return add(std::string(static_cast<const char*>(data), size), 1);
  }
  Params& null() {
    values_.emplace_back();
    formats_.push_back(0);
    nulls_.push_back(true);
    return *this;
  }

  int count() const { return static_cast<int>(values_.size()); }
  void fill(std::vector<const char*>& v, std::vector<int>& len, std::vector<int>& fmt) const {
    for (size_t i = 0; i < values_.size(); ++i) {
      v.push_back(nulls_[i] ? nullptr : values_[i].data());
      len.push_back(static_cast<int>(values_[i].size()));
      fmt.push_back(formats_[i]);
    }
  }

 private:
  Params& add(std::string v, int format) {
    values_.push_back(std::move(v));
    formats_.push_back(format);
    nulls_.push_back(false);
    return *this;
  }
  std::vector<std::string> values_;
  std::vector<int> formats_;
  std::vector<bool> nulls_;
};

PgResult run(PGconn* conn, const char* sql, const Params& params = Params()) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  params.fill(values, lengths, formats);
  PgResult r(PQexecParams(conn, sql, params.count(), nullptr, values.data(), lengths.data(),
                          formats.data(), 0));
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw StorageError(std::string("postgres: ") + PQerrorMessage(conn));
  }
  return r;
}

// A statement shared with SQLite (storage_rows.h), in PostgreSQL's words.
PgResult run(PGconn* conn, std::string_view shared, const Params& params = Params()) {
  return run(conn, render(kPostgresDialect, shared).c_str(), params);
}

std::string text(const PgResult& r, int row, int col) {
  return std::string(PQgetvalue(r.get(), row, col), PQgetlength(r.get(), row, col));
}
int64_t integer(const PgResult& r, int row, int col) {
  return std::strtoll(PQgetvalue(r.get(), row, col), nullptr, 10);
}
bool is_null(const PgResult& r, int row, int col) { return PQgetisnull(r.get(), row, col) != 0; }

// bytea in text results is "\x" + hex; libpq's own decoder reads it.
std::string bytes(const PgResult& r, int row, int col) {
  size_t size = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r.get(), row, col)), &size);
  if (!raw) throw StorageError("postgres: out of memory decoding a bytea value");
  std::string out(reinterpret_cast<const char*>(raw), size);
  PQfreemem(raw);
  return out;
}

// One row of a result, as read_character (storage_rows.h) reads it.
struct PgRow {
  const PgResult& r;
  int row;
  std::string text(int col) const { return registry::text(r, row, col); }
  int64_t integer(int col) const { return registry::integer(r, row, col); }
  double real(int col) const { return std::strtof(PQgetvalue(r.get(), row, col), nullptr); }
  bool is_null(int col) const { return registry::is_null(r, row, col); }
};

std::vector<int8_t> read_vector(const PgResult& r, int row, int col) {
  const std::string b = bytes(r, row, col);
  return std::vector<int8_t>(reinterpret_cast<const int8_t*>(b.data()),
                             reinterpret_cast<const int8_t*>(b.data()) + b.size());
}

Params character_params(const NewCharacter& c) {
  Params p;
  p.text(c.id).integer(c.owner_id).text(c.name).text(c.model).text(c.visibility).text(c.created_at);
  p.real(c.scale)
      .bytes(c.vector.data(), c.vector.size())
      .bytes(c.vector_hash.data(), c.vector_hash.size());
  if (c.consent) {
    p.text(c.consent->basis).text(c.consent->recorded_at);
  } else {
    p.null().null();
  }
  return p;
}

// The create algorithm's steps (storage_rows.h) on one connection: the key's
// row is locked (FOR UPDATE) so concurrent creates with one key spend credits
// one at a time, and the insert and its change-log entry are made under the
// change-log lock, so change numbers commit in order.
class PgCreateSteps : public CreateSteps {
 public:
  explicit PgCreateSteps(PGconn* conn) : conn_(conn) {}
  void begin() override { run(conn_, "BEGIN"); }
  std::optional<CharacterRecord> find_same(const NewCharacter& c) override {
    const auto r = run(conn_, sql::kFindSame,
                       Params()
                           .integer(c.owner_id)
                           .text(c.name)
                           .text(c.model)
                           .bytes(c.vector_hash.data(), c.vector_hash.size()));
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return read_character(PgRow{r, 0});
  }
  std::optional<int64_t> locked_credits(int64_t owner_id) override {
    const auto r = run(conn_, sql::kCredits, Params().integer(owner_id));
    if (PQntuples(r.get()) == 0 || is_null(r, 0, 0)) return std::nullopt;
    return integer(r, 0, 0);
  }
  void spend_credit(int64_t owner_id) override {
    run(conn_, sql::kSpendCredit, Params().integer(owner_id));
  }
  std::optional<int64_t> insert(const NewCharacter& c) override {
    run(conn_, kChangeLock);
    const auto inserted =
        run(conn_, std::string(sql::kInsertCharacter) + std::string(sql::kInsertOnce),
            character_params(c));
    if (PQntuples(inserted.get()) == 0) return std::nullopt;
    run(conn_, "INSERT INTO character_changes (character_id, deleted) VALUES ($1, false)",
        Params().text(c.id));
    return integer(inserted, 0, 0);
  }
  void commit() override { run(conn_, "COMMIT"); }
  void rollback() override { run(conn_, "ROLLBACK"); }

 private:
  PGconn* conn_;
};

// The schema algorithm's steps (storage_rows.h).
class PgSchemaSteps : public SchemaSteps {
 public:
  explicit PgSchemaSteps(PGconn* conn) : conn_(conn) {}
  void exec(const std::string& sql) override {
    PgResult r(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      throw StorageError(std::string("postgres: schema: ") + PQerrorMessage(conn_));
    }
  }
  bool has_column(const std::string& table, const std::string& column) override {
    const auto r = run(conn_,
                       "SELECT 1 FROM information_schema.columns WHERE table_schema ="
                       " current_schema() AND table_name = $1 AND column_name = $2",
                       Params().text(table).text(column));
    return PQntuples(r.get()) > 0;
  }

 private:
  PGconn* conn_;
};

}  // namespace

PostgresStorage::Lease::~Lease() {
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    PgResult(PQexec(conn_, "ROLLBACK"));
  }
  {
    std::lock_guard lock(owner_.mutex_);
    owner_.idle_.push_back(conn_);
  }
  owner_.available_.notify_one();
}

PGconn* PostgresStorage::connect() {
  PGconn* conn = PQconnectdb(url_.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw StorageError("postgres: cannot connect: " + message);
  }
  PgResult(PQexec(conn, "SET client_min_messages = warning"));
  return conn;
}

PostgresStorage::PostgresStorage(const std::string& url, size_t pool_size) : url_(url) {
  for (size_t i = 0; i < pool_size; ++i) idle_.push_back(connect());
  auto conn = lease();
  // Instances may start together; one creates the schema at a time.
  run(conn.get(), kSchemaLock);
  try {
    PgSchemaSteps schema(conn.get());
    create_schema(schema, kPostgresDialect, kChangeLogSchema,
                  {{"character_changes", "model", "TEXT"}});
  } catch (...) {
    PgResult(PQexec(conn.get(), kSchemaUnlock));
    throw;
  }
  run(conn.get(), kSchemaUnlock);
}

PostgresStorage::~PostgresStorage() {
  std::lock_guard lock(mutex_);
  for (PGconn* c : idle_) PQfinish(c);
}

PostgresStorage::Lease PostgresStorage::lease() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  PGconn* conn = idle_.back();
  idle_.pop_back();
  lock.unlock();
  // A server restart breaks connections; reconnect once before giving up.
  // An idle connection has nothing to read: anything there is what a
  // stopped server sent it (its FATAL goodbye, then EOF). PQconsumeInput
  // alone may read the goodbye and not yet the EOF, and the connection then
  // looks fine until a request sent on it fails as 503 after the database
  // is back, so any unsolicited input counts as a dead connection.
  pollfd readable{PQsocket(conn), POLLIN, 0};
  const bool unsolicited = readable.fd < 0 || poll(&readable, 1, 0) != 0;
  if (unsolicited || PQstatus(conn) != CONNECTION_OK) {
    PQreset(conn);
    if (PQstatus(conn) == CONNECTION_OK)
      PgResult(PQexec(conn, "SET client_min_messages = warning"));
  }
  return Lease(*this, conn);
}

void PostgresStorage::ping() {
  auto conn = lease();
  run(conn.get(), "SELECT 1");
}

KeyRecord PostgresStorage::create_key(const std::string& key_hash, std::optional<int64_t> credits,
                                      const std::string& created_at) {
  auto conn = lease();
  Params p;
  p.bytes(key_hash.data(), key_hash.size());
  if (credits)
    p.integer(*credits);
  else
    p.null();
  p.text(created_at);
  const auto r = run(conn.get(),
                     "INSERT INTO api_keys (key_hash, credits, created_at) VALUES ($1, $2, $3)"
                     " RETURNING id",
                     p);
  return KeyRecord{integer(r, 0, 0), credits, key_hash};
}

std::optional<KeyRecord> PostgresStorage::find_key(const std::string& key_hash) {
  auto conn = lease();
  const auto r = run(conn.get(), "SELECT id, credits, key_hash FROM api_keys WHERE key_hash = $1",
                     Params().bytes(key_hash.data(), key_hash.size()));
  if (PQntuples(r.get()) == 0) return std::nullopt;
  KeyRecord k{integer(r, 0, 0), std::nullopt, bytes(r, 0, 2)};
  if (!is_null(r, 0, 1)) k.credits = integer(r, 0, 1);
  return k;
}

std::optional<std::optional<int64_t>> PostgresStorage::add_credits(const std::string& key_hash,
                                                                   int64_t amount) {
  auto conn = lease();
  const auto r = run(conn.get(),
                     "UPDATE api_keys SET credits = credits + $1 WHERE key_hash = $2"
                     " RETURNING credits",
                     Params().integer(amount).bytes(key_hash.data(), key_hash.size()));
  if (PQntuples(r.get()) == 0) return std::nullopt;
  if (is_null(r, 0, 0)) return std::optional<int64_t>();
  return std::optional<int64_t>(integer(r, 0, 0));
}

CreateOutcome PostgresStorage::create_character(const NewCharacter& c) {
  auto conn = lease();
  PgCreateSteps steps(conn.get());
  return create_character_once(steps, c);
}

void PostgresStorage::bulk_insert(const std::vector<NewCharacter>& characters) {
  auto conn = lease();
  run(conn.get(), "BEGIN");
  run(conn.get(), kChangeLock);
  for (const auto& c : characters) {
    run(conn.get(), sql::kInsertCharacter, character_params(c));
    run(conn.get(), "INSERT INTO character_changes (character_id, deleted) VALUES ($1, false)",
        Params().text(c.id));
  }
  run(conn.get(), "COMMIT");
}

std::optional<CharacterRecord> PostgresStorage::find_character(const std::string& id) {
  auto conn = lease();
  const auto r = run(conn.get(), sql::kFindCharacter, Params().text(id));
  if (PQntuples(r.get()) == 0) return std::nullopt;
  return read_character(PgRow{r, 0});
}

std::vector<CharacterRecord> PostgresStorage::list_characters(int64_t owner_id, size_t limit,
                                                              std::optional<int64_t> before_seq) {
  auto conn = lease();
  const auto r = run(conn.get(), sql::kListCharacters,
                     Params()
                         .integer(owner_id)
                         .integer(before_seq.value_or(INT64_MAX))
                         .integer(static_cast<int64_t>(limit)));
  std::vector<CharacterRecord> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(read_character(PgRow{r, i}));
  return out;
}

bool PostgresStorage::delete_character(const std::string& id, int64_t owner_id) {
  auto conn = lease();
  run(conn.get(), "BEGIN");
  run(conn.get(), kChangeLock);
  const auto r = run(conn.get(), sql::kDeleteCharacter, Params().text(id).integer(owner_id));
  if (std::strcmp(PQcmdTuples(r.get()), "0") == 0) {
    run(conn.get(), "ROLLBACK");
    return false;
  }
  run(conn.get(), "INSERT INTO character_changes (character_id, deleted) VALUES ($1, true)",
      Params().text(id));
  run(conn.get(), "COMMIT");
  return true;
}

int64_t PostgresStorage::load_all(const std::function<void(CharacterRecord&&)>& sink) {
  return load_rows(false, sink);
}

int64_t PostgresStorage::load_public(const std::function<void(CharacterRecord&&)>& sink) {
  return load_rows(true, sink);
}

void PostgresStorage::load_owner_vectors(int64_t owner_id, const std::string& model,
                                         const std::function<void(CharacterRecord&&)>& sink) {
  auto conn = lease();
  const auto r = run(conn.get(), sql::kOwnerVectors, Params().integer(owner_id).text(model));
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    CharacterRecord c;
    c.id = text(r, i, 0);
    c.owner_id = owner_id;
    c.name = text(r, i, 1);
    c.model = model;
    c.visibility = text(r, i, 2);
    c.vector = read_vector(r, i, 3);
    sink(std::move(c));
  }
}

int64_t PostgresStorage::load_rows(bool public_only,
                                   const std::function<void(CharacterRecord&&)>& sink) {
  auto conn = lease();
  // One snapshot for the rows and the cursor, read in pages to bound memory.
  run(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const auto cursor = run(conn.get(), "SELECT COALESCE(MAX(seq), 0) FROM character_changes");
  const int64_t change_cursor = integer(cursor, 0, 0);
  const std::string page_sql =
      "SELECT " + character_columns(kPostgresDialect) + ", vector FROM characters WHERE seq > $1" +
      (public_only ? " AND visibility = 'public'" : "") + " ORDER BY seq LIMIT 5000";
  int64_t last = 0;
  for (;;) {
    const auto r = run(conn.get(), page_sql.c_str(), Params().integer(last));
    const int rows = PQntuples(r.get());
    for (int i = 0; i < rows; ++i) {
      CharacterRecord c = read_character(PgRow{r, i});
      c.vector = read_vector(r, i, kVectorColumn);
      last = c.seq;
      sink(std::move(c));
    }
    if (rows < 5000) break;
  }
  // Then each added vector, as a record of its character with that model.
  const auto added =
      run(conn.get(), std::string(sql::kAddedVectorRows) +
                          std::string(public_only ? sql::kPublicOnly : "") + " ORDER BY c.seq");
  for (int i = 0; i < PQntuples(added.get()); ++i) {
    CharacterRecord c = read_character(PgRow{added, i});
    c.vector = read_vector(added, i, kVectorColumn);
    sink(std::move(c));
  }
  run(conn.get(), "COMMIT");
  return change_cursor;
}

AddVectorOutcome PostgresStorage::add_vector(const std::string& id, int64_t owner_id,
                                             const ModelVector& v, const std::string& added_at) {
  auto conn = lease();
  run(conn.get(), "BEGIN");
  // Row lock: a concurrent delete of the character waits for this, or wins.
  const auto owned =
      run(conn.get(), "SELECT model FROM characters WHERE id = $1 AND owner_id = $2 FOR UPDATE",
          Params().text(id).integer(owner_id));
  if (PQntuples(owned.get()) == 0) {
    run(conn.get(), "ROLLBACK");
    return AddVectorOutcome::not_found;
  }
  if (text(owned, 0, 0) == v.model) {
    run(conn.get(), "ROLLBACK");
    return AddVectorOutcome::already_held;
  }
  run(conn.get(), kChangeLock);
  const auto inserted = run(conn.get(),
                            "INSERT INTO character_vectors (character_id, model, scale, vector,"
                            " added_at) VALUES ($1, $2, $3, $4, $5)"
                            " ON CONFLICT (character_id, model) DO NOTHING RETURNING model",
                            Params()
                                .text(id)
                                .text(v.model)
                                .real(v.scale)
                                .bytes(v.vector.data(), v.vector.size())
                                .text(added_at));
  if (PQntuples(inserted.get()) == 0) {
    run(conn.get(), "ROLLBACK");
    return AddVectorOutcome::already_held;
  }
  run(conn.get(),
      "INSERT INTO character_changes (character_id, deleted, model) VALUES ($1, false, $2)",
      Params().text(id).text(v.model));
  run(conn.get(), "COMMIT");
  return AddVectorOutcome::added;
}

std::optional<ModelVector> PostgresStorage::find_vector(const std::string& id,
                                                        const std::string& model) {
  auto conn = lease();
  const auto r = run(conn.get(), sql::kFindVector, Params().text(id).text(model));
  if (PQntuples(r.get()) == 0) return std::nullopt;
  return ModelVector{model, std::strtof(PQgetvalue(r.get(), 0, 0), nullptr), read_vector(r, 0, 1)};
}

ChangeBatch PostgresStorage::changes_since(int64_t cursor, size_t limit) {
  auto conn = lease();
  ChangeBatch out;
  // Pruning removed what this instance had not seen yet: it must reload.
  const auto oldest = run(conn.get(), "SELECT MIN(seq) FROM character_changes");
  if (!is_null(oldest, 0, 0) && integer(oldest, 0, 0) > cursor + 1) {
    out.gap = true;
    return out;
  }
  // A change that added a vector (l.model set) carries that vector, in the
  // place of the creation vector; one whose vector is gone since has no row.
  static const std::string changes_sql = "SELECT l.seq, l.character_id, l.deleted, " +
                                         character_columns(kPostgresDialect, "c") +
                                         ", c.vector, l.model, v.scale, v.vector"
                                         " FROM character_changes l LEFT JOIN characters c"
                                         " ON c.id = l.character_id AND NOT l.deleted"
                                         " LEFT JOIN character_vectors v"
                                         " ON v.character_id = l.character_id AND v.model = l.model"
                                         " WHERE l.seq > $1 ORDER BY l.seq LIMIT $2";
  const auto r =
      run(conn.get(), changes_sql, Params().integer(cursor).integer(static_cast<int64_t>(limit)));
  constexpr int kFirst = 3;
  constexpr int kAddedModel = kFirst + kVectorColumn + 1;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Change ch;
    ch.seq = integer(r, i, 0);
    ch.id = text(r, i, 1);
    ch.deleted = text(r, i, 2) == "t";
    const bool added_vector = !is_null(r, i, kAddedModel);
    if (!ch.deleted && !is_null(r, i, kFirst) &&
        (!added_vector || !is_null(r, i, kAddedModel + 2))) {
      ch.record = read_character(PgRow{r, i}, kFirst);
      if (added_vector) {
        ch.record->model = text(r, i, kAddedModel);
        ch.record->scale = std::strtof(PQgetvalue(r.get(), i, kAddedModel + 1), nullptr);
        ch.record->vector = read_vector(r, i, kAddedModel + 2);
      } else {
        ch.record->vector = read_vector(r, i, kFirst + kVectorColumn);
      }
    }
    out.changes.push_back(std::move(ch));
  }
  return out;
}

void PostgresStorage::prune_changes(int retention_seconds) {
  auto conn = lease();
  // The newest change always stays, so a fresh instance's cursor (its MAX)
  // never looks like a gap.
  run(conn.get(),
      "DELETE FROM character_changes WHERE created_at < now() - make_interval(secs => $1)"
      " AND seq < (SELECT MAX(seq) FROM character_changes)",
      Params().integer(retention_seconds));
}

// A plain VACUUM only marks a dead row's space free: its bytes stay in the
// page until something overwrites them (measured: a deleted row that was the
// last on its page survives VACUUM). VACUUM FULL writes live rows into new
// files (the TOAST tables too); the old files are truncated to nothing at
// commit (and unlinked at the next checkpoint). It holds an exclusive lock
// for the rewrite, so the lock wait is bounded and a busy table is retried.
bool PostgresStorage::erase_deleted() {
  auto conn = lease();
  const auto locked = run(conn.get(), kPurgeTryLock);
  if (text(locked, 0, 0) != "t") return false;
  bool done = true;
  try {
    run(conn.get(), "SET lock_timeout = '5s'");
    run(conn.get(), "VACUUM FULL characters, character_vectors");
  } catch (const StorageError& e) {
    std::fprintf(stderr, "charid-registry: erasing deleted rows, retried later: %s\n", e.what());
    done = false;
  }
  try {
    run(conn.get(), "RESET lock_timeout");
    run(conn.get(), kPurgeUnlock);
  } catch (const StorageError&) {
    // The connection is broken; the server drops its session lock with it.
  }
  return done;
}

}  // namespace charid::registry
