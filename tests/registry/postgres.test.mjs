// The PostgreSQL backend against a real PostgreSQL started here on loopback:
// the whole API suite, then two registry instances on one database.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { defineApiSuite } from './api_suite.mjs';
import { defineIdentitySuite } from './api_suite_identity.mjs';
import {
  api, assertNothingLost, createCharacter, embedding, killDuringWrites, newKey, runAdmin, startRegistry,
  tempDir, vectorFromSeed, writeManifest,
} from './helpers.mjs';
import * as helpers from './helpers.mjs';
import { assertLegacyServed, writeLegacyPostgres } from './legacy_schema.mjs';
import { startPostgres } from './postgres_server.mjs';

const pg = await startPostgres();
after(() => pg.stop());

const withPg = (args = []) => startRegistry({ env: { DATABASE_URL: pg.url }, args });

defineApiSuite('postgresql', () => withPg());
defineIdentitySuite('postgresql', () => withPg());

// Polls `check` until it returns truthy; returns the elapsed milliseconds.
async function within(ms, check) {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) return Infinity;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('postgresql: two instances, one database', () => {
  let a;
  let b;
  let dir;
  before(async () => {
    // Both started together: the schema set-up must tolerate the race.
    dir = tempDir();
    const manifest = writeManifest(dir);
    [a, b] = await Promise.all([
      startRegistry({ env: { DATABASE_URL: pg.url }, manifest }),
      startRegistry({ env: { DATABASE_URL: pg.url }, manifest }),
    ]);
  });
  after(async () => {
    for (const s of [a, b]) {
      await s.stop();
      s.cleanup();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('a character created on one instance is matchable on the other within a second', async () => {
    const key = await newKey(a.url);
    const v = vectorFromSeed(7001);
    const { status, json } = await createCharacter(a.url, key, 'Shared', v);
    assert.equal(status, 201);
    const elapsed = await within(1000, async () => {
      const m = await api(b.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 1 } });
      return m.json.matches[0]?.id === json.id;
    });
    assert.ok(elapsed <= 1000, 'not matchable on the second instance within 1 s');
    assert.equal((await api(b.url, 'GET', `/v1/characters/${json.id}`, { key })).status, 200);
    // Idempotent across instances: the same create on B gives A's id.
    const again = await createCharacter(b.url, key, 'Shared', v);
    assert.equal(again.json.id, json.id);
  });

  test('a delete on one instance leaves the other index within a second', async () => {
    const key = await newKey(b.url);
    const v = vectorFromSeed(7002);
    const { json } = await createCharacter(b.url, key, 'Short-lived', v, 'public');
    const other = await newKey(a.url);
    const seen = await within(1000, async () => {
      const m = await api(a.url, 'POST', '/v1/characters/match', { key: other, body: { embedding: embedding(v), k: 1 } });
      return m.json.matches[0]?.id === json.id;
    });
    assert.ok(seen <= 1000);
    assert.equal((await api(b.url, 'DELETE', `/v1/characters/${json.id}`, { key })).status, 204);
    const gone = await within(1000, async () => {
      const m = await api(a.url, 'POST', '/v1/characters/match', { key: other, body: { embedding: embedding(v), k: 50 } });
      return !m.json.matches.some((x) => x.id === json.id);
    });
    assert.ok(gone <= 1000, 'still matchable on the other instance after 1 s');
    assert.equal((await api(a.url, 'GET', `/v1/characters/${json.id}`, { key })).status, 404);
  });

  test('a vector of another model added on one instance is matchable on the other within a second', async () => {
    const key = await newKey(a.url);
    const { json } = await createCharacter(a.url, key, 'Upgraded', vectorFromSeed(7010));
    const v2 = vectorFromSeed(7011, helpers.OTHER_DIMS);
    const added = await api(a.url, 'POST', `/v1/characters/${json.id}/embeddings`, { key, body: { embedding: embedding(v2) } });
    assert.equal(added.status, 201, added.text);
    const elapsed = await within(1000, async () => {
      const m = await api(b.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v2), k: 1 } });
      return m.json.matches[0]?.id === json.id;
    });
    assert.ok(elapsed <= 1000, 'the added vector is not matchable on the second instance within 1 s');
    // Verify on the other instance reads the added vector from the database at once.
    const v = await api(b.url, 'POST', `/v1/characters/${json.id}/verify`, { key, body: { embedding: embedding(v2) } });
    assert.equal(v.json.verdict, 'same', v.text);
    // Deleted on B: both vectors leave A's index.
    assert.equal((await api(b.url, 'DELETE', `/v1/characters/${json.id}`, { key })).status, 204);
    const gone = await within(1000, async () => {
      const m = await api(a.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v2), k: 50 } });
      return !m.json.matches.some((x) => x.id === json.id);
    });
    assert.ok(gone <= 1000);
    assert.equal(Number(pg.query(`SELECT count(*) FROM character_vectors WHERE character_id = '${json.id}'`)), 0);
  });

  test('concurrent identical creates on both instances give one id', async () => {
    const key = await newKey(a.url);
    const v = vectorFromSeed(7003);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createCharacter(i % 2 ? a.url : b.url, key, 'Racer', v)),
    );
    assert.equal(new Set(results.map((r) => r.json.id)).size, 1);
    const list = await api(a.url, 'GET', '/v1/characters', { key });
    assert.equal(list.json.data.length, 1);
  });

  test('concurrent creates from both instances all land in both indexes', async () => {
    const key = await newKey(a.url);
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) => createCharacter(i % 2 ? a.url : b.url, key, `Many ${i}`, vectorFromSeed(7100 + i))),
    );
    assert.deepEqual([...new Set(made.map((r) => r.status))], [201]);
    for (const s of [a, b]) {
      const elapsed = await within(1000, async () => {
        for (let i = 0; i < 40; i += 7) {
          const m = await api(s.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(vectorFromSeed(7100 + i)), k: 1 } });
          if (m.json.matches[0]?.id !== made[i].json.id) return false;
        }
        return true;
      });
      assert.ok(elapsed <= 1000);
    }
  });
});

describe('postgresql: a database of the previous schema', () => {
  test('is migrated on open and served, by two instances at once', async () => {
    writeLegacyPostgres(pg, 'legacy');
    const url = pg.urlOf('legacy');
    const [a, b] = await Promise.all([
      startRegistry({ env: { DATABASE_URL: url } }), startRegistry({ env: { DATABASE_URL: url } }),
    ]);
    try {
      await assertLegacyServed(assert, helpers, a.url);
      const got = await api(b.url, 'GET', '/v1/characters/char_legacy0000000000', { key: 'ck_LegacyLegacyLegacyLegacyLegac1' });
      assert.equal(got.status, 200, got.text);
    } finally {
      for (const s of [a, b]) { await s.stop(); s.cleanup(); }
    }
  });
});

describe('postgresql: credits, restart and health', () => {
  test('credits are shared by instances; the admin command works on DATABASE_URL', async () => {
    const [a, b] = await Promise.all([withPg(['--credits-per-key', '1']), withPg(['--credits-per-key', '1'])]);
    try {
      const key = (await api(a.url, 'POST', '/v1/keys', { body: {} })).json.key;
      assert.equal((await createCharacter(a.url, key, 'Paid', vectorFromSeed(7200))).status, 201);
      assert.equal((await createCharacter(b.url, key, 'Unpaid', vectorFromSeed(7201))).status, 402);
      const admin = runAdmin(['add-credits', '--key', key, '--amount', '2'], { DATABASE_URL: pg.url });
      assert.equal(admin.status, 0, admin.stderr);
      assert.deepEqual(JSON.parse(admin.stdout), { credits: 2 });
      assert.equal((await createCharacter(b.url, key, 'Unpaid', vectorFromSeed(7201))).status, 201);
    } finally {
      for (const s of [a, b]) { await s.stop(); s.cleanup(); }
    }
  });

  test('an instance restarted later rebuilds its index from the database', async () => {
    const first = await withPg();
    const key = await newKey(first.url);
    const v = vectorFromSeed(7300);
    const { json } = await createCharacter(first.url, key, 'Remembered', v);
    await first.kill9();
    first.cleanup();
    const second = await withPg();
    try {
      const m = await api(second.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 1 } });
      assert.equal(m.json.matches[0].id, json.id);
    } finally {
      await second.stop();
      second.cleanup();
    }
  });

  test('kill -9 of an instance during concurrent writes loses nothing acknowledged', async () => {
    const first = await withPg(['--creates-per-second', '0']);
    const key = await newKey(first.url);
    const acknowledged = await killDuringWrites(first, key, { atLeast: 100, seedBase: 500000 });
    first.cleanup();
    assert.ok(acknowledged.length >= 100, `only ${acknowledged.length} acknowledged before the kill`);
    const second = await withPg();
    try {
      await assertNothingLost(assert, second.url, key, acknowledged);
    } finally {
      await second.stop();
      second.cleanup();
    }
  });

  test('the change log is pruned, and an instance that fell behind reloads', async () => {
    // A prunes entries older than a second; B polls only every 4 s, so the
    // changes it has not seen are gone by then.
    const a = await withPg(['--change-log-retention-s', '1']);
    const b = await withPg(['--sync-interval-ms', '4000']);
    try {
      const key = await newKey(a.url);
      const made = [];
      for (let i = 0; i < 3; i++) {
        made.push((await createCharacter(a.url, key, `Pruned ${i}`, vectorFromSeed(7400 + i))).json.id);
      }
      const pruned = await within(5000, async () => Number(pg.query('SELECT count(*) FROM character_changes')) <= 1);
      assert.ok(pruned <= 5000, 'the change log was not pruned');
      const caughtUp = await within(10000, async () => {
        const m = await api(b.url, 'POST', '/v1/characters/match', {
          key, body: { embedding: embedding(vectorFromSeed(7400)), k: 1 },
        });
        return m.json.matches[0]?.id === made[0];
      });
      assert.ok(caughtUp <= 10000, 'the lagging instance never caught up');
      // The owner's rows are read from the database on a match (the partitioned index), so B can
      // answer before its sync poll finds the gap in the pruned change log; the reload still follows.
      const reloaded = await within(10000, async () => /reloaded/.test(b.stderr()));
      assert.ok(reloaded <= 10000, 'the lagging instance never reloaded');
    } finally {
      for (const s of [a, b]) { await s.stop(); s.cleanup(); }
    }
  });

  test('/healthz is 503 while the database is down and 200 again after', async () => {
    const s = await withPg();
    try {
      assert.equal((await api(s.url, 'GET', '/healthz')).status, 200);
      pg.pause();
      const down = await api(s.url, 'GET', '/healthz');
      assert.equal(down.status, 503);
      assert.equal(down.json.error.code, 'storage_unavailable');
      // Other routes answer 503 too, not a dropped connection.
      assert.equal((await api(s.url, 'POST', '/v1/keys', { body: {} })).status, 503);
      pg.resume();
      const back = await within(5000, async () => (await api(s.url, 'GET', '/healthz')).status === 200);
      assert.ok(back <= 5000, 'did not reconnect');
    } finally {
      await s.stop();
      s.cleanup();
    }
  });
});

test('postgresql: vectors read back whole when the server sends bytea in the escape format', async () => {
  // bytea_output is a server setting a registry does not choose; libpq's
  // decoder reads both formats (a hand-written hex decoder read none here).
  pg.query('CREATE DATABASE escape_output');
  pg.query("ALTER DATABASE escape_output SET bytea_output = 'escape'");
  const dir = tempDir();
  const manifest = writeManifest(dir);
  const launch = () => startRegistry({ dataDir: dir, manifest, env: { DATABASE_URL: pg.urlOf('escape_output') } });
  let s = await launch();
  try {
    const key = await newKey(s.url);
    const v = vectorFromSeed(7600);
    const { json: c } = await createCharacter(s.url, key, 'Escaped', v);
    const verify = await api(s.url, 'POST', `/v1/characters/${c.id}/verify`, { key, body: { embedding: embedding(v) } });
    assert.equal(verify.status, 200, verify.text);
    assert.ok(Math.abs(verify.json.score - 1) < 1e-6, verify.text);
    // The index is rebuilt from the database at start.
    await s.stop();
    s = await launch();
    const m = await api(s.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 1 } });
    assert.equal(m.json.matches[0]?.id, c.id, m.text);
    assert.ok(Math.abs(m.json.matches[0].score - 1) < 1e-6, m.text);
  } finally {
    await s.stop();
    s.cleanup();
  }
});
