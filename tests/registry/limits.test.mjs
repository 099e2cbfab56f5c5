// Body size, content type, rate limits, credits and CORS, each against a
// server started with the flags under test.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  api, assertErrorShape, createCharacter, embedding, newKey, runAdmin, serversStoppedAfterFile,
  vectorFromSeed,
} from './helpers.mjs';

const start = serversStoppedAfterFile();

describe('request shape', () => {
  test('a body over 64 KB is 413 with the error shape', async () => {
    const { url } = await start();
    const key = await newKey(url);
    const big = { name: 'big', embedding: embedding(vectorFromSeed(1)), pad: 'x'.repeat(70 * 1024) };
    for (const path of ['/v1/characters', '/v1/characters/match', '/v1/keys']) {
      assertErrorShape(assert, await api(url, 'POST', path, { key, body: big }), 413, 'payload_too_large');
    }
    // Just under the limit is fine.
    const ok = { name: 'fits', embedding: embedding(vectorFromSeed(2)), consent: { basis: 'self' }, pad: 'x'.repeat(60 * 1024) };
    assert.equal((await api(url, 'POST', '/v1/characters', { key, body: ok })).status, 201);
  });

  test('a body that is not application/json is 415', async () => {
    const { url } = await start();
    const key = await newKey(url);
    const raw = JSON.stringify({ name: 'x', embedding: embedding(vectorFromSeed(3)), consent: { basis: 'self' } });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', undefined]) {
      const headers = type ? { 'content-type': type } : {};
      for (const path of ['/v1/characters', '/v1/characters/match']) {
        const r = await api(url, 'POST', path, { key, raw, headers });
        assertErrorShape(assert, r, 415, 'unsupported_media_type');
      }
    }
    assertErrorShape(assert, await api(url, 'POST', '/v1/keys', { raw: 'a=b', headers: { 'content-type': 'text/plain' } }), 415);
    const withCharset = await api(url, 'POST', '/v1/characters', {
      key, raw, headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(withCharset.status, 201);
  });
});

// Sends raw bytes and resolves with everything the server answers until it
// closes or goes quiet, to test framing that fetch would normalise.
function rawRequest(url, bytes, quietMs = 500) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let out = '';
    let timer = setTimeout(() => socket.destroy(), quietMs);
    socket.on('data', (d) => {
      out += d;
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), quietMs);
    });
    socket.on('close', () => { clearTimeout(timer); resolve(out); });
    socket.on('error', reject);
  });
}

describe('body framing', () => {
  test('a POST without Content-Length has an empty body and is answered at once', async () => {
    const { url } = await start();
    const started = Date.now();
    const out = await rawRequest(url, 'POST /v1/keys HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 201/);
    assert.match(out, /"key":"ck_/);
    assert.ok(Date.now() - started < 2000, 'the server waited for a body that HTTP says is empty');
  });

  test('chunked bodies are bounded at 64 KB too', async () => {
    const { url } = await start();
    const chunk = (text) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const head = 'POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
      + 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    const small = await rawRequest(url, `${head}${chunk('{}')}0\r\n\r\n`);
    assert.match(small, /^HTTP\/1\.1 201/);
    const big = await rawRequest(url, `${head}${chunk('x'.repeat(40000))}${chunk('x'.repeat(40000))}0\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 413/);
    assert.match(big, /"code":"payload_too_large"/);
  });

  test('after a 413 the rest of the refused body is never read as a request', async () => {
    const { url } = await start();
    const smuggled = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    const body = 'x'.repeat(70000) + smuggled;
    const out = await rawRequest(url, 'POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
      + `Content-Length: ${body.length}\r\n\r\n${body}`);
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['413'], out);
  });
});

describe('malformed framing is 400', () => {
  // (An empty Content-Length value is dropped by cpp-httplib's header parser
  // before the registry sees it: that request has no declared body.)
  test('Content-Length twice, or with Transfer-Encoding', async () => {
    const { url } = await start();
    for (const headers of ['Content-Length: 2\r\nContent-Length: 2', 'Content-Length: 2\r\nTransfer-Encoding: chunked']) {
      const out = await rawRequest(url, `POST /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n`
        + 'Connection: close\r\n\r\n{}');
      assert.match(out, /^HTTP\/1\.1 400/, out);
    }
  });
  test('a Content-Type with bytes over 0x7F is a plain 415', async () => {
    const { url } = await start();
    const key = await newKey(url);
    const body = Buffer.from('{}');
    const head = Buffer.concat([Buffer.from(`POST /v1/characters/match HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n`
      + 'Content-Type: application/'), Buffer.from([0xc4, 0xb0, 0xff, 0x80]), Buffer.from(`json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`)]);
    const out = await rawRequest(url, Buffer.concat([head, body]));
    assert.match(out, /^HTTP\/1\.1 415/, out);
  });
  for (const length of ['-1', '+2', '0x10', '1e3', '18446744073709551617', '2, 2']) {
    test(`Content-Length: "${length}"`, async () => {
      const { url } = await start();
      for (const path of ['/v1/keys', '/v1/characters']) {
        const out = await rawRequest(url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n`
          + `Content-Length: ${length}\r\nConnection: close\r\n\r\n{}`);
        assert.match(out, /^HTTP\/1\.1 400/, `${path}: ${out}`);
        assert.match(out, /"error":\{"code":"[a-z_]+","message"/, out);
      }
    });
  }
});

describe('rate limits', () => {
  test('key creation is limited per client address, with Retry-After', async () => {
    const { url } = await start({ args: ['--keys-per-minute', '3'] });
    const statuses = [];
    let limited;
    for (let i = 0; i < 6; i++) {
      const r = await api(url, 'POST', '/v1/keys', { body: {} });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    assert.deepEqual(statuses.slice(0, 3), [201, 201, 201]);
    assert.ok(limited, `no 429 in ${statuses}`);
    assertErrorShape(assert, limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });

  test('X-Forwarded-For counts only with --trust-proxy (behind a load balancer)', async () => {
    const plain = await start({ args: ['--keys-per-minute', '2'] });
    const spoofed = [];
    for (let i = 0; i < 4; i++) {
      spoofed.push((await api(plain.url, 'POST', '/v1/keys', { body: {}, headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status);
    }
    assert.ok(spoofed.includes(429), `a forged header must not dodge the limit: ${spoofed}`);

    const proxied = await start({ args: ['--keys-per-minute', '2', '--trust-proxy'] });
    const viaProxy = (client) => api(proxied.url, 'POST', '/v1/keys', {
      body: {}, headers: { 'x-forwarded-for': `203.0.113.9, ${client}` },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await viaProxy('198.51.100.7')).status);
    assert.deepEqual(statuses, [201, 201, 429]);
    assert.equal((await viaProxy('198.51.100.8')).status, 201);
  });

  test('the default allows at least 50 creates per second per key', async () => {
    const { url } = await start();
    const key = await newKey(url);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => createCharacter(url, key, `Batch ${i}`, vectorFromSeed(1000 + i))),
    );
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual([...new Set(results.map((r) => r.status))], [201], `in ${seconds} s`);
    // fetch opens a connection per request in flight: 100 at once must not
    // wait on each other's idle keep-alive connections.
    assert.ok(seconds <= 2, `100 creates took ${seconds} s (under 50 per second)`);
  });

  test('creates over the per-key rate are 429 with Retry-After; other keys are unaffected', async () => {
    const { url } = await start({ args: ['--creates-per-second', '2'] });
    const key = await newKey(url);
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await createCharacter(url, key, `R${i}`, vectorFromSeed(2000 + i)));
    const limited = results.find((r) => r.status === 429);
    assert.ok(limited, results.map((r) => r.status).join(','));
    assertErrorShape(assert, limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    const other = await newKey(url);
    assert.equal((await createCharacter(url, other, 'Fresh', vectorFromSeed(2100))).status, 201);
  });
});

describe('credits', () => {
  test('--credits-per-key: each new character costs one, then 402; admin adds more', async () => {
    const s = await start({ args: ['--credits-per-key', '2'] });
    const created = await api(s.url, 'POST', '/v1/keys', { body: {} });
    assert.equal(created.status, 201);
    assert.equal(created.json.credits, 2);
    const key = created.json.key;
    const v = vectorFromSeed(3000);
    assert.equal((await createCharacter(s.url, key, 'One', v)).status, 201);
    // An idempotent repeat does not cost a credit.
    assert.equal((await createCharacter(s.url, key, 'One', v)).json.name, 'One');
    assert.equal((await createCharacter(s.url, key, 'Two', vectorFromSeed(3001))).status, 201);
    const broke = await createCharacter(s.url, key, 'Three', vectorFromSeed(3002));
    assertErrorShape(assert, broke, 402, 'insufficient_credits');
    // Reads and matches stay free.
    assert.equal((await api(s.url, 'GET', '/v1/characters', { key })).status, 200);
    assert.equal((await api(s.url, 'POST', '/v1/characters/match', { key, body: { embedding: embedding(v), k: 1 } })).status, 200);

    const admin = runAdmin(['add-credits', '--key', key, '--amount', '3', '--data-dir', join(s.dir, 'data')]);
    assert.equal(admin.status, 0, admin.stderr);
    assert.deepEqual(JSON.parse(admin.stdout), { credits: 3 });
    assert.equal((await createCharacter(s.url, key, 'Three', vectorFromSeed(3002))).status, 201);

    const unknown = runAdmin(['add-credits', '--key', 'ck_nosuchkeynosuchkeynosuchkey12', '--amount', '1', '--data-dir', join(s.dir, 'data')]);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /no such key/);
    const bad = runAdmin(['add-credits', '--key', key, '--amount', '-4', '--data-dir', join(s.dir, 'data')]);
    assert.notEqual(bad.status, 0);
  });

  test('concurrent creates never spend more credits than the key has', async () => {
    const s = await start({ args: ['--credits-per-key', '5'] });
    const key = await newKey(s.url);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createCharacter(s.url, key, `C${i}`, vectorFromSeed(4000 + i))),
    );
    assert.equal(results.filter((r) => r.status === 201).length, 5);
    assert.equal(results.filter((r) => r.status === 402).length, 15);
  });
});

describe('CORS', () => {
  test('off by default: no Access-Control headers, preflight not granted', async () => {
    const { url } = await start();
    const r = await api(url, 'GET', '/healthz', { headers: { origin: 'https://editor.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const pre = await api(url, 'OPTIONS', '/v1/characters', {
      headers: { origin: 'https://editor.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
  });

  test('--cors-origin allows the listed origins only', async () => {
    const { url } = await start({ args: ['--cors-origin', 'https://editor.example,https://two.example'] });
    const key = await newKey(url);
    const pre = await api(url, 'OPTIONS', '/v1/characters', {
      headers: {
        origin: 'https://editor.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://editor.example');
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
    assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/i);
    const get = await api(url, 'GET', '/v1/characters', { key, headers: { origin: 'https://two.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://two.example');
    // Errors carry the header too, so the page can read them.
    const err = await api(url, 'GET', '/v1/characters', { headers: { origin: 'https://two.example' } });
    assert.equal(err.status, 401);
    assert.equal(err.headers.get('access-control-allow-origin'), 'https://two.example');
    const evil = await api(url, 'GET', '/v1/characters', { key, headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });
});
