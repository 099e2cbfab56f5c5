// What the SQLite and PostgreSQL backends share, so a table, a column or the
// create rule changes in one place: the schema and its migration, the
// character columns and how a row of them is read, the statements both run,
// and the idempotent-create algorithm over a small per-backend interface.
// Statements are written once with PostgreSQL's $N placeholders and a few
// {tokens}; render() turns them into each dialect (SQLite reads ?N).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/api_error.h"
#include "registry/storage.h"

namespace charid::registry {

// The words in which the two databases differ.
struct SqlDialect {
  const char* row_key;   // {row_key}: a table's own integer key
  const char* seq_key;   // {seq_key}: an insertion counter that never reuses a number
  const char* integer;   // {int}: 64-bit integers
  const char* bytes;     // {bytes}: byte strings
  const char* models;    // {models}: the comma-joined models of character_vectors v
  const char* lock_row;  // {lock}: a row lock to the end of the transaction (SQLite's
                         // BEGIN IMMEDIATE already holds the database)
  bool question_marks;   // placeholders ?N (SQLite) rather than $N
};

inline constexpr SqlDialect kSqliteDialect{"INTEGER PRIMARY KEY",
                                           "INTEGER PRIMARY KEY AUTOINCREMENT",
                                           "INTEGER",
                                           "BLOB",
                                           "group_concat(v.model, ',')",
                                           "",
                                           true};
inline constexpr SqlDialect kPostgresDialect{"BIGSERIAL PRIMARY KEY",
                                             "BIGSERIAL PRIMARY KEY",
                                             "BIGINT",
                                             "BYTEA",
                                             "string_agg(v.model, ',' ORDER BY v.model)",
                                             " FOR UPDATE",
                                             false};

// The character columns, read by read_character() in this order; a query
// that also wants the vector selects it right after them (kVectorColumn).
// The creation vector lives in `characters` (it is part of the idempotency
// key); vectors of models added later in `character_vectors`.
inline std::string character_columns(const SqlDialect& d, const std::string& table = "characters") {
  const std::string t = table + ".";
  return t + "id, " + t + "owner_id, " + t + "name, " + t + "model, " + t + "visibility, " + t +
         "created_at, " + t + "seq, " + t + "scale, " + t + "consent_basis, " + t +
         "consent_at, (SELECT " + d.models +
         " FROM character_vectors v WHERE v.character_id = " + t + "id)";
}
inline constexpr int kVectorColumn = 11;

// {row_key} {seq_key} {int} {bytes} {models} {lock} {columns} replaced, and
// $N turned into ?N for SQLite.
inline std::string render(const SqlDialect& d, std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const size_t end = text.find('}', i);
      const std::string_view token = text.substr(i + 1, end - i - 1);
      if (token == "row_key")
        out += d.row_key;
      else if (token == "seq_key")
        out += d.seq_key;
      else if (token == "int")
        out += d.integer;
      else if (token == "bytes")
        out += d.bytes;
      else if (token == "models")
        out += d.models;
      else if (token == "lock")
        out += d.lock_row;
      else if (token == "columns")
        out += character_columns(d);
      else
        throw StorageError("unknown SQL token {" + std::string(token) + "}");
      i = end;
    } else if (text[i] == '$' && d.question_marks && i + 1 < text.size() && text[i + 1] >= '0' &&
               text[i + 1] <= '9') {
      out += '?';
    } else {
      out += text[i];
    }
  }
  return out;
}

// Tables both backends hold (PostgreSQL adds its change log). Every
// statement is idempotent, so opening a database runs it as is.
inline constexpr std::string_view kSharedSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_keys (
  id {row_key},
  key_hash {bytes} NOT NULL UNIQUE,
  credits {int},
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS characters (
  seq {seq_key},
  id TEXT NOT NULL UNIQUE,
  owner_id {int} NOT NULL REFERENCES api_keys(id),
  name TEXT NOT NULL,
  model TEXT NOT NULL,
  visibility TEXT NOT NULL,
  created_at TEXT NOT NULL,
  scale REAL NOT NULL,
  vector {bytes} NOT NULL,
  vector_hash {bytes} NOT NULL,
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
  vector {bytes} NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (character_id, model)
);
)sql";

// Columns that databases made by earlier versions lack: added on open, only
// when missing (on PostgreSQL even "ADD COLUMN IF NOT EXISTS" takes an
// exclusive lock, which would deadlock with another instance loading its
// index). Characters made before consent records have none.
struct AddedColumn {
  const char* table;
  const char* column;
  const char* type;
};
inline constexpr AddedColumn kAddedColumns[] = {
    {"characters", "consent_basis", "TEXT"},
    {"characters", "consent_at", "TEXT"},
};

// What the schema algorithm needs of a backend.
class SchemaSteps {
 public:
  virtual ~SchemaSteps() = default;
  virtual void exec(const std::string& sql) = 0;
  virtual bool has_column(const std::string& table, const std::string& column) = 0;
};

// The one schema algorithm: the tables (CREATE ... IF NOT EXISTS), then the
// columns an older database lacks. `own_schema`/`own_columns`: a backend's
// additions (PostgreSQL's change log).
inline void create_schema(SchemaSteps& db, const SqlDialect& d, std::string_view own_schema = {},
                          const std::vector<AddedColumn>& own_columns = {}) {
  db.exec(render(d, kSharedSchema) + render(d, own_schema));
  std::vector<AddedColumn> added(std::begin(kAddedColumns), std::end(kAddedColumns));
  added.insert(added.end(), own_columns.begin(), own_columns.end());
  for (const AddedColumn& c : added) {
    if (!db.has_column(c.table, c.column)) {
      db.exec(std::string("ALTER TABLE ") + c.table + " ADD COLUMN " + c.column + " " + c.type);
    }
  }
}

// Statements both backends run, in the placeholders render() converts.
namespace sql {
inline constexpr std::string_view kFindSame =
    "SELECT {columns} FROM characters WHERE owner_id = $1 AND name = $2 AND model = $3"
    " AND vector_hash = $4";
inline constexpr std::string_view kFindCharacter = "SELECT {columns} FROM characters WHERE id = $1";
inline constexpr std::string_view kListCharacters =
    "SELECT {columns} FROM characters WHERE owner_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3";
inline constexpr std::string_view kCredits = "SELECT credits FROM api_keys WHERE id = $1{lock}";
inline constexpr std::string_view kSpendCredit =
    "UPDATE api_keys SET credits = credits - 1 WHERE id = $1 AND credits IS NOT NULL";
// $1..$11 as character_params / bind_character give them.
inline constexpr std::string_view kInsertCharacter =
    "INSERT INTO characters (id, owner_id, name, model, visibility, created_at, scale, vector,"
    " vector_hash, consent_basis, consent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " $11)";
inline constexpr std::string_view kInsertOnce =
    " ON CONFLICT (owner_id, name, model, vector_hash) DO NOTHING RETURNING seq";
inline constexpr std::string_view kDeleteCharacter =
    "DELETE FROM characters WHERE id = $1 AND owner_id = $2";
// A character's vector of one model, creation or added: $1 id, $2 model.
inline constexpr std::string_view kFindVector =
    "SELECT scale, vector FROM characters WHERE id = $1 AND model = $2"
    " UNION ALL SELECT scale, vector FROM character_vectors WHERE character_id = $1 AND model = $2";
// An owner's block of the index: $1 owner, $2 model; id, name, visibility, vector.
inline constexpr std::string_view kOwnerVectors =
    "SELECT id, name, visibility, vector FROM characters"
    " WHERE owner_id = $1 AND model = $2 AND visibility <> 'public'"
    " UNION ALL SELECT c.id, c.name, c.visibility, v.vector FROM characters c"
    " JOIN character_vectors v ON v.character_id = c.id"
    " WHERE c.owner_id = $1 AND v.model = $2 AND c.visibility <> 'public'";
// Added vectors in the layout of the character columns + vector (no
// consent or models: the record stands for that one vector).
inline constexpr std::string_view kAddedVectorRows =
    "SELECT c.id, c.owner_id, c.name, v.model, c.visibility, c.created_at, c.seq, v.scale,"
    " NULL, NULL, NULL, v.vector FROM character_vectors v JOIN characters c"
    " ON c.id = v.character_id";
inline constexpr std::string_view kPublicOnly = " WHERE c.visibility = 'public'";
}  // namespace sql

// Every model a character holds: the creation model, then the models of the
// vectors added later, given as the comma-joined list a query aggregates
// (model ids never contain a comma; the catalog refuses such ids).
inline std::vector<std::string> models_held(const std::string& creation_model,
                                            const std::string& added_joined) {
  std::vector<std::string> out{creation_model};
  size_t start = 0;
  while (start < added_joined.size()) {
    const size_t comma = added_joined.find(',', start);
    const size_t end = comma == std::string::npos ? added_joined.size() : comma;
    if (end > start) out.push_back(added_joined.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// A row of character_columns() from `first` on; Row gives text(col),
// integer(col), real(col) and is_null(col).
template <typename Row>
CharacterRecord read_character(const Row& row, int first = 0) {
  CharacterRecord r;
  r.id = row.text(first + 0);
  r.owner_id = row.integer(first + 1);
  r.name = row.text(first + 2);
  r.model = row.text(first + 3);
  r.visibility = row.text(first + 4);
  r.created_at = row.text(first + 5);
  r.seq = row.integer(first + 6);
  r.scale = static_cast<float>(row.real(first + 7));
  if (!row.is_null(first + 8)) r.consent = Consent{row.text(first + 8), row.text(first + 9)};
  r.models = models_held(r.model, row.text(first + 10));
  return r;
}

// The record a successful create answers with (no vector).
inline CharacterRecord created_record(const NewCharacter& c, int64_t seq) {
  CharacterRecord r;
  r.id = c.id;
  r.owner_id = c.owner_id;
  r.name = c.name;
  r.model = c.model;
  r.visibility = c.visibility;
  r.created_at = c.created_at;
  r.seq = seq;
  r.scale = c.scale;
  r.consent = c.consent;
  r.models = {c.model};
  return r;
}

// What one backend does for create_character_once, inside one transaction.
class CreateSteps {
 public:
  virtual ~CreateSteps() = default;
  virtual void begin() = 0;
  virtual std::optional<CharacterRecord> find_same(const NewCharacter& c) = 0;
  // The key's credits, held against other creates until commit or rollback;
  // nullopt: unlimited (or no such key).
  virtual std::optional<int64_t> locked_credits(int64_t owner_id) = 0;
  virtual void spend_credit(int64_t owner_id) = 0;
  // Inserts the row, with whatever the backend records alongside (the change
  // log); the new seq, or nullopt when an identical row committed meanwhile.
  virtual std::optional<int64_t> insert(const NewCharacter& c) = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
};

// The one idempotent create: an identical character wins and costs nothing;
// otherwise one credit is taken (when the key is limited) and the row stored.
inline CreateOutcome create_character_once(CreateSteps& db, const NewCharacter& c) {
  db.begin();
  if (auto same = db.find_same(c)) {
    db.commit();
    return {CreateOutcome::Status::existing, std::move(*same)};
  }
  if (const auto credits = db.locked_credits(c.owner_id); credits && *credits <= 0) {
    db.rollback();
    return {CreateOutcome::Status::insufficient_credits, {}};
  }
  db.spend_credit(c.owner_id);
  const auto seq = db.insert(c);
  if (!seq) {
    // An identical create committed meanwhile: give the credit back, answer with it.
    db.rollback();
    auto same = db.find_same(c);
    if (!same) throw StorageError("idempotent create lost its row");
    return {CreateOutcome::Status::existing, std::move(*same)};
  }
  db.commit();
  return {CreateOutcome::Status::created, created_record(c, *seq)};
}

}  // namespace charid::registry
