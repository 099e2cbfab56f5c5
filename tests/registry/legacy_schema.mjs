// Databases as the registry wrote them before consent records and vectors of
// several models (the schema of commit d364828), filled with one key and one
// character, to test that a newer registry opens them and keeps serving them.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';

import { MODEL, vectorFromSeed } from './helpers.mjs';

const TABLES = (blob, serial, bigint) => `
CREATE TABLE api_keys (
  id ${serial} PRIMARY KEY,
  key_hash ${blob} NOT NULL UNIQUE,
  credits ${bigint},
  created_at TEXT NOT NULL
);
CREATE TABLE characters (
  seq ${serial === 'INTEGER' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY'},
  id TEXT NOT NULL UNIQUE,
  owner_id ${bigint} NOT NULL REFERENCES api_keys(id),
  name TEXT NOT NULL,
  model TEXT NOT NULL,
  visibility TEXT NOT NULL,
  created_at TEXT NOT NULL,
  scale REAL NOT NULL,
  vector ${blob} NOT NULL,
  vector_hash ${blob} NOT NULL,
  UNIQUE (owner_id, name, model, vector_hash)
);
CREATE INDEX characters_by_owner ON characters (owner_id, seq);`;

export const LEGACY_KEY = 'ck_LegacyLegacyLegacyLegacyLegac1';
export const LEGACY_ID = 'char_legacy0000000000';
export const LEGACY_SEED = 4242;

const sha256 = (data) => createHash('sha256').update(data).digest();
const hex = (buf) => Buffer.from(buf).toString('hex');

function legacyRows(literal) {
  const v = vectorFromSeed(LEGACY_SEED);
  const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return `
INSERT INTO api_keys (key_hash, credits, created_at) VALUES (${literal(sha256(LEGACY_KEY))}, NULL, '2026-11-30T10:00:00Z');
INSERT INTO characters (id, owner_id, name, model, visibility, created_at, scale, vector, vector_hash)
  VALUES ('${LEGACY_ID}', 1, 'Old friend', '${MODEL}', 'public', '2026-11-30T10:00:01Z', 0.007874,
          ${literal(bytes)}, ${literal(sha256(bytes))});`;
}

// Writes the legacy SQLite file at `path` (with Python's sqlite3 module,
// which ships with python3, so no extra package is needed).
export function writeLegacySqlite(path) {
  const sql = TABLES('BLOB', 'INTEGER', 'INTEGER') + legacyRows((b) => `X'${hex(b)}'`);
  const r = spawnSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.stdin.read()); c.commit()', path],
    { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writing the legacy database failed: ${r.stderr}`);
}

// Creates database `name` on the test PostgreSQL with the legacy schema.
export function writeLegacyPostgres(pg, name) {
  pg.query(`CREATE DATABASE ${name}`);
  const changes = `
CREATE TABLE character_changes (
  seq BIGSERIAL PRIMARY KEY,
  character_id TEXT NOT NULL,
  deleted BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO character_changes (character_id, deleted) VALUES ('${LEGACY_ID}', false);`;
  pg.query(TABLES('BYTEA', 'BIGSERIAL', 'BIGINT') + legacyRows((b) => `'\\x${hex(b)}'::bytea`) + changes, name);
}

// What a registry must still do with the legacy database: serve its
// character (no consent record, one model), match it, take a vector of
// another model for it, and create new characters with consent.
export async function assertLegacyServed(assert, { api, createCharacter, embedding, OTHER_MODEL, OTHER_DIMS }, base) {
  const got = await api(base, 'GET', `/v1/characters/${LEGACY_ID}`, { key: LEGACY_KEY });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.name, 'Old friend');
  assert.deepEqual(got.json.models, [MODEL]);
  assert.equal(got.json.consent, null);
  const m = await api(base, 'POST', '/v1/characters/match', {
    key: LEGACY_KEY, body: { embedding: embedding(vectorFromSeed(LEGACY_SEED)), k: 1 },
  });
  assert.equal(m.json.matches[0]?.id, LEGACY_ID, m.text);
  assert.ok(Math.abs(m.json.matches[0].score - 1) < 1e-6);
  const added = await api(base, 'POST', `/v1/characters/${LEGACY_ID}/embeddings`, {
    key: LEGACY_KEY,
    body: { embedding: embedding(vectorFromSeed(7, OTHER_DIMS), { subject: { kind: 'animal', box: [0, 0, 1, 1] } }) },
  });
  assert.equal(added.status, 201, added.text);
  assert.deepEqual(added.json.models, [MODEL, OTHER_MODEL]);
  const fresh = await createCharacter(base, LEGACY_KEY, 'New friend', vectorFromSeed(LEGACY_SEED + 1));
  assert.equal(fresh.status, 201, fresh.text);
  assert.equal(fresh.json.consent.basis, 'self');
}
