// The example page (web/example.html, served at /example.html) in real Chromium: the
// <character-id-creator> custom element renders the whole flow and fires `character-created`
// with the registry's character (a char_ ID) when a file is turned into an ID.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clip720, missingPrerequisite, serverAndBrowser } from './helpers.mjs';

const missing = missingPrerequisite();

describe('example page: <character-id-creator> (Chromium)', { skip: missing ?? false, timeout: 600_000 }, () => {
  const env = serverAndBrowser();

  test('the element fires character-created with a char_ ID', { timeout: 400_000 }, async () => {
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/example.html`);
    const el = page.locator('character-id-creator');
    await el.getByTestId('create-button').waitFor();
    // listen before creating: the event's detail is kept on window
    await page.evaluate(() => {
      window.__created = [];
      document.querySelector('character-id-creator')
        .addEventListener('character-created', (ev) => window.__created.push({ detail: ev.detail, bubbles: ev.bubbles, composed: ev.composed }));
    });
    await el.getByTestId('video-input').setInputFiles(clip720);
    await el.getByTestId('name-input').fill('Element Bunny');
    await el.getByTestId('create-button').click({ timeout: 180_000 });
    await page.waitForFunction(() => window.__created.length > 0
      || document.querySelector('[data-testid="progress"]')?.dataset.state === 'error', null, { timeout: 300_000, polling: 250 });
    const created = await page.evaluate(() => window.__created);
    if (!created.length) assert.fail(`create failed: ${await el.getByTestId('error-message').textContent()}`);
    assert.equal(created.length, 1);
    const { detail, bubbles, composed } = created[0];
    assert.match(detail.id, /^char_[0-9A-Za-z]{16,}$/);
    assert.equal(detail.name, 'Element Bunny');
    assert.equal(bubbles, true);
    assert.equal(composed, true);
    // the page's own listener (example.ts) saw the same event, and the element shows the ID
    await page.waitForFunction((id) => document.getElementById('created')?.textContent.includes(id), detail.id, { timeout: 10_000 });
    assert.equal(await page.locator('#created').textContent(), `character-created: Element Bunny is ${detail.id}`);
    assert.match(await el.getByTestId('character-id').textContent(), new RegExp(detail.id));
    await page.close();
  });
});
