// A web editor on another origin loads the model files from the registry's /models/ (the npm
// package's modelBase pointing at the registry): the headers on the real server, then the same
// in Chromium from a cross-origin isolated page (COOP/COEP, as the package needs for threads).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { CHROMIUM, launchBrowser } from '../browser/helpers.mjs';
import { api, startRegistry, tempDir } from './helpers.mjs';

const MODEL = Buffer.alloc(300 * 1024, 7);

describe('model files for pages on other origins', () => {
  let server;
  before(async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'models/face'), { recursive: true });
    mkdirSync(join(dir, 'web'), { recursive: true });
    writeFileSync(join(dir, 'models/face/model.onnx'), MODEL);
    writeFileSync(join(dir, 'web/index.html'), '<!doctype html><title>charid</title>');
    server = await startRegistry({ dataDir: dir });
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('GET, 304, 404 and the preflight of /models/ allow any origin and a cross-origin embedder', async () => {
    const origin = { origin: 'https://editor.example' };
    const ok = await api(server.url, 'GET', '/models/face/model.onnx', { headers: origin });
    const etag = ok.headers.get('etag');
    const cached = await api(server.url, 'GET', '/models/face/model.onnx', { headers: { ...origin, 'if-none-match': etag } });
    const missing = await api(server.url, 'GET', '/models/none.onnx', { headers: origin });
    assert.deepEqual([ok.status, cached.status, missing.status], [200, 304, 404]);
    for (const r of [ok, cached, missing]) {
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.headers.get('cross-origin-resource-policy'), 'cross-origin');
      // The registry's own pages stay isolated too.
      assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    }
    assert.match(ok.headers.get('access-control-expose-headers'), /ETag/);
    const preflight = await fetch(`${server.url}/models/face/model.onnx`, {
      method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers'), /Range/);
    // Only /models/: the app and the API keep their own rules.
    for (const path of ['/', '/v1/characters']) {
      const r = await api(server.url, 'GET', path, { headers: origin });
      assert.equal(r.headers.get('access-control-allow-origin'), null, path);
    }
  });

  test('a cross-origin isolated editor page in Chromium loads a model file, whole and by range', async (t) => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
    // The editor: another origin (another port), served with COOP/COEP.
    const page = `<!doctype html><script type="module">
      const base = ${JSON.stringify(server.url)};
      const attempt = async (f) => { try { return await f(); } catch (e) { return 'refused: ' + e.name; } };
      const whole = await fetch(base + '/models/face/model.onnx').catch((e) => { window.result = { error: 'whole file refused: ' + e }; throw e; });
      window.result = {
        isolated: crossOriginIsolated,
        size: (await whole.arrayBuffer()).byteLength,
        etag: whole.headers.get('etag'),
        range: await attempt(async () => {
          const r = await fetch(base + '/models/face/model.onnx', { headers: { range: 'bytes=100-199' } });
          return [r.status, (await r.arrayBuffer()).byteLength];
        }),
        noCors: await attempt(async () => (await fetch(base + '/models/face/model.onnx', { mode: 'no-cors' })).type),
        appPage: await attempt(async () => (await fetch(base + '/')).status),
      };
    </script>`;
    const editor = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.end(page);
    });
    await new Promise((r) => editor.listen(0, '127.0.0.1', r));
    const browser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await new Promise((r) => editor.close(r));
    });
    const tab = await browser.context.newPage();
    await tab.goto(`http://127.0.0.1:${editor.address().port}/`);
    const result = await tab.waitForFunction(() => window.result, null, { timeout: 20000 }).then((h) => h.jsonValue());
    assert.equal(result.error, undefined);
    assert.equal(result.isolated, true, 'the editor page is cross-origin isolated');
    assert.equal(result.size, MODEL.length);
    assert.ok(result.etag, 'ETag is readable cross-origin');
    assert.deepEqual(result.range, [206, 100]);
    assert.equal(result.noCors, 'opaque', 'a no-cors load is allowed under COEP (Cross-Origin-Resource-Policy)');
    // The browser does enforce CORS here: the registry's app page sends no CORS header.
    assert.match(String(result.appPage), /^refused/);
  });
});
