// The browser app in real Chromium (Debian's, driven by playwright-core) against the real
// registry started like `npm start`: file in -> ID out, URL in -> ID out, a text file is
// rejected without any registration request, nothing larger than 16 KB and no video bytes
// leave the page, the library survives a reload, the page is cross-origin isolated, and a
// screenshot of the result is kept in test-artifacts/browser/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  clip720, ensureArtifactsDir, missingPrerequisite, serverAndBrowser, startFileServer, textFile, watchRequests,
} from './helpers.mjs';

const missing = missingPrerequisite();
const CREATE_TIMEOUT = 240_000; // first run loads the models; 2 shared cores

// Waits for the Create flow to end; returns the ID shown in the result card.
async function createAndWait(page, name) {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('create-button').click({ timeout: 120_000 }); // enabled once frames are sampled
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="progress"]');
    return p && (p.dataset.state === 'done' || p.dataset.state === 'error');
  }, null, { timeout: CREATE_TIMEOUT, polling: 250 });
  const state = await page.getByTestId('progress').getAttribute('data-state');
  if (state !== 'done') assert.fail(`create failed: ${await page.getByTestId('error-message').textContent()}`);
  const text = await page.getByTestId('character-id').textContent();
  const m = /char_[0-9A-Za-z]{16,}/.exec(text);
  assert.ok(m, `no char_ ID in the result card: ${text}`);
  return m[0];
}

// Chunks of the video at several offsets: none may appear in any request body.
function videoSamples(file) {
  const bytes = readFileSync(file);
  const out = [];
  for (const frac of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    const at = Math.floor(bytes.length * frac);
    const chunk = bytes.subarray(at, at + 48);
    out.push(chunk, Buffer.from(chunk.toString('base64').slice(4, 44)));
  }
  return out;
}

function checkBodies(requests, file) {
  const samples = videoSamples(file);
  for (const r of requests) {
    assert.ok(r.body.length <= 16 * 1024, `${r.method} ${r.url} sent ${r.body.length} bytes (> 16 KB)`);
    for (const s of samples) assert.ok(!r.body.includes(s), `${r.method} ${r.url} carries bytes of the video`);
  }
}

const creates = (requests) => requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/characters');

describe('browser app (Chromium)', { skip: missing ?? false, timeout: 900_000 }, () => {
  // "URL in -> ID out" serves its video from another loopback port: the page's CSP must let the
  // Worker fetch from there (--media-origin; by default the page connects only to the registry).
  const env = serverAndBrowser({ serverArgs: ['--media-origin', 'http://127.0.0.1:*'] });
  let createdId;

  test('the page is cross-origin isolated (threads available)', { timeout: 60_000 }, async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
    await page.waitForSelector('[data-testid="isolation"][data-isolated="true"]', { timeout: 60_000 });
    await page.close();
  });

  test('file in -> ID out; only the vector and the name leave the page', { timeout: 300_000 }, async () => {
    const page = await env.browser.context.newPage();
    const requests = watchRequests(page);
    await page.goto(`${env.server.url}/`);
    await page.getByTestId('video-input').setInputFiles(clip720);
    createdId = await createAndWait(page, 'Big Buck Bunny');
    assert.equal(creates(requests).length, 1);
    const sent = JSON.parse(creates(requests)[0].body.toString());
    assert.deepEqual(Object.keys(sent).sort(), ['embedding', 'name', 'visibility']);
    assert.equal(sent.name, 'Big Buck Bunny');
    assert.equal(sent.embedding.schema, 'charid.embedding/1');
    checkBodies(requests, clip720);
    // the network panel lists the registration with its size
    const rows = await page.getByTestId('network-row').allTextContents();
    assert.ok(rows.some((r) => r.includes('POST /v1/characters')), rows.join('\n'));
    // the ID card: copy button and a prompt snippet with the name
    assert.match(await page.getByTestId('prompt-snippet').inputValue(), /Big Buck Bunny .*char_/);
    await page.getByTestId('copy-button').waitFor();
    const dir = ensureArtifactsDir();
    await page.screenshot({ path: join(dir, 'result.png'), fullPage: true });
    await page.close();
  });

  test('the library lists the new ID after a reload', { timeout: 120_000 }, async () => {
    assert.ok(createdId, 'needs the ID of the previous test');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    await page.reload();
    await page.waitForSelector('[data-testid="library"][data-state="ready"]', { timeout: 60_000 });
    const item = page.locator(`[data-testid="library-item"][data-id="${createdId}"]`);
    await item.waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('library').textContent(), new RegExp(createdId));
    await page.close();
  });

  test('a character card exports and imports back to the same ID', { timeout: 120_000 }, async () => {
    assert.ok(createdId, 'needs the ID of the first create');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    const item = page.locator(`[data-testid="library-item"][data-id="${createdId}"]`);
    await item.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId('export-button').click()]);
    const path = join(ensureArtifactsDir(), 'card.json');
    await download.saveAs(path);
    const card = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(card.schema, 'charid.card/1');
    assert.equal(card.id, createdId);
    assert.equal(card.payload.schema, 'charid.embedding/1');
    const requests = watchRequests(page);
    await page.getByTestId('card-import').setInputFiles(path);
    await page.waitForFunction(() => document.querySelector('[data-testid="library"]')?.dataset.state === 'ready'
      && [...document.querySelectorAll('[data-testid="network-row"]')].some((r) => r.textContent.includes('POST /v1/characters')),
    null, { timeout: 60_000 });
    assert.equal(creates(requests).length, 1);
    // same key, same name, same vector: the registry answers with the same character
    assert.equal(await page.locator('[data-testid="library-item"]').count(), 1);
    await page.close();
  });

  test('drift check: each frame of another clip against the character, with a verdict', { timeout: 300_000 }, async () => {
    assert.ok(createdId, 'needs the ID of the first create');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    await page.waitForSelector(`[data-testid="drift-character"] option[value="${createdId}"]`, { state: 'attached', timeout: 60_000 });
    await page.getByTestId('drift-character').selectOption(createdId);
    await page.getByTestId('drift-input').setInputFiles(clip720);
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('[data-testid="drift"]')?.dataset.state),
      null, { timeout: 240_000, polling: 250 });
    const verdict = await page.getByTestId('drift-verdict').textContent();
    assert.match(verdict, /^Same character: similarity 0\.9\d*|^Same character: similarity 1\.0/, verdict);
    await page.close();
  });

  test('URL in -> ID out (the page fetches the video itself)', { timeout: 300_000 }, async () => {
    const files = await startFileServer(clip720);
    try {
      const page = await env.browser.context.newPage();
      const requests = watchRequests(page);
      await page.goto(`${env.server.url}/`);
      await page.getByTestId('url-input').fill(files.url);
      await page.getByTestId('url-input').press('Enter');
      const id = await createAndWait(page, 'Bunny from a URL');
      assert.match(id, /^char_/);
      assert.equal(creates(requests).length, 1);
      checkBodies(requests, clip720);
      await page.close();
    } finally {
      await files.stop();
    }
  });

  test('a text file -> error message, and no registration request', { timeout: 120_000 }, async () => {
    const page = await env.browser.context.newPage();
    const requests = watchRequests(page);
    await page.goto(`${env.server.url}/`);
    await page.getByTestId('name-input').fill('Not a video');
    await page.getByTestId('video-input').setInputFiles(textFile);
    const error = page.getByTestId('error-message');
    await error.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await error.textContent(), /video/i);
    assert.equal(await error.getAttribute('data-code'), 'unreadable_input');
    assert.equal(await page.getByTestId('create-button').isDisabled(), true);
    await page.getByTestId('create-button').click({ force: true });
    await page.waitForTimeout(500);
    assert.equal(creates(requests).length, 0);
    await page.close();
  });
});
