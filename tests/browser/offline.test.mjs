// Offline in real Chromium: the page is loaded online once (the service worker precaches the
// app shell, the wasm core, ORT and the models), the context goes offline, the page reloads from
// the service worker, a character is created from a file and lands in the IndexedDB queue (no
// request reaches the network); back online, the queued registration is sent and the library
// lists the new char_ ID.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clip720, missingPrerequisite, serverAndBrowser } from './helpers.mjs';

const missing = missingPrerequisite();

describe('offline (Chromium, service worker + IndexedDB queue)', { skip: missing ?? false, timeout: 600_000 }, () => {
  const env = serverAndBrowser();

  test('create offline -> queued, survives a reload, sent when back online', { timeout: 540_000 }, async () => {
    const { context } = env.browser;
    const page = await context.newPage();
    await page.goto(`${env.server.url}/`);
    // online once: the service worker is installed (shell and models precached) and controls the page
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 60_000 });
    await page.waitForSelector('[data-testid="isolation"][data-isolated]', { timeout: 120_000 }); // engine ready
    await page.waitForSelector('[data-testid="library"][data-state="ready"]', { timeout: 60_000 });
    const before = await page.locator('[data-testid="library-item"]').count();

    await context.setOffline(true);
    const offline = { responses: [], creates: [] };
    const onResponse = (r) => offline.responses.push(r);
    const onRequest = (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/v1/characters') offline.creates.push(r); };
    context.on('response', onResponse);
    context.on('request', onRequest);

    const nav = await page.reload();
    assert.ok(nav, 'the reload has a response');
    assert.equal(nav.fromServiceWorker(), true, 'the page comes from the service worker');
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);

    await page.getByTestId('video-input').setInputFiles(clip720);
    await page.getByTestId('name-input').fill('Offline Bunny');
    await page.getByTestId('create-button').click({ timeout: 180_000 });
    await page.waitForFunction(() => ['queued', 'done', 'error'].includes(document.querySelector('[data-testid="progress"]')?.dataset.state),
      null, { timeout: 240_000, polling: 250 });
    const state = await page.getByTestId('progress').getAttribute('data-state');
    if (state !== 'queued') assert.fail(`expected queued, got ${state}: ${await page.getByTestId('error-message').textContent()}`);
    const item = page.locator('[data-testid="offline-queue"] [data-testid="queue-item"]');
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.textContent(), /Offline Bunny/);
    assert.equal(await page.getByTestId('offline-queue').isVisible(), true);
    assert.equal(await page.getByTestId('character-id').isVisible(), false);

    // nothing lost on reload (still offline)
    await page.reload();
    await page.locator('[data-testid="queue-item"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="queue-item"]').count(), 1);

    // no request reached the network while offline: every response came from the service worker
    // (blob: URLs are the chosen file itself, read in the page)
    const fromNetwork = offline.responses.filter((r) => /^https?:/.test(r.url()) && !r.fromServiceWorker()).map((r) => `${r.request().method()} ${r.url()} ${r.status()}`);
    assert.deepEqual(fromNetwork, []);
    for (const r of offline.creates) assert.equal(await r.response(), null, 'a registration got an answer while offline');
    context.off('response', onResponse);
    context.off('request', onRequest);

    // back online: the queue is sent, the library lists the new ID
    const sent = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/characters', { timeout: 60_000 });
    await context.setOffline(false);
    const res = await sent;
    assert.equal(res.ok(), true, `registration answered ${res.status()}`);
    const { id } = await res.json();
    assert.match(id, /^char_[0-9A-Za-z]{16,}/);
    await page.locator(`[data-testid="library-item"][data-id="${id}"]`).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-testid="library-item"]').count(), before + 1);
    await page.waitForSelector('[data-testid="offline-queue"][data-count="0"]', { state: 'attached', timeout: 10_000 });
    assert.equal(await page.getByTestId('offline-queue').isVisible(), false);

    // and it is still there after a reload, with the queue empty
    await page.reload();
    await page.locator(`[data-testid="library-item"][data-id="${id}"]`).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-testid="queue-item"]').count(), 0);
    await page.close();
  });
});
