// Deletion that erases: after DELETE, a character's vectors (of every model
// it holds) and its name are gone from the database's files, not only from
// the answers. SQLite: the data folder with its WAL, at once. PostgreSQL:
// every file of the database (tables, TOAST, indexes) within the purge
// interval, found through pg_relation_filepath in the test's own server.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

import {
  api, createCharacter, embedding, newKey, OTHER_DIMS, serversStoppedAfterFile, vectorFromSeed,
} from './helpers.mjs';
import { startPostgres } from './postgres_server.mjs';

const start = serversStoppedAfterFile();

// Byte patterns long enough not to occur by chance, never zero.
const marker = Int8Array.from({ length: 128 }, (_, i) => ((i * 37) % 200) - 100 || 1);
const otherMarker = Int8Array.from({ length: OTHER_DIMS }, (_, i) => ((i * 53) % 180) - 90 || 3);
const NAME = 'Forget me entirely';

function filesIn(dir) {
  return readdirSync(dir).map((f) => join(dir, f)).filter((p) => statSync(p).isFile());
}
// Which of the character's byte patterns are still in the files.
function traces(files) {
  const needles = { vector: Buffer.from(marker.buffer), other_vector: Buffer.from(otherMarker.buffer), name: Buffer.from(NAME) };
  const found = new Set();
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const [what, needle] of Object.entries(needles)) if (bytes.includes(needle)) found.add(what);
  }
  return [...found].sort();
}

// Characters before and after the doomed one, a second model's vector on it
// and one on a neighbour: the deleted rows sit among live ones, and the
// doomed one is the last written (the case a plain VACUUM leaves behind).
async function createAndDelete(url, onDisk) {
  const key = await newKey(url);
  for (let i = 0; i < 20; i++) {
    assert.equal((await createCharacter(url, key, `Before ${i}`, vectorFromSeed(100 + i))).status, 201);
  }
  const { json: doomed } = await createCharacter(url, key, NAME, marker);
  const added = await api(url, 'POST', `/v1/characters/${doomed.id}/embeddings`, { key, body: { embedding: embedding(otherMarker) } });
  assert.equal(added.status, 201, added.text);
  assert.deepEqual(await onDisk(), ['name', 'other_vector', 'vector'], 'the character should be on disk before deletion');
  assert.equal((await api(url, 'DELETE', `/v1/characters/${doomed.id}`, { key })).status, 204);
  return key;
}

test('sqlite: a deleted character leaves no byte in the database file or its WAL', async () => {
  const s = await start();
  const dataDir = join(s.dir, 'data');
  await createAndDelete(s.url, () => traces(filesIn(dataDir)));
  assert.deepEqual(traces(filesIn(dataDir)), []);
  // Also once the server has closed the database (its last checkpoint).
  await s.stop();
  assert.deepEqual(traces(filesIn(dataDir)), []);
});

test('postgresql: a deleted character is erased from the database files within the purge interval', async (t) => {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  const s = await start({ env: { DATABASE_URL: pg.url }, args: ['--purge-interval-s', '1'] });
  // Every file of the registry's database: the folder of its tables.
  const dbDir = join(pg.dataDir, dirname(pg.query("SELECT pg_relation_filepath('characters')")));
  const onDisk = () => {
    pg.query('CHECKPOINT'); // shared buffers to the files, so the files show what the rows hold
    return traces(filesIn(dbDir));
  };
  await createAndDelete(s.url, onDisk);
  let left = onDisk();
  const started = Date.now();
  while (left.length && Date.now() - started < 15000) {
    await new Promise((r) => setTimeout(r, 250));
    left = onDisk();
  }
  assert.deepEqual(left, [], `still in ${dbDir} after ${Date.now() - started} ms`);
  // The registry keeps serving during and after the purge.
  assert.equal((await api(s.url, 'GET', '/healthz')).status, 200);
});
