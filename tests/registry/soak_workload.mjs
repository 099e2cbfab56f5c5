// The soak's clients: a mix of create, match, verify, list, get and delete
// (and a few bad requests) from many concurrent clients against whatever
// server `target.url` names at the moment, with a ledger of what the server
// acknowledged, so a test can check afterwards that nothing acknowledged was
// lost and nothing deleted came back.
import { readFileSync } from 'node:fs';

import { api, createCharacter, embedding, vectorFromSeed } from './helpers.mjs';

const MIX = [
  ['create', 30], ['match', 20], ['verify', 10], ['list', 10], ['get', 15], ['delete', 10], ['bad', 5],
];
const TOTAL = MIX.reduce((n, [, w]) => n + w, 0);

function pickRoute(random) {
  let r = random() * TOTAL;
  for (const [route, weight] of MIX) {
    if ((r -= weight) < 0) return route;
  }
  return 'create';
}

// Small deterministic generator per client, so a failing run can be replayed.
function generator(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// `target`: { url } (replaced when the server restarts); `keys`: API keys the
// clients share; `outage()`: true while the test has the database stopped
// (a 503 in the error shape is then expected, not a failure).
export async function runSoak({ target, keys, clients = 64, seconds, outage = () => false, seedBase = 0 }) {
  const ledger = {
    created: new Map(),   // id -> { key, seed }: acknowledged (201)
    deleted: new Set(),   // acknowledged (204)
    inDoubt: new Set(),   // a delete sent without an answer (server killed)
  };
  const stats = { latencies: {}, statuses: {}, failures: [], unavailable: 0, connectionErrors: 0 };
  const record = (route, status, ms) => {
    (stats.latencies[route] ??= []).push(ms);
    const k = `${route} ${status}`;
    stats.statuses[k] = (stats.statuses[k] ?? 0) + 1;
  };
  const end = Date.now() + seconds * 1000;
  let nextSeed = seedBase + 1;

  const client = async (c) => {
    const random = generator(seedBase + c * 7919 + 1);
    const key = keys[c % keys.length];
    const mine = [];
    while (Date.now() < end) {
      const route = pickRoute(random);
      const known = mine.length ? mine[Math.floor(random() * mine.length)] : undefined;
      const started = performance.now();
      const downAtStart = outage();
      let r;
      try {
        r = await step(route, key, known, random);
      } catch {
        // Connection refused or reset: the server was killed and is restarting.
        stats.connectionErrors++;
        if (route === 'delete' && known) ledger.inDoubt.add(known.id);
        await new Promise((res) => setTimeout(res, 50));
        continue;
      }
      const ms = performance.now() - started;
      record(route, r.status, ms);
      if (r.status >= 500) {
        const shaped = typeof r.json?.error?.code === 'string' && typeof r.json?.error?.message === 'string';
        // A request sent while the database was down may be answered after it is back.
        if ((downAtStart || outage()) && r.status === 503 && shaped) stats.unavailable++;
        else stats.failures.push(`${route} ${r.status} at ${Math.round(started)} ms ${r.text.slice(0, 200)}`);
        if (route === 'delete' && known) ledger.inDoubt.add(known.id);
        continue;
      }
      if (route === 'create' && r.status === 201) {
        ledger.created.set(r.json.id, { key, seed: r.seed });
        mine.push({ id: r.json.id, seed: r.seed });
      } else if (route === 'delete' && known && (r.status === 204 || r.status === 404)) {
        if (r.status === 204) ledger.deleted.add(known.id);
        mine.splice(mine.indexOf(known), 1);
      } else if (route === 'bad' && (r.status < 400 || r.status >= 500)) {
        stats.failures.push(`bad request answered ${r.status}`);
      }
    }
  };

  async function step(route, key, known, random) {
    const url = target.url;
    switch (route) {
      case 'create': {
        const seed = nextSeed++;
        const r = await createCharacter(url, key, `Soak ${seed}`, vectorFromSeed(seed), random() < 0.3 ? 'public' : undefined);
        return { ...r, seed };
      }
      case 'match':
        return api(url, 'POST', '/v1/characters/match', {
          key, body: { embedding: embedding(vectorFromSeed(known?.seed ?? 1)), k: 5 },
        });
      case 'verify':
        if (!known) return api(url, 'GET', '/healthz');
        return api(url, 'POST', `/v1/characters/${known.id}/verify`, {
          key, body: { embedding: embedding(vectorFromSeed(known.seed)) },
        });
      case 'list':
        return api(url, 'GET', '/v1/characters?limit=20', { key });
      case 'get':
        return api(url, 'GET', `/v1/characters/${known?.id ?? 'char_nosuchcharacter000'}`, { key });
      case 'delete':
        if (!known) return api(url, 'GET', '/healthz');
        return api(url, 'DELETE', `/v1/characters/${known.id}`, { key });
      default: {
        // Bad JSON, a vector of the wrong size, an unknown id format.
        const which = Math.floor(random() * 3);
        if (which === 0) return api(url, 'POST', '/v1/characters', { key, raw: '{"name":', headers: { 'content-type': 'application/json' } });
        if (which === 1) return api(url, 'POST', '/v1/characters/match', { key, body: { embedding: { ...embedding(vectorFromSeed(5)), dims: 7 } } });
        return api(url, 'DELETE', '/v1/characters/%ff%00', { key });
      }
    }
  }

  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const summary = {};
  for (const [route, list] of Object.entries(stats.latencies)) {
    list.sort((a, b) => a - b);
    summary[route] = { n: list.length, p50_ms: +percentile(list, 50).toFixed(2), p99_ms: +percentile(list, 99).toFixed(2) };
  }
  return { ledger, stats, summary };
}

// Every acknowledged create that was not deleted is readable by its key;
// every acknowledged delete answers 404. Returns the lists of violations.
export async function auditLedger(url, ledger) {
  const lost = [];
  const resurrected = [];
  const entries = [...ledger.created.entries()];
  for (let i = 0; i < entries.length; i += 32) {
    await Promise.all(entries.slice(i, i + 32).map(async ([id, { key }]) => {
      if (ledger.inDoubt.has(id)) return;
      const r = await api(url, 'GET', `/v1/characters/${id}`, { key });
      if (ledger.deleted.has(id)) {
        if (r.status !== 404) resurrected.push(`${id}: ${r.status}`);
      } else if (r.status !== 200) {
        lost.push(`${id}: ${r.status}`);
      }
    }));
  }
  return { lost, resurrected, checked: entries.length };
}

// The server's resident memory now.
export function rssMiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}
