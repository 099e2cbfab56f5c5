// "Who's in this clip" on the page, in real Chromium against the real registry: three characters
// (a signer, Big Buck Bunny, another signer) are registered from their own single clips with this
// browser's key, then the two-character clip (tests/cast/two_characters.mjs: the signer beside
// the bunny, ffmpeg hstack) goes into the cast panel. Both are found with verdict "same", each in
// its own half of the frame, with boxes drawn and a timeline each; the third is reported nowhere.
// With the three IDs named as expected, each is verified: the two found, the third not.
// What leaves the page is identity vectors only (no request above 16 KB, no byte of the clip).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { embedClip } from '../../cli/inputs.mjs';
import { RegistryClient } from '../../lib/registry/client.mjs';
import { clip } from '../cli/helpers.mjs';
import { makeTwoCharacterClip, SPLIT } from '../cast/two_characters.mjs';
import { ensureArtifactsDir, missingPrerequisite, serverAndBrowser, watchRequests } from './helpers.mjs';

const missing = missingPrerequisite();
const CAST_TIMEOUT = 420_000; // 16 frames through the detectors and one embedding per track, 2 shared cores
const tmp = mkdtempSync(join(tmpdir(), 'charid-browser-cast-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const centreX = (box) => box[0] + box[2] / 2;

describe('"Who\'s in this clip" on the page (Chromium)', { skip: missing ?? false, timeout: 900_000 }, () => {
  const env = serverAndBrowser();

  test('both registered characters are found in their own half; the third is not reported', { timeout: 800_000 }, async () => {
    const two = makeTwoCharacterClip(tmp);
    const page = await env.browser.context.newPage();
    const requests = watchRequests(page);
    await page.goto(`${env.server.url}/`);
    await page.waitForSelector('[data-testid="library"][data-state="ready"]', { timeout: 60_000 });
    // the page's own key (made on first use): the characters below are this person's
    const key = await page.evaluate(() => localStorage.getItem('charid.key:same-origin'));
    assert.ok(key, 'the page made its key');
    const client = new RegistryClient(env.server.url, { keyStore: { get: () => key, set() {}, clear() {} } });
    const ids = {};
    for (const [who, name, file, basis] of [['signer', 'Yellow signer', 'signer_yellow_a.mp4', 'permission'],
      ['bunny', 'Big Buck Bunny', 'bunny_a.mp4', 'fictional'], ['third', 'Grey signer', 'signer_grey_a.mp4', 'permission']]) {
      const { payload } = await embedClip(clip(file), { allowLowRes: true, count: 8 });
      ids[who] = (await client.createCharacter({ name, embedding: payload, visibility: 'private', consent: { basis } })).character.id;
    }

    await page.getByTestId('cast-input').setInputFiles(two);
    await page.getByTestId('cast-run').click();
    await page.waitForSelector('[data-testid="cast-panel"][data-state="done"], [data-testid="cast-panel"][data-state="error"]', { timeout: CAST_TIMEOUT });
    const summary = await page.getByTestId('cast-summary').textContent();
    assert.equal(await page.getByTestId('cast-panel').getAttribute('data-state'), 'done', summary);

    const tracks = await page.$$eval('[data-testid="cast-track"]', (els) => els.map((e) => ({
      track: Number(e.dataset.track), kind: e.dataset.kind, verdict: e.dataset.verdict, id: e.dataset.id, frames: Number(e.dataset.frames), text: e.textContent,
    })));
    const seen = JSON.stringify(tracks);
    assert.ok(tracks.length >= 2, seen);
    for (const t of tracks) assert.ok(['same', 'unknown'].includes(t.verdict), seen);
    const of = (id) => tracks.filter((t) => t.id === id);
    assert.ok(of(ids.signer).length >= 1 && of(ids.signer).every((t) => t.verdict === 'same'), `the signer is found: ${seen}`);
    assert.ok(of(ids.bunny).length >= 1 && of(ids.bunny).every((t) => t.verdict === 'same'), `the bunny is found: ${seen}`);
    assert.ok(of(ids.signer)[0].text.includes('Yellow signer') && of(ids.bunny)[0].text.includes('Big Buck Bunny'), seen);
    assert.equal(of(ids.third).length, 0, `the third character is not reported: ${seen}`);
    assert.ok(!(await page.getByTestId('cast-panel').textContent()).includes(ids.third));

    // the boxes drawn on the frames: each character's in its own half
    const boxes = await page.$$eval('[data-testid="cast-frame"]', (svgs) => svgs.map((s) => {
      const [, , w] = s.getAttribute('viewBox').split(' ').map(Number);
      return [...s.querySelectorAll('rect.cast-box')].map((r) => ({
        track: Number(r.dataset.track), box: [Number(r.getAttribute('x')) / w, 0, Number(r.getAttribute('width')) / w, 0],
      }));
    }));
    assert.equal(boxes.length, 16, 'every sampled frame is drawn');
    const drawn = boxes.flat();
    for (const [id, side] of [[ids.signer, 'left'], [ids.bunny, 'right']]) {
      const mine = drawn.filter((b) => of(id).some((t) => t.track === b.track));
      assert.ok(mine.length >= 4, `${side}: ${mine.length} boxes`);
      for (const b of mine) assert.ok(side === 'left' ? centreX(b.box) < SPLIT : centreX(b.box) >= SPLIT, `${side} box ${JSON.stringify(b.box)}`);
    }
    // a timeline per character
    const timelines = await page.$$eval('[data-testid="cast-timeline"]', (els) => els.map((e) => ({ id: e.dataset.id, from: Number(e.dataset.from), to: Number(e.dataset.to) })));
    for (const id of [ids.signer, ids.bunny]) {
      const t = timelines.find((x) => x.id === id);
      assert.ok(t && t.from < t.to && t.to <= 3.6, `timeline of ${id}: ${JSON.stringify(timelines)}`);
    }

    // only identity vectors left the page: small bodies, no byte of the clip
    const video = readFileSync(two);
    const chunks = [0.2, 0.5, 0.8].map((f) => video.subarray(Math.floor(video.length * f), Math.floor(video.length * f) + 48));
    for (const r of requests) {
      assert.ok(r.body.length <= 16 * 1024, `${r.method} ${r.url} sent ${r.body.length} bytes`);
      for (const c of chunks) assert.ok(!r.body.includes(c), `${r.method} ${r.url} carries bytes of the clip`);
    }
    assert.ok(requests.some((r) => r.method === 'POST' && new URL(r.url).pathname === '/v1/characters/match'), 'the tracks were matched on the registry');
    const ms = await page.evaluate(() => document.querySelector('.charid-app')?.dataset.castMs);
    console.log(`# cast in the page: ${ms} ms, ${tracks.length} tracks: ${tracks.map((t) => `${t.kind}/${t.frames}/${t.verdict}`).join(', ')}`);
    await page.screenshot({ path: join(ensureArtifactsDir(), 'cast.png'), fullPage: true });

    // naming the expected IDs: a word that is no ID is refused at once, then each ID is verified
    await page.getByTestId('cast-expect').fill('mira');
    await page.getByTestId('cast-run').click();
    await page.waitForSelector('[data-testid="cast-panel"][data-state="error"]', { timeout: 10_000 });
    assert.match(await page.getByTestId('cast-summary').textContent(), /"mira" is not a character ID/);
    const verifies = () => requests.filter((r) => r.method === 'POST' && /^\/v1\/characters\/char_[0-9A-Za-z]+\/verify$/.test(new URL(r.url).pathname));
    assert.equal(verifies().length, 0);
    await page.getByTestId('cast-expect').fill(`${ids.signer}, ${ids.bunny}, ${ids.third}`);
    await page.getByTestId('cast-run').click();
    await page.waitForSelector('[data-testid="cast-panel"][data-state="done"], [data-testid="cast-panel"][data-state="error"]', { timeout: CAST_TIMEOUT });
    assert.equal(await page.getByTestId('cast-panel').getAttribute('data-state'), 'done', await page.getByTestId('cast-summary').textContent());
    const expected = Object.fromEntries(await page.$$eval('[data-testid="cast-expected"]', (els) => els.map((e) => [e.dataset.id, e.dataset.found])));
    assert.deepEqual(expected, { [ids.signer]: 'true', [ids.bunny]: 'true', [ids.third]: 'false' });
    assert.ok(verifies().length >= 3, `${verifies().length} verify requests`);
    const verified = await page.$$eval('[data-testid="cast-track"]', (els) => els.map((e) => e.dataset.id));
    assert.ok(verified.includes(ids.signer) && verified.includes(ids.bunny) && !verified.includes(ids.third), JSON.stringify(verified));
    await page.close();
  });
});
