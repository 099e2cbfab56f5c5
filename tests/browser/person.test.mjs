// The page with a real person in real Chromium against the real registry: the consent choice
// (required before Create, sent with the registration), "Is this already registered?" showing the
// character made before, a full localStorage not turning a registration into a failure, the drift
// check taking an 848x480 clip with a plot that has its axes, threshold and frames, the engine's
// synchronous compare, and the engine's Worker replaced when it dies and ended when the custom
// element leaves the page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ensureArtifactsDir, missingPrerequisite, serverAndBrowser, sharedDir, watchRequests } from './helpers.mjs';

const missing = missingPrerequisite();
const signer = join(sharedDir, 'fixtures', 'clips', 'signer_yellow_a.mp4'); // 640x480, a person
const clip480 = join(sharedDir, 'fixtures', 'clips', 'sintel_b.mp4'); // 848x480
const ANALYSIS_TIMEOUT = 240_000; // the first identity loads the models; 2 shared cores

const creates = (requests) => requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/characters');

async function chooseSigner(page) {
  await page.getByTestId('allow-low-res').check(); // the person fixtures are below 720p
  await page.getByTestId('video-input').setInputFiles(signer);
  await page.getByTestId('name-input').fill('Signer in yellow');
}

async function waitForCreate(page) {
  await page.waitForFunction(() => ['done', 'error', 'queued'].includes(document.querySelector('[data-testid="progress"]')?.dataset.state),
    null, { timeout: ANALYSIS_TIMEOUT, polling: 250 });
  const state = await page.getByTestId('progress').getAttribute('data-state');
  if (state !== 'done') assert.fail(`create ended ${state}: ${await page.getByTestId('error-message').textContent()}`);
  return /char_[0-9A-Za-z]{16,}/.exec(await page.getByTestId('character-id').textContent())?.[0];
}

describe('a real person: consent, already registered, drift below 720p (Chromium)', { skip: missing ?? false, timeout: 900_000 }, () => {
  const env = serverAndBrowser();
  let personId;

  test('consent is asked in plain words, Create waits for it, and it is sent', { timeout: 300_000 }, async () => {
    const page = await env.browser.context.newPage();
    const requests = watchRequests(page);
    await page.goto(`${env.server.url}/`);
    await chooseSigner(page);
    const consent = page.getByTestId('consent');
    await consent.waitFor({ timeout: ANALYSIS_TIMEOUT });
    assert.equal(await consent.getAttribute('data-state'), 'required');
    const text = await consent.textContent();
    for (const words of ['This is me', 'I have their permission', 'A fictional character', 'Not a person']) assert.ok(text.includes(words), text);
    assert.equal(await page.getByTestId('create-button').isDisabled(), true, 'Create must wait for the consent choice');
    await page.getByTestId('consent-permission').check();
    assert.equal(await page.getByTestId('create-button').isDisabled(), false);
    await page.getByTestId('create-button').click();
    personId = await waitForCreate(page);
    assert.match(personId, /^char_/);
    assert.equal(creates(requests).length, 1);
    const sent = JSON.parse(creates(requests)[0].body.toString());
    assert.deepEqual(sent.consent, { basis: 'permission' });
    assert.ok(['face', 'person'].includes(sent.embedding.subject.kind), sent.embedding.subject.kind);
    // the registry keeps it, and the library says it
    const stored = await page.evaluate((id) => window.charidEngine.registry.get(id), personId);
    assert.equal(stored.consent?.basis, 'permission');
    const item = page.locator(`[data-testid="library-item"][data-id="${personId}"]`);
    await item.waitFor({ timeout: 30_000 });
    assert.equal(await item.getByTestId('library-consent').textContent(), '(I have their permission)');
    await page.close();
  });

  test('"Is this already registered?" shows the character before Create; a full localStorage is not a failure', { timeout: 300_000 }, async () => {
    assert.ok(personId, 'needs the character of the previous test');
    const page = await env.browser.context.newPage();
    // this page's localStorage refuses the cards (as a full quota does); the API key still saves
    await page.addInitScript(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key === 'charid.cards') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
    });
    const requests = watchRequests(page);
    await page.goto(`${env.server.url}/`);
    await chooseSigner(page);
    await page.waitForSelector('[data-testid="match-panel"][data-state="done"]', { timeout: ANALYSIS_TIMEOUT });
    await page.locator(`[data-testid="match-item"][data-id="${personId}"]`).waitFor({ timeout: 5_000 });
    assert.match(await page.getByTestId('match-panel').textContent(), /Signer in yellow/);
    assert.equal(creates(requests).length, 0, 'the check happens before any Create');
    const match = requests.find((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/characters/match');
    const body = JSON.parse(match.body.toString());
    assert.equal(body.k, 5);
    assert.equal('limit' in body, false);

    await page.getByTestId('consent-self').check();
    await page.getByTestId('create-button').click();
    const id = await waitForCreate(page);
    assert.match(id, /^char_/);
    assert.equal(await page.getByTestId('error-message').isVisible(), false);
    assert.match(await page.getByTestId('storage-note').textContent(), /storage is full/);
    await page.close();
  });

  test('drift check takes an 848x480 clip, says the score is less reliable, and plots it with axes and frames; compare is synchronous', { timeout: 300_000 }, async () => {
    assert.ok(personId, 'needs the character of the first test');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    await page.waitForSelector(`[data-testid="drift-character"] option[value="${personId}"]`, { state: 'attached', timeout: 60_000 });
    await page.getByTestId('drift-character').selectOption(personId);
    await page.getByTestId('drift-input').setInputFiles(clip480);
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('[data-testid="drift"]')?.dataset.state),
      null, { timeout: ANALYSIS_TIMEOUT, polling: 250 });
    const verdict = await page.getByTestId('drift-verdict').textContent();
    assert.equal(await page.getByTestId('drift').getAttribute('data-state'), 'done', verdict);
    assert.match(verdict, /^(Same|Different) character: similarity -?\d\.\d{3} \(threshold [\d.]+\); \d+ of 16 frames below the threshold\.$/);
    assert.match(await page.getByTestId('drift-note').textContent(), /848x480.*less reliable/);
    const plot = page.getByTestId('drift-plot');
    const labels = await plot.locator('text').allTextContents();
    assert.ok(labels.includes('similarity'), labels.join('|'));
    assert.ok(labels.includes('time in the clip'), labels.join('|'));
    assert.ok(labels.some((l) => /^threshold \d/.test(l)), labels.join('|'));
    assert.ok(labels.some((l) => /^\d+(\.\d+)? s$/.test(l)), 'time ticks in seconds');
    assert.equal(await plot.getByTestId('drift-frame').count(), 16);
    await page.getByTestId('drift').screenshot({ path: join(ensureArtifactsDir(), 'drift.png') });

    // engine.compare is synchronous on the page and refuses a caller's mistake with invalid_argument
    const compared = await page.evaluate(async (id) => {
      const engine = window.charidEngine;
      await engine.ready;
      const { payload } = JSON.parse(localStorage.getItem('charid.cards'))[id];
      const same = engine.compare(payload, payload);
      const errorOf = (f) => { try { f(); return null; } catch (e) { return { code: e.code, name: e.name, message: e.message }; } };
      return {
        same,
        isPromise: same instanceof Promise,
        otherModel: errorOf(() => engine.compare(payload, { ...payload, model: 'charid-id@0' })),
        badVector: errorOf(() => engine.compare(payload, { ...payload, vector: 'not base64!' })),
      };
    }, personId);
    assert.equal(compared.isPromise, false);
    assert.ok(Math.abs(compared.same.similarity - 1) < 1e-6, JSON.stringify(compared.same));
    assert.equal(compared.same.verdict, 'same');
    assert.equal(compared.otherModel?.code, 'invalid_argument', JSON.stringify(compared.otherModel));
    assert.match(compared.otherModel.message, /different models/);
    assert.equal(compared.badVector?.code, 'invalid_argument', JSON.stringify(compared.badVector));
    await page.close();
  });

  test('a Worker that dies is replaced; the element ends its Worker when removed', { timeout: 180_000 }, async () => {
    const page = await env.browser.context.newPage();
    const workers = [];
    page.on('worker', (w) => workers.push(w));
    await page.goto(`${env.server.url}/`);
    await page.waitForSelector('[data-testid="isolation"][data-isolated]', { timeout: 60_000 });
    const first = workers.find((w) => /\/assets\/worker-/.test(w.url()));
    assert.ok(first, workers.map((w) => w.url()).join(', '));
    const closed = new Promise((r) => first.once('close', r));
    await first.evaluate(() => { setTimeout(() => { throw new Error('simulated crash of the engine'); }); });
    await closed;
    // a fresh Worker took its place and the page still works: a probe answers (here a refusal)
    await page.getByTestId('video-input').setInputFiles(clip480);
    await page.waitForFunction(() => document.querySelector('[data-testid="error-message"]')?.dataset.code === 'resolution_too_low',
      null, { timeout: 60_000 });
    assert.ok(workers.filter((w) => /\/assets\/worker-/.test(w.url())).length >= 2, 'a new Worker was started');

    // example.html: the element's engine and the page's own one, a Worker each
    const seen = [];
    page.on('worker', (w) => {
      if (!/\/assets\/worker-/.test(w.url())) return; // the engines' Workers, not ORT's thread workers
      const entry = { w, closed: false };
      seen.push(entry);
      w.once('close', () => { entry.closed = true; });
    });
    await page.goto(`${env.server.url}/example.html`);
    await page.locator('character-id-creator').getByTestId('create-button').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="isolation"][data-isolated]'), null, { timeout: 60_000 });
    assert.equal(seen.length, 2, 'two engines, two Workers');
    await page.evaluate(() => document.querySelector('character-id-creator').remove());
    const deadline = Date.now() + 10_000;
    while (!seen.some((x) => x.closed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.filter((x) => x.closed).length, 1, 'the removed element\'s Worker ended, the other one did not');
    await page.close();
  });
});
