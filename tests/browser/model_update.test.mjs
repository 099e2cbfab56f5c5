// "Update to the new model" in real Chromium against the real registry: a character registered
// with charid-id@1 (as every character was before @2) is offered the current model when its clip
// is chosen again; the page checks the clip against the stored @1 vector on the registry first,
// then adds the @2 vector, and the character then holds both models.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clip720, missingPrerequisite, serverAndBrowser, watchRequests } from './helpers.mjs';

const missing = missingPrerequisite();
const ANALYSIS_TIMEOUT = 300_000; // the first identity loads the models; 2 shared cores

async function chooseBunny(page) {
  await page.getByTestId('video-input').setInputFiles(clip720);
  await page.getByTestId('name-input').fill('Big Buck Bunny');
  await page.waitForFunction(() => document.querySelector('[data-testid="match-panel"]')?.dataset.state === 'done',
    null, { timeout: ANALYSIS_TIMEOUT, polling: 250 });
}

describe('update a charid-id@1 character to the current model (Chromium)', { skip: missing ?? false, timeout: 900_000 }, () => {
  const env = serverAndBrowser();

  test('verified with its own model first, then given the new vector', { timeout: 800_000 }, async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    await chooseBunny(page);
    // Register the clip the way an older version did: a charid-id@1 vector only.
    const old = await page.evaluate(async () => {
      const file = document.querySelector('[data-testid="video-input"]').files[0];
      const e = await window.charidEngine.embed(file, { model: 'charid-id@1' });
      return window.charidEngine.register('Bunny from before', e.payload);
    });
    assert.equal(old.model, 'charid-id@1');
    assert.deepEqual(old.models, ['charid-id@1']);

    // A later visit: the library lists it, and choosing its clip again offers the update.
    await page.reload();
    await page.locator(`[data-testid="library-item"][data-id="${old.id}"]`).waitFor({ timeout: 60_000 });
    const requests = watchRequests(page);
    await chooseBunny(page);
    const item = page.locator(`[data-testid="library-item"][data-id="${old.id}"]`);
    const button = item.getByTestId('update-model');
    assert.match(await button.textContent(), /Update to charid-id@2/);
    await button.click();
    await page.waitForFunction((id) => {
      const s = document.querySelector(`[data-testid="library-item"][data-id="${id}"] [data-testid="update-model-status"]`);
      return s && s.dataset.state !== 'running';
    }, old.id, { timeout: ANALYSIS_TIMEOUT, polling: 250 });
    const status = item.getByTestId('update-model-status');
    assert.equal(await status.getAttribute('data-state'), 'done', await status.textContent());

    // The registry was asked to verify with @1 before the @2 vector was added.
    const paths = requests.filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname);
    const verifyAt = paths.indexOf(`/v1/characters/${old.id}/verify`);
    const addAt = paths.indexOf(`/v1/characters/${old.id}/embeddings`);
    assert.ok(verifyAt >= 0 && addAt > verifyAt, paths.join(', '));
    const verifyBody = JSON.parse(requests.filter((r) => r.method === 'POST')[verifyAt].body.toString());
    assert.equal(verifyBody.embedding.model, 'charid-id@1');

    const stored = await page.evaluate((id) => window.charidEngine.registry.get(id), old.id);
    assert.deepEqual([...stored.models].sort(), ['charid-id@1', 'charid-id@2']);
    // Done: the offer is gone for this character.
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="library-item"][data-id="${id}"] [data-testid="update-model"]`),
      old.id, { timeout: 30_000 });
  });
});
