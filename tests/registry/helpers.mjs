// Shared set-up for the registry's HTTP tests: start the real charid-registry
// binary on a free loopback port with a temporary DATA_DIR and a test model
// manifest, and talk to it with fetch. Nothing is mocked.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// CHARID_REGISTRY_BIN wins; otherwise the build that scripts/build.mjs makes,
// then a developer build directory.
export function registryBinary() {
  const candidates = [
    process.env.CHARID_REGISTRY_BIN,
    join(repoRoot, 'build/native/src/registry/charid-registry'),
    join(repoRoot, 'build/dev-registry/src/registry/charid-registry'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `charid-registry binary not found (tried ${candidates.join(', ')}); run node scripts/build.mjs`,
    );
  }
  return found;
}

export const MODEL = 'charid-test@1';
export const DIMS = 128;
export const OTHER_MODEL = 'charid-other@1';
export const OTHER_DIMS = 32;
// A model scored per part (face_led), as charid-id@2 is: body [0, 32),
// face [32, 48), colour [48, 64).
export const PARTS_MODEL = 'charid-parts@1';
export const PARTS_DIMS = 64;
export const PARTS_FACE = [32, 48];
export const THRESHOLDS = { [MODEL]: 0.5, [OTHER_MODEL]: 0.6, [PARTS_MODEL]: 0.7 };
const MODEL_BY_DIMS = { [DIMS]: MODEL, [OTHER_DIMS]: OTHER_MODEL, [PARTS_DIMS]: PARTS_MODEL };

export function tempDir(prefix = 'charid-registry-test-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeManifest(dir) {
  const path = join(dir, 'manifest.json');
  writeFileSync(
    path,
    JSON.stringify({
      schema: 'charid.models/1',
      models: [],
      embeddings: [
        { model: MODEL, dims: DIMS, dtype: 'int8', threshold: THRESHOLDS[MODEL] },
        { model: OTHER_MODEL, dims: OTHER_DIMS, dtype: 'int8', threshold: THRESHOLDS[OTHER_MODEL] },
        {
          model: PARTS_MODEL,
          dims: PARTS_DIMS,
          dtype: 'int8',
          threshold: THRESHOLDS[PARTS_MODEL],
          parts: [
            { name: 'body', offset: 0, dims: 32 },
            { name: 'face', offset: 32, dims: 16 },
            { name: 'colour', offset: 48, dims: 16 },
          ],
          similarity: { rule: 'face_led', face_part: 'face', face_weight: 0.8 },
        },
      ],
    }),
  );
  return path;
}

// A deterministic int8 vector from a seed (xorshift), never all zero.
export function vectorFromSeed(seed, dims = DIMS) {
  let x = (seed * 2654435761) >>> 0 || 1;
  const out = new Int8Array(dims);
  for (let i = 0; i < dims; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = (x % 255) - 127;
  }
  if (out.every((v) => v === 0)) out[0] = 1;
  return out;
}

export function embedding(vector, overrides = {}) {
  const v = vector instanceof Int8Array ? vector : Int8Array.from(vector);
  return {
    schema: 'charid.embedding/1',
    model: MODEL_BY_DIMS[v.length] ?? MODEL,
    dims: v.length,
    dtype: 'int8',
    scale: 1 / 127,
    vector: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'),
    window: { start: 0, end: 3 },
    frames: 8,
    subject: { kind: 'face', box: [0.25, 0.1, 0.5, 0.8] },
    source: { kind: 'file' },
    quality: {},
    warnings: [],
    timings_ms: {},
    ...overrides,
  };
}

// Starts the server and resolves once it prints its address.
export async function startRegistry({ args = [], env = {}, dataDir, manifest } = {}) {
  const dir = dataDir ?? tempDir();
  const manifestPath = manifest ?? writeManifest(dir);
  const proc = spawn(
    registryBinary(),
    ['--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'data'), '--manifest', manifestPath,
      '--web-root', join(dir, 'web'), '--models-dir', join(dir, 'models'), ...args],
    { env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolvePromise, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`registry did not start in 15 s: ${stderr}`)), 15000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) { clearTimeout(timer); resolvePromise(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`registry exited (${code}): ${stderr}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.on('exit', r));
  return {
    url,
    dir,
    manifest: manifestPath,
    proc,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

// One server for the tests of a suite: started before them, stopped and
// removed after. The returned object's `url` is set once it runs.
export function serverForSuite(start) {
  const holder = { server: undefined, url: undefined };
  before(async () => {
    holder.server = await start();
    holder.url = holder.server.url;
  });
  after(async () => {
    await holder.server.stop();
    holder.server.cleanup();
  });
  return holder;
}

// For a file whose tests each start their own server: returns a start
// function; every server it started is stopped and removed after the file.
export function serversStoppedAfterFile() {
  const servers = [];
  after(async () => {
    for (const s of servers) {
      await s.stop();
      s.cleanup();
    }
  });
  return async (options) => {
    const s = await startRegistry(options);
    servers.push(s);
    return s;
  };
}

// fetch wrapper: JSON in and out. `raw` sends a string body as is.
export async function api(base, method, path, { key, body, raw, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] ??= 'application/json'; }
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

export async function newKey(base) {
  const r = await api(base, 'POST', '/v1/keys', { body: {} });
  if (r.status !== 201) throw new Error(`POST /v1/keys: ${r.status} ${r.text}`);
  return r.json.key;
}

// The payloads here show a face, so a create states a consent basis
// (`consent: null` leaves it out).
export async function createCharacter(base, key, name, vector, visibility, { consent = { basis: 'self' } } = {}) {
  const body = { name, embedding: embedding(vector) };
  if (visibility) body.visibility = visibility;
  if (consent) body.consent = consent;
  return api(base, 'POST', '/v1/characters', { key, body });
}

export function runAdmin(args, env = {}) {
  return spawnSync(registryBinary(), ['admin', ...args], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
  });
}

export function assertErrorShape(assert, r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.equal(typeof r.json?.error?.code, 'string', r.text);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  if (code) assert.equal(r.json.error.code, code, r.text);
}

// Runs `writers` concurrent create loops (bounded) against `server`, kills it
// with SIGKILL once `atLeast` creates were acknowledged, and returns the
// acknowledged {id, seed} pairs: the ones that must survive.
export async function killDuringWrites(server, key, { writers = 8, atLeast = 150, seedBase = 0 } = {}) {
  const acknowledged = [];
  let stop = false;
  const writer = async (w) => {
    for (let i = 0; i < 400 && !stop; i++) {
      const seed = seedBase + w * 1000 + i + 1;
      try {
        const r = await createCharacter(server.url, key, `W${w}-${i}`, vectorFromSeed(seed));
        if (r.status === 201) acknowledged.push({ id: r.json.id, seed });
      } catch {
        return; // connection refused or reset: the server is gone
      }
    }
  };
  const running = Array.from({ length: writers }, (_, w) => writer(w));
  for (let waited = 0; acknowledged.length < atLeast && waited < 20000; waited += 10) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await server.kill9();
  stop = true;
  await Promise.all(running);
  return acknowledged;
}

// After a restart: every acknowledged create is listed, and the newest is
// in the rebuilt index.
export async function assertNothingLost(assert, base, key, acknowledged) {
  const ids = await listAllIds(base, key);
  const lost = acknowledged.filter((a) => !ids.has(a.id));
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged creates lost`);
  const sample = acknowledged.at(-1);
  const m = await api(base, 'POST', '/v1/characters/match', {
    key, body: { embedding: embedding(vectorFromSeed(sample.seed)), k: 1 },
  });
  assert.equal(m.json.matches[0].id, sample.id);
}

// Every id the key owns, through the list route's pages.
export async function listAllIds(base, key) {
  const ids = new Set();
  let after;
  for (let page = 0; page < 1000; page++) {
    const r = await api(base, 'GET', `/v1/characters?limit=100${after ? `&after=${after}` : ''}`, { key });
    for (const c of r.json.data) ids.add(c.id);
    if (!r.json.has_more) break;
    after = r.json.data.at(-1).id;
  }
  return ids;
}
