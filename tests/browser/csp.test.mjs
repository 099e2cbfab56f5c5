// The page's security headers, served by the real registry, and the page
// working under them in real Chromium: the Content-Security-Policy (own
// scripts and wasm only, no inline script or eval, requests only to this
// server), nosniff and no-referrer on the app's files; then a real clip in,
// an ID out (wasm core and models in the Worker, registration by the page),
// and Chromium reports no policy violation on the way.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { clip720, missingPrerequisite, serverAndBrowser } from './helpers.mjs';

const missing = missingPrerequisite();

// The directives as a map, so the test reads what a browser would enforce.
function directives(policy) {
  const out = {};
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out[name] = values;
  }
  return out;
}

describe('page security headers (Chromium)', { skip: missing ?? false, timeout: 600_000 }, () => {
  const env = serverAndBrowser();

  test('the app\'s files carry the CSP, nosniff and no-referrer', async () => {
    const index = await fetch(`${env.server.url}/`);
    const html = await index.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 2, html);
    for (const path of ['/', ...assets, '/sw.js']) {
      const r = path === '/' ? index : await fetch(env.server.url + path);
      assert.equal(r.status, 200, path);
      const csp = directives(r.headers.get('content-security-policy') ?? '');
      // Scripts (the policy of a Worker is its script's) also allow eval
      // until the wasm core's embind glue is built without `new Function`
      // (-sDYNAMIC_EXECUTION=0); the page itself never does.
      const script = /\.m?js$/.test(path);
      const expected = ["'self'", "'wasm-unsafe-eval'", ...(script ? ["'unsafe-eval'"] : [])];
      assert.deepEqual(csp['script-src'], expected, path);
      assert.deepEqual(csp['connect-src'], ["'self'"], path);
      assert.deepEqual(csp['object-src'], ["'none'"], path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
    }
    // No inline script in the page: every <script> has a src.
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\bsrc=/, tag);
  });

  test('--media-origin adds the origins the page may fetch videos from, and nothing else', async () => {
    const { startServer } = await import('./helpers.mjs');
    const other = await startServer(['--media-origin', 'https://media.example,http://127.0.0.1:*']);
    try {
      for (const path of ['/', '/sw.js']) {
        const csp = directives((await fetch(other.url + path)).headers.get('content-security-policy') ?? '');
        assert.deepEqual(csp['connect-src'], ["'self'", 'https://media.example', 'http://127.0.0.1:*'], path);
        assert.deepEqual(csp['object-src'], ["'none'"], path);
      }
    } finally {
      await other.stop();
    }
  });

  test('the page works under the policy: a clip in, an ID out, nothing refused', { timeout: 420_000 }, async () => {
    const page = await env.browser.context.newPage();
    const refused = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) refused.push(m.text());
    });
    // Violations in the page and its workers also arrive as events.
    await page.addInitScript(() => {
      globalThis.__violations = [];
      addEventListener('securitypolicyviolation', (e) => {
        globalThis.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    const failed = [];
    page.on('pageerror', (e) => failed.push(String(e)));
    await page.goto(`${env.server.url}/`);
    await page.waitForSelector('[data-testid="isolation"][data-isolated="true"]', { timeout: 60_000 });
    await page.getByTestId('video-input').setInputFiles(clip720);
    // Create: the Worker samples the clip with the wasm core, runs the models
    // (ONNX Runtime Web), and the page registers the vector.
    await page.getByTestId('name-input').fill('Under CSP');
    await page.getByTestId('create-button').click({ timeout: 120_000 }); // enabled once frames are sampled
    await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="progress"]');
      return p && (p.dataset.state === 'done' || p.dataset.state === 'error');
    }, null, { timeout: 240_000, polling: 250 });
    const state = await page.getByTestId('progress').getAttribute('data-state');
    const errorText = await page.getByTestId('error-message').textContent().catch(() => '');
    const idText = await page.getByTestId('character-id').textContent().catch(() => '');
    const violations = await page.evaluate(() => globalThis.__violations);
    await page.close();
    assert.deepEqual({ refused, violations, failed }, { refused: [], violations: [], failed: [] });
    assert.equal(state, 'done', `create failed under the policy: ${errorText}`);
    assert.match(idText, /char_[0-9A-Za-z]{16,}/);
  });
});
