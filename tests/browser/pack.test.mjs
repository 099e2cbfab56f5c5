// The reference pack on the page, in real Chromium against the real registry: a character made
// from bunny_a.mp4, then "Reference pack" on its ID card makes the pack in the Worker from the
// frames already sampled and downloads a ZIP; unzipped (fflate), it holds pack.json
// (charid.pack/1, valid) and exactly the files it lists, with the roles, sizes and generator
// table the CLI's pack has (tests/pack/check_pack.mjs). No request carries any byte of the pack.
// Then the pack is kept in IndexedDB (the library item offers it after a reload), goes into the
// exported card, and comes back from that card after this browser's packs were wiped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { generatorTable } from '../../lib/pack/generators.mjs';
import { checkPackFiles, readPngBytes, shortSide } from '../pack/check_pack.mjs';
import { clip720, ensureArtifactsDir, missingPrerequisite, serverAndBrowser, watchRequests } from './helpers.mjs';

const missing = missingPrerequisite();
const PACK_TIMEOUT = 300_000; // the pack runs the identity pipeline and the segmenter on 2 shared cores

// The ZIP of a download: {manifest, files: Map name -> bytes (pack.json left out)}.
async function unzipDownload(download, name) {
  const path = join(ensureArtifactsDir(), name);
  await download.saveAs(path);
  const entries = unzipSync(new Uint8Array(readFileSync(path)));
  assert.ok(entries['pack.json'], `pack.json in ${Object.keys(entries).join(', ')}`);
  const manifest = JSON.parse(strFromU8(entries['pack.json']));
  const files = new Map(Object.entries(entries).filter(([n]) => n !== 'pack.json'));
  return { manifest, files };
}

// Pieces of each file at several offsets: none may appear in a request body.
function packSamples(files) {
  const out = [];
  for (const bytes of files.values()) {
    for (const frac of [0.3, 0.6, 0.9]) {
      const at = Math.floor(bytes.length * frac);
      const chunk = Buffer.from(bytes.subarray(at, at + 48));
      out.push(chunk, Buffer.from(chunk.toString('base64').slice(4, 44)));
    }
  }
  return out;
}

const packButtonState = (page, scope) => page.locator(`${scope} [data-testid="pack-download"]`).getAttribute('data-state');

describe('reference pack on the page (Chromium)', { skip: missing ?? false, timeout: 900_000 }, () => {
  const env = serverAndBrowser();
  let id, first;

  test('the ID card\'s "Reference pack" downloads a valid pack made on the device', { timeout: 600_000 }, async () => {
    const page = await env.browser.context.newPage();
    const requests = watchRequests(page);
    await page.goto(`${env.server.url}/`);
    await page.getByTestId('video-input').setInputFiles(clip720);
    await page.getByTestId('name-input').fill('Pack Bunny');
    await page.getByTestId('create-button').click({ timeout: 120_000 });
    await page.waitForSelector('[data-testid="progress"][data-state="done"], [data-testid="progress"][data-state="error"]', { timeout: 240_000 });
    assert.equal(await page.getByTestId('progress').getAttribute('data-state'), 'done', await page.getByTestId('error-message').textContent());
    id = await page.getByTestId('character-id-value').textContent();
    assert.match(id, /^char_[0-9A-Za-z]{16,}$/);

    const before = requests.length;
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: PACK_TIMEOUT }),
      page.locator('[data-testid="character-id"] [data-testid="pack-download"]').click(),
    ]);
    first = await unzipDownload(download, 'pack.zip');
    const { manifest, files } = first;
    checkPackFiles(manifest, files);
    assert.equal(manifest.id, id);
    assert.equal(manifest.name, 'Pack Bunny');
    assert.deepEqual(manifest.generators, generatorTable(manifest.files), 'the table is the one lib/pack computes from the files');
    // bunny_a.mp4 is 1280x720: every crop reaches 300 px, and Vidu (128 px and up) takes the pack
    for (const p of manifest.files.filter((f) => f.role === 'front' || f.role === 'view')) assert.ok(shortSide(p) >= 300, `${p.name} ${p.width}x${p.height}`);
    assert.equal(manifest.generators.vidu_reference.ok, true, JSON.stringify(manifest.generators.vidu_reference.failures));
    assert.equal(manifest.generators.kling_elements.files[0], 'front.png');
    // the cutout: opaque at the subject's centre, the crop itself opaque
    const cut = manifest.files.find((f) => f.role === 'cutout' && f.view === 0);
    if (cut) {
      const png = readPngBytes(files.get(cut.name));
      const [sx, sy, sw, sh] = cut.subject_box;
      const alpha = png.data[(Math.round(sy + sh / 2) * png.width + Math.round(sx + sw / 2)) * 4 + 3];
      assert.ok(alpha > 200, `centre alpha ${alpha}`);
      assert.ok([...Array(png.width * png.height).keys()].some((i) => png.data[i * 4 + 3] < 16), 'some of the cutout is transparent');
    }
    assert.equal(readPngBytes(files.get('front.png')).data[3], 255);
    // nothing of the pack left the page, and making it sent nothing to the registry
    const samples = packSamples(files);
    for (const r of requests) for (const s of samples) assert.ok(!r.body.includes(s), `${r.method} ${r.url} carries bytes of the pack`);
    const during = requests.slice(before).filter((r) => r.method !== 'GET');
    assert.deepEqual(during.map((r) => `${r.method} ${r.url}`), [], 'no request but GETs while the pack was made');
    assert.equal(await packButtonState(page, '[data-testid="character-id"]'), 'stored');
    const ms = await page.evaluate(() => document.querySelector('.charid-app')?.dataset.packMs);
    console.log(`# pack in the page: ${ms} ms, ${manifest.files.length} files, ${[...files.values()].reduce((n, b) => n + b.length, 0)} bytes`);
    await page.close();
  });

  test('the pack is kept in this browser, travels in the card and comes back from it', { timeout: 180_000 }, async () => {
    assert.ok(first, 'needs the pack of the previous test');
    const page = await env.browser.context.newPage();
    await page.goto(`${env.server.url}/`);
    const item = `[data-testid="library-item"][data-id="${id}"]`;
    await page.locator(item).waitFor({ timeout: 60_000 });
    // kept in IndexedDB: the library item offers the same pack after a reload
    const [again] = await Promise.all([page.waitForEvent('download'), page.locator(`${item} [data-testid="pack-download"]`).click()]);
    const stored = await unzipDownload(again, 'pack_stored.zip');
    assert.deepEqual(stored.manifest, first.manifest);
    for (const [n, b] of first.files) assert.ok(Buffer.from(stored.files.get(n)).equals(Buffer.from(b)), `${n} unchanged`);

    // the exported card carries the pack
    const [cardDownload] = await Promise.all([page.waitForEvent('download'), page.locator(`${item} [data-testid="export-button"]`).click()]);
    const cardPath = join(ensureArtifactsDir(), 'card_with_pack.json');
    await cardDownload.saveAs(cardPath);
    const card = JSON.parse(readFileSync(cardPath, 'utf8'));
    assert.equal(card.schema, 'charid.card/1');
    assert.deepEqual(card.pack.manifest, first.manifest);
    assert.deepEqual(card.pack.files.map((f) => f.name).sort(), [...first.files.keys()].sort());

    // wipe this browser's packs: the item no longer offers one
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('charid-packs');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction('packs', 'readwrite');
        tx.objectStore('packs').clear();
        tx.oncomplete = () => { open.result.close(); resolve(); };
      };
    }));
    await page.reload();
    await page.waitForSelector('[data-testid="library"][data-state="ready"]', { timeout: 60_000 });
    await page.locator(item).waitFor();
    assert.equal(await page.locator(`${item} [data-testid="pack-download"]`).count(), 0);

    // the card's import restores it
    await page.getByTestId('card-import').setInputFiles(cardPath);
    await page.locator(`${item} [data-testid="pack-download"]`).waitFor({ timeout: 60_000 });
    const [restored] = await Promise.all([page.waitForEvent('download'), page.locator(`${item} [data-testid="pack-download"]`).click()]);
    const back = await unzipDownload(restored, 'pack_restored.zip');
    assert.deepEqual(back.manifest, first.manifest);
    for (const [n, b] of first.files) assert.ok(Buffer.from(back.files.get(n)).equals(Buffer.from(b)), `${n} restored`);
    await page.close();
  });
});
