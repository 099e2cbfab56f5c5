// Soak with faults, on SQLite and PostgreSQL: 64 concurrent clients of mixed
// create, match, verify, list, get and delete with a few bad requests; the
// server is killed with SIGKILL and restarted in the middle, and (PostgreSQL)
// the database is stopped for a few seconds (10 in a long run) and started again. Afterwards:
// no 5xx except 503s in the error shape while the database was down, every
// acknowledged create readable, every acknowledged delete gone. Latency per
// route and server RSS are printed. Bounded (~15-20 s a backend);
// CHARID_SOAK_SECONDS=60 runs it long.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { api, assertErrorShape, newKey, startRegistry, tempDir, writeManifest } from './helpers.mjs';
import { startPostgres } from './postgres_server.mjs';
import { auditLedger, rssMiB, runSoak } from './soak_workload.mjs';

const SECONDS = Number(process.env.CHARID_SOAK_SECONDS ?? 10);
const CLIENTS = 64;
// How long PostgreSQL is stopped mid-soak: 10 s in a long run, as issue 14 asks.
const OUTAGE_SECONDS = Number(process.env.CHARID_SOAK_OUTAGE_SECONDS ?? (SECONDS >= 60 ? 10 : 3));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(ms, check) {
  const started = Date.now();
  while (Date.now() - started < ms) {
    try {
      if (await check()) return Date.now() - started;
    } catch { /* not up yet */ }
    await sleep(50);
  }
  return Infinity;
}

async function soak(backend, t, pg) {
  const dir = tempDir();
  const manifest = writeManifest(dir);
  const env = pg ? { DATABASE_URL: pg.url } : {};
  // The soak measures the server, not the per-key limits.
  const args = ['--keys-per-minute', '0', '--creates-per-second', '0', '--matches-per-second', '0'];
  const launch = () => startRegistry({ dataDir: dir, manifest, env, args });
  let server = await launch();
  t.after(async () => {
    await server.stop();
    server.cleanup();
  });
  const keys = [];
  for (let i = 0; i < 8; i++) keys.push(await newKey(server.url));
  const target = { url: server.url };
  const rss = { start: rssMiB(server.proc.pid) };
  let down = false;
  const events = [];

  const chaos = (async () => {
    await sleep(SECONDS * 400);
    rss.beforeKill = rssMiB(server.proc.pid);
    await server.kill9();
    server = await launch();
    target.url = server.url;
    events.push('killed with SIGKILL and restarted');
    if (!pg) return;
    await sleep(SECONDS * 200);
    down = true;
    const stoppedAt = performance.now();
    pg.pause();
    const health = await api(target.url, 'GET', '/healthz');
    assertErrorShape(assert, health, 503, 'storage_unavailable');
    await sleep(OUTAGE_SECONDS * 1000);
    pg.resume();
    const recovered = await until(10000, async () => (await api(target.url, 'GET', '/healthz')).status === 200);
    down = false;
    events.push(`database stopped ${OUTAGE_SECONDS} s at ${Math.round(stoppedAt)} ms, back at ${Math.round(performance.now())} ms; /healthz 503 while down, 200 again ${recovered} ms after it restarted`);
    assert.ok(Number.isFinite(recovered), 'the registry did not recover within 10 s of the database');
  })();

  const { ledger, stats, summary } = await runSoak({ target, keys, clients: CLIENTS, seconds: SECONDS, outage: () => down });
  await chaos;
  rss.end = rssMiB(server.proc.pid);
  const audit = await auditLedger(target.url, ledger);
  t.diagnostic(`${backend}: ${SECONDS} s, ${CLIENTS} clients; ${events.join('; ')}`);
  t.diagnostic(`${backend}: per route ${JSON.stringify(summary)}`);
  t.diagnostic(`${backend}: ${ledger.created.size} creates and ${ledger.deleted.size} deletes acknowledged, `
    + `${audit.checked} audited, ${ledger.inDoubt.size} deletes in doubt, ${stats.unavailable} 503s while the database was down, `
    + `${stats.connectionErrors} connection errors around the kill`);
  t.diagnostic(`${backend}: server RSS MiB at start ${rss.start}, before the kill ${rss.beforeKill}, at the end ${rss.end}`);

  const serverErrors = [...new Set(server.stderr().split('\n').filter((l) => /error/.test(l)))].slice(0, 5);
  assert.deepEqual(stats.failures.slice(0, 10), [], `${stats.failures.length} failures; server said: ${serverErrors.join(' | ')}`);
  assert.deepEqual(audit.lost.slice(0, 10), [], `${audit.lost.length} acknowledged creates lost`);
  assert.deepEqual(audit.resurrected.slice(0, 10), [], `${audit.resurrected.length} deleted characters came back`);
  assert.ok(ledger.created.size > 200 && ledger.deleted.size > 20, 'too little work done to judge');
}

describe('soak with faults', () => {
  test('sqlite', async (t) => soak('sqlite', t));
  test('postgresql', async (t) => {
    const pg = await startPostgres();
    t.after(() => pg.stop());
    await soak('postgresql', t, pg);
  });
});
