// lib/registry/client.mjs against the real charid-registry on loopback (SQLite, the test model
// manifest of tests/registry/helpers.mjs): every route, the error type, the request log, the
// injected key store, and a base URL with a path (the registry behind a proxy under /ids).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { RegistryClient } from '../../lib/registry/client.mjs';
import { CharidError } from '../../lib/errors.mjs';
import { embedding, startRegistry, vectorFromSeed, OTHER_DIMS } from '../registry/helpers.mjs';

let server;
let proxy;
let proxyBase;
const proxied = [];

// A reverse proxy that serves the registry under /ids (and refuses anything else), so a client
// that dropped the base URL's path would get 404s.
function startPrefixProxy(target) {
  const t = new URL(target);
  return new Promise((resolve) => {
    const p = http.createServer((req, res) => {
      if (!req.url.startsWith('/ids/')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not under /ids');
        return;
      }
      proxied.push(req.url);
      const up = http.request({
        host: t.hostname, port: t.port, method: req.method, path: req.url.slice(4), headers: req.headers,
      }, (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    p.listen(0, '127.0.0.1', () => resolve(p));
  });
}

// A payload of a subject that is not a person (no consent basis needed), from a seed.
const thing = (seed, dims) => embedding(vectorFromSeed(seed, dims), { subject: { kind: 'object', box: [0, 0, 1, 1] } });

function memoryStore(initial = null) {
  let key = initial;
  return { get: () => key, set: (k) => { key = k; }, clear: () => { key = null; }, peek: () => key };
}

before(async () => {
  server = await startRegistry();
  proxy = await startPrefixProxy(server.url);
  proxyBase = `http://127.0.0.1:${proxy.address().port}/ids/`;
});
after(async () => {
  proxy.close();
  await server.stop();
  server.cleanup();
});

test('a base URL with a path keeps it: every route goes through /ids', async () => {
  const client = new RegistryClient(proxyBase, { keyStore: memoryStore(), createKeyIfMissing: true });
  assert.equal(client.baseUrl, proxyBase.replace(/\/$/, ''));
  assert.deepEqual(await client.health(), { status: 'ok' });
  const { character, created } = await client.createCharacter({ name: 'Proxied', embedding: thing(11) });
  assert.equal(created, true);
  assert.equal((await client.getCharacter(character.id)).name, 'Proxied');
  assert.ok(proxied.includes('/ids/healthz'));
  assert.ok(proxied.includes('/ids/v1/keys'));
  assert.ok(proxied.includes(`/ids/v1/characters/${character.id}`));
});

test('login() creates a key and saves it in the injected store; requests are signed with it', async () => {
  const store = memoryStore();
  const client = new RegistryClient(server.url, { keyStore: store });
  assert.equal(await client.hasKey(), false);
  await assert.rejects(client.listCharacters(), (e) => e instanceof CharidError && e.code === 'unauthorized' && e.status === 0);
  const { key, credits } = await client.login();
  assert.match(key, /^ck_[0-9A-Za-z]{32}$/);
  assert.equal(credits, null);
  assert.equal(store.peek(), key);
  assert.deepEqual(await client.listCharacters(), { data: [], has_more: false });
});

test('create is idempotent: the same name and vector again is the same character, created: false', async () => {
  const client = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const fields = { name: 'Mira', embedding: thing(21), visibility: 'unlisted' };
  const first = await client.createCharacter(fields);
  const again = await client.createCharacter(fields);
  assert.equal(first.created, true);
  assert.equal(again.created, false);
  assert.equal(again.character.id, first.character.id);
  assert.equal(first.character.visibility, 'unlisted');
  assert.deepEqual(Object.keys(first.character).filter((k) => ['id', 'name', 'created_at', 'model', 'visibility'].includes(k)).sort(),
    ['created_at', 'id', 'model', 'name', 'visibility']);
});

test('list pages with limit/after; listAllCharacters follows every page', async () => {
  const client = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const ids = [];
  for (let i = 0; i < 5; i++) {
    ids.push((await client.createCharacter({ name: `P${i}`, embedding: thing(100 + i) })).character.id);
  }
  const page = await client.listCharacters({ limit: 2 });
  assert.equal(page.data.length, 2);
  assert.equal(page.has_more, true);
  const next = await client.listCharacters({ limit: 2, after: page.data[1].id });
  assert.equal(next.data.length, 2);
  assert.notEqual(next.data[0].id, page.data[0].id);
  const all = await client.listAllCharacters({ pageSize: 2 });
  assert.deepEqual(all.map((c) => c.id).sort(), [...ids].sort());
});

test('match sends k and finds the same vector first; delete removes it; ownership is kept', async () => {
  const owner = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const other = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const v = thing(31);
  const { character } = await owner.createCharacter({ name: 'Kept', embedding: v });
  await owner.createCharacter({ name: 'Near', embedding: thing(32) });
  await owner.createCharacter({ name: 'Far', embedding: thing(33) });
  const { matches } = await owner.match(v, { k: 2 });
  assert.equal(matches.length, 2);
  assert.equal(matches[0].id, character.id);
  assert.ok(Math.abs(matches[0].score - 1) < 1e-6);
  // a private character of another key: not found, not deletable, not matched
  await assert.rejects(other.getCharacter(character.id), (e) => e.code === 'not_found' && e.status === 404);
  await assert.rejects(other.deleteCharacter(character.id), (e) => e.code === 'not_found');
  assert.equal((await other.match(v)).matches.length, 0);
  await owner.deleteCharacter(character.id);
  await assert.rejects(owner.getCharacter(character.id), (e) => e.code === 'not_found');
});

test('API errors are CharidErrors with the code, message and status the registry sent', async () => {
  const client = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const bad = { ...thing(41), dims: 7 };
  const err = await client.createCharacter({ name: 'Bad', embedding: bad }).then(() => null, (e) => e);
  assert.ok(err instanceof CharidError);
  assert.equal(err.status, 422);
  assert.match(err.code, /^(invalid_embedding|unknown_model)$/);
  assert.ok(err.message.length > 10);
  const tooLong = await client.createCharacter({ name: 'x'.repeat(81), embedding: thing(42) }).catch((e) => e);
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.code, 'invalid_request');
  await assert.rejects(client.getCharacter('not-an-id'), (e) => e.code === 'invalid_argument');
  const otherModel = thing(43, OTHER_DIMS);
  assert.deepEqual((await client.match(otherModel)).matches, []);
});

test('a rejected key is forgotten when asked to (the page), kept otherwise (the CLI)', async () => {
  const forgetting = memoryStore('ck_00000000000000000000000000000000');
  const page = new RegistryClient(server.url, { keyStore: forgetting, forgetRejectedKey: true });
  await assert.rejects(page.listCharacters(), (e) => e.code === 'unauthorized' && e.status === 401);
  assert.equal(forgetting.peek(), null);
  const keeping = memoryStore('ck_00000000000000000000000000000000');
  const cli = new RegistryClient(server.url, { keyStore: keeping });
  await assert.rejects(cli.listCharacters(), (e) => e.code === 'unauthorized');
  assert.equal(keeping.peek(), 'ck_00000000000000000000000000000000');
});

test('concurrent first requests share one new key', async () => {
  const store = memoryStore();
  const client = new RegistryClient(server.url, { keyStore: store, createKeyIfMissing: true });
  await Promise.all([client.listCharacters(), client.listCharacters(), client.listCharacters()]);
  assert.equal(client.log.filter((r) => r.path === '/v1/keys').length, 1);
});

test('the request log counts the bytes each request sent and received, and tells listeners', async () => {
  const client = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const seen = [];
  const stop = client.onRequest((r) => seen.push(r));
  const body = { name: 'Logged', embedding: thing(51) };
  const { character } = await client.createCharacter(body);
  stop();
  await client.getCharacter(character.id);
  assert.deepEqual(seen.map((r) => `${r.method} ${r.path} ${r.status}`), ['POST /v1/keys 201', 'POST /v1/characters 201']);
  const create = seen[1];
  assert.equal(create.sent, Buffer.byteLength(JSON.stringify(body)));
  assert.equal(create.received, Buffer.byteLength(JSON.stringify(character)));
  assert.equal(client.log.length, 3);
  const t = client.traffic();
  assert.equal(t.requests, 3);
  assert.equal(t.sent, client.log.reduce((n, r) => n + r.sent, 0));
});

test('an unreachable registry is network_error, logged as failed, and never hangs', async () => {
  const dead = new RegistryClient('http://127.0.0.1:9', { key: 'ck_x', timeoutMs: 2000 });
  const started = Date.now();
  await assert.rejects(dead.listCharacters(), (e) => e instanceof CharidError && e.code === 'network_error' && /127\.0\.0\.1:9/.test(e.message));
  assert.equal(dead.log[0].status, 'failed');
  assert.ok(Date.now() - started < 3000);
  // a server that accepts but never answers: the timeout turns it into network_error too
  const silent = http.createServer(() => {});
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const slow = new RegistryClient(`http://127.0.0.1:${silent.address().port}`, { key: 'ck_x', timeoutMs: 300 });
    await assert.rejects(slow.health(), (e) => e.code === 'network_error' && /in time/.test(e.message));
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});

test('a base URL that is not http(s) is refused at once', () => {
  assert.throws(() => new RegistryClient('ftp://example.com'), (e) => e.code === 'invalid_argument');
  assert.throws(() => new RegistryClient('example.com'), (e) => e.code === 'invalid_argument');
});

test('verify scores a vector against the character on the server, frame by frame', async () => {
  const owner = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const stranger = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const v = vectorFromSeed(61);
  const asPayload = (x) => embedding(x, { subject: { kind: 'object', box: [0, 0, 1, 1] } });
  const { character } = await owner.createCharacter({ name: 'Checked', embedding: asPayload(v) });
  const other = vectorFromSeed(62);
  const b64 = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
  const r = await owner.verify(character.id, asPayload(v), { frames: [b64(v), b64(other)] });
  assert.equal(r.id, character.id);
  assert.equal(r.model, character.model);
  assert.ok(Math.abs(r.score - 1) < 1e-6);
  assert.equal(r.verdict, 'same');
  assert.ok(r.threshold > 0 && r.threshold < 1);
  assert.equal(r.frames.length, 2);
  assert.ok(Math.abs(r.frames[0] - 1) < 1e-6);
  assert.ok(r.frames[1] < r.threshold);
  const far = await owner.verify(character.id, asPayload(other));
  assert.equal(far.verdict, 'different');
  await assert.rejects(stranger.verify(character.id, asPayload(v)), (e) => e.code === 'not_found' && e.status === 404);
  // a vector of a model the character does not hold: 422 with the models it holds
  const wrong = await owner.verify(character.id, thing(63, OTHER_DIMS)).catch((e) => e);
  assert.equal(wrong.status, 422);
  assert.deepEqual(wrong.details?.models, [character.model]);
});

test('addEmbedding gives a character a vector of a second model, once', async () => {
  const owner = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const stranger = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const { character } = await owner.createCharacter({ name: 'Two models', embedding: thing(71) });
  const second = thing(72, OTHER_DIMS);
  const added = await owner.addEmbedding(character.id, second);
  assert.equal(added.id, character.id);
  assert.equal(added.added, true);
  assert.deepEqual([...added.models].sort(), [character.model, second.model].sort());
  assert.equal((await owner.addEmbedding(character.id, second)).added, false);
  assert.deepEqual([...(await owner.getCharacter(character.id)).models].sort(), [...added.models].sort());
  await assert.rejects(stranger.addEmbedding(character.id, second), (e) => e.code === 'not_found');
});

test('consent: a face without a basis is consent_required; the basis is stored and shown', async () => {
  const client = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  const face = embedding(vectorFromSeed(81), { subject: { kind: 'face', box: [0, 0, 1, 1] } });
  const refused = await client.createCharacter({ name: 'Face', embedding: face }).catch((e) => e);
  assert.equal(refused.status, 422);
  assert.equal(refused.code, 'consent_required');
  const { character } = await client.createCharacter({ name: 'Face', embedding: face, consent: { basis: 'self' } });
  assert.equal(character.consent.basis, 'self');
  const listed = (await client.listAllCharacters()).find((c) => c.id === character.id);
  assert.equal(listed.consent.basis, 'self');
});

// The CLI blocks its thread for seconds while it runs inference; meanwhile the server closes the
// idle kept-alive connection (guarded_server.cpp's idle limit, 5 s). The next request must not
// fail on that dead socket (seen as network_error in charid cast and create before the fix).
test('a request after the thread was busy past the server idle limit still reaches the registry', async () => {
  const client = new RegistryClient(server.url, { keyStore: memoryStore(), createKeyIfMissing: true });
  await client.listCharacters();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6500);  // busy, as inference is
  const { character } = await client.createCharacter({ name: 'After a pause', embedding: thing(91) });
  assert.match(character.id, /^char_/);
  const sent = client.log.filter((r) => r.method === 'POST' && r.path === '/v1/characters');
  assert.equal(sent.at(-1).status, 201);
});
