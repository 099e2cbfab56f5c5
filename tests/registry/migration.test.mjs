// A SQLite database written by the registry before consent records and
// vectors of several models is opened by this one and keeps its characters.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import * as helpers from './helpers.mjs';
import { assertLegacyServed, writeLegacySqlite } from './legacy_schema.mjs';

test('sqlite: a database of the previous schema is migrated on open and served', async () => {
  const dir = helpers.tempDir();
  mkdirSync(join(dir, 'data'));
  writeLegacySqlite(join(dir, 'data', 'registry.sqlite3'));
  let server = await helpers.startRegistry({ dataDir: dir });
  try {
    await assertLegacyServed(assert, helpers, server.url);
    // And again after a restart on the migrated file: the added vector is loaded.
    await server.stop();
    server = await helpers.startRegistry({ dataDir: dir });
    const m = await helpers.api(server.url, 'POST', '/v1/characters/match', {
      key: 'ck_LegacyLegacyLegacyLegacyLegac1',
      body: { embedding: helpers.embedding(helpers.vectorFromSeed(7, helpers.OTHER_DIMS)), k: 1 },
    });
    assert.equal(m.json.matches[0]?.id, 'char_legacy0000000000', m.text);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
