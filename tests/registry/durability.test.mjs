// SQLite durability: what was acknowledged survives a restart and a kill -9
// in the middle of concurrent writes; what was deleted is gone from disk.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  api, assertNothingLost, createCharacter, embedding, killDuringWrites, newKey, runAdmin,
  startRegistry, tempDir, vectorFromSeed, writeManifest,
} from './helpers.mjs';

test('characters, keys and the index persist across a restart', async () => {
  const dir = tempDir();
  const manifest = writeManifest(dir);
  let s = await startRegistry({ dataDir: dir, manifest });
  const key = await newKey(s.url);
  const v = vectorFromSeed(1);
  const { json: created } = await createCharacter(s.url, key, 'Persistent', v, 'public');
  await s.stop();

  s = await startRegistry({ dataDir: dir, manifest });
  try {
    const got = await api(s.url, 'GET', `/v1/characters/${created.id}`, { key });
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, created);
    const m = await api(s.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 1 } });
    assert.equal(m.json.matches[0].id, created.id);
    // Idempotency holds across the restart.
    assert.equal((await createCharacter(s.url, key, 'Persistent', v, 'public')).json.id, created.id);
  } finally {
    await s.stop();
    s.cleanup();
  }
});

test('kill -9 during concurrent writes loses nothing that was acknowledged', async () => {
  const dir = tempDir();
  const manifest = writeManifest(dir);
  let s = await startRegistry({ dataDir: dir, manifest, args: ['--creates-per-second', '0'] });
  const key = await newKey(s.url);
  const acknowledged = await killDuringWrites(s, key);
  assert.ok(acknowledged.length >= 150, `only ${acknowledged.length} acknowledged before the kill`);

  s = await startRegistry({ dataDir: dir, manifest });
  try {
    await assertNothingLost(assert, s.url, key, acknowledged);
  } finally {
    await s.stop();
    s.cleanup();
  }
});

test('a second server on the same DATA_DIR is refused; admin commands still run', async () => {
  const dir = tempDir();
  const manifest = writeManifest(dir);
  const s = await startRegistry({ dataDir: dir, manifest });
  try {
    await assert.rejects(startRegistry({ dataDir: dir, manifest }), /another charid-registry is serving/);
    const key = await newKey(s.url);
    const admin = runAdmin(['add-credits', '--key', key, '--amount', '1', '--data-dir', join(dir, 'data')]);
    assert.equal(admin.status, 0, admin.stderr);
  } finally {
    await s.stop();
    s.cleanup();
  }
});

test('a deleted vector is gone from the files in DATA_DIR', async () => {
  const dir = tempDir();
  const s = await startRegistry({ dataDir: dir });
  try {
    const key = await newKey(s.url);
    // A recognisable byte pattern, long enough not to occur by chance.
    const marker = Int8Array.from({ length: 128 }, (_, i) => ((i * 37) % 200) - 100 || 1);
    const { json } = await createCharacter(s.url, key, 'Forget me', marker);
    const files = () => readdirSync(join(dir, 'data')).map((f) => readFileSync(join(dir, 'data', f)));
    const needle = Buffer.from(marker.buffer);
    assert.ok(files().some((b) => b.includes(needle)), 'the vector should be on disk before deletion');
    assert.equal((await api(s.url, 'DELETE', `/v1/characters/${json.id}`, { key })).status, 204);
    assert.ok(!files().some((b) => b.includes(needle)), 'the vector is still on disk after deletion');
    assert.ok(!files().some((b) => b.includes(Buffer.from('Forget me'))), 'the name is still on disk');
  } finally {
    await s.stop();
    s.cleanup();
  }
});
