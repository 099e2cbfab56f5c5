// The page's security headers, served by the real registry, and the page
// working under them in real Chromium: the Content-Security-Policy (own
// scripts and wasm only, no inline script, no eval in the page or
// its Workers, requests only to this server), nosniff and no-referrer on the
// app's files; then a real clip in, an ID out (wasm core and models in the
// Worker, registration by the page), and Chromium reports no policy
// violation on the way: not in the page (securitypolicyviolation events,
// console, DevTools issues), not in its Workers (their console: the old
// core's Embind glue died there with "EvalError: ... 'unsafe-eval' is not an
// allowed source of script").
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
      // Scripts too (a Worker runs under its script's policy): the wasm core
      // is linked with -sDYNAMIC_EXECUTION=0, so no file needs 'unsafe-eval'.
      assert.deepEqual(csp['script-src'], ["'self'", "'wasm-unsafe-eval'"], path);
      // Inline styles stay allowed: lit-html's styleMap sets its first value as a style
      // attribute (the CSSOM only for later changes), which style-src 'self' refuses.
      assert.deepEqual(csp['style-src'], ["'self'", "'unsafe-inline'"], path);
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
    const isRefusal = (text) => /Content Security Policy|Refused to|unsafe-eval|EvalError/.test(text);
    page.on('console', (m) => { if (isRefusal(m.text())) refused.push(m.text()); });
    // The Worker (wasm core, ONNX Runtime and its threads) logs its refusals to its own console.
    page.on('worker', (w) => w.on('console', (m) => { if (isRefusal(m.text())) refused.push(`worker: ${m.text()}`); }));
    // Chromium also files the page's violations as DevTools issues.
    const issues = [];
    const cdp = await env.browser.context.newCDPSession(page);
    cdp.on('Audits.issueAdded', ({ issue }) => {
      if (issue.code === 'ContentSecurityPolicyIssue') issues.push(JSON.stringify(issue.details.contentSecurityPolicyIssueDetails));
    });
    await cdp.send('Audits.enable');
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
    assert.deepEqual({ refused, violations, issues, failed }, { refused: [], violations: [], issues: [], failed: [] });
    assert.equal(state, 'done', `create failed under the policy: ${errorText}`);
    assert.match(idText, /char_[0-9A-Za-z]{16,}/);
  });
});
