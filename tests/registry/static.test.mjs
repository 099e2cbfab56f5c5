// The web app and model files: cross-origin isolation headers on every
// response, content types, caching, and no escape from the roots.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { api, assertErrorShape, startRegistry, tempDir } from './helpers.mjs';

function assertIsolated(r, what) {
  assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin', what);
  assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp', what);
}

describe('with a built web app', () => {
  let server;
  let url;
  before(async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'web/assets'), { recursive: true });
    mkdirSync(join(dir, 'models/face'), { recursive: true });
    writeFileSync(join(dir, 'web/index.html'), '<!doctype html><title>charid</title>');
    writeFileSync(join(dir, 'web/assets/index-BXzq1A2b.js'), 'console.log(1)');
    writeFileSync(join(dir, 'web/core.0123abcd.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    writeFileSync(join(dir, 'web/core.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    writeFileSync(join(dir, 'models/face/model.onnx'), Buffer.alloc(300 * 1024, 7));
    writeFileSync(join(dir, 'secret.txt'), 'outside the roots');
    server = await startRegistry({ dataDir: dir });
    url = server.url;
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('COOP and COEP on every kind of response', async () => {
    const responses = {
      page: await api(url, 'GET', '/'),
      asset: await api(url, 'GET', '/assets/index-BXzq1A2b.js'),
      model: await api(url, 'GET', '/models/face/model.onnx'),
      missing: await api(url, 'GET', '/nope.js'),
      health: await api(url, 'GET', '/healthz'),
      key: await api(url, 'POST', '/v1/keys', { body: {} }),
      unauthorised: await api(url, 'GET', '/v1/characters'),
      tooBig: await api(url, 'POST', '/v1/keys', { raw: 'x'.repeat(70000), headers: { 'content-type': 'application/json' } }),
    };
    for (const [what, r] of Object.entries(responses)) assertIsolated(r, what);
  });

  test('index.html at /, wasm as application/wasm, scripts as JavaScript', async () => {
    const page = await api(url, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>charid<\/title>/);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    const wasm = await fetch(`${url}/core.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer())].slice(0, 4), [0, 0x61, 0x73, 0x6d]);
    const js = await api(url, 'GET', '/assets/index-BXzq1A2b.js');
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
  });

  test('hashed assets are cached for a year; others revalidate with ETags', async () => {
    for (const path of ['/assets/index-BXzq1A2b.js', '/core.0123abcd.wasm']) {
      const r = await api(url, 'GET', path);
      assert.match(r.headers.get('cache-control'), /max-age=31536000/, path);
      assert.match(r.headers.get('cache-control'), /immutable/, path);
    }
    const plain = await api(url, 'GET', '/core.wasm');
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    const etag = plain.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${url}/core.wasm`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  test('model files are served whole and by range', async () => {
    const whole = await fetch(`${url}/models/face/model.onnx`);
    assert.equal(whole.status, 200);
    assert.equal((await whole.arrayBuffer()).byteLength, 300 * 1024);
    const part = await fetch(`${url}/models/face/model.onnx`, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal((await part.arrayBuffer()).byteLength, 100);
  });

  test('app routes without an extension get index.html; missing files stay 404', async () => {
    const route = await api(url, 'GET', '/characters/char_abc');
    assert.equal(route.status, 200);
    assert.match(route.text, /<title>charid<\/title>/);
    assertErrorShape(assert, await api(url, 'GET', '/assets/missing-0123abcd.js'), 404);
    assertErrorShape(assert, await api(url, 'GET', '/v1/unknown'), 404);
  });

  test('paths cannot escape the roots', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/models/../secret.txt',
      '/models/%2e%2e/secret.txt', '/models/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await api(url, 'GET', path);
      assert.ok(!r.text.includes('outside the roots'), path);
      assert.notEqual(r.status, 200, path);
    }
    assertErrorShape(assert, await api(url, 'GET', '/models/none.onnx'), 404);
  });
});

describe('without a built web app', () => {
  test('/ explains that the web app is not built yet', async () => {
    const server = await startRegistry();
    try {
      const r = await api(server.url, 'GET', '/');
      assert.equal(r.status, 200);
      assert.match(r.text, /not built yet/);
      assertIsolated(r, 'placeholder');
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});
