// The page's two decode paths in real Chromium (Debian's, software decoders, no GPU) against the
// real registry: the sampled window decoded with WebCodecs (the core's decode plan, VideoDecoder,
// the core's converter) and with the core's own decoders (?webcodecs=0) give the same geometry and
// timestamps, and identity vectors with cosine >= 0.99, on H.264 (MP4), VP9 (WebM), AV1 (Matroska)
// and a rotated MP4; a stream WebCodecs refuses here (HEVC) falls back to the core's decoders;
// and the page with ?webcodecs=0 still creates an ID.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { clip720, missingPrerequisite, serverAndBrowser, sharedDir } from './helpers.mjs';

const missing = missingPrerequisite();
const media = (rel) => join(sharedDir, 'fixtures', 'media', rel);

// The small AV1 clip first: it takes the pages' start-up (model warm-up) in its timings.
const CLIPS = [
  { name: 'AV1 Matroska', file: media('pytorch__torchcodec/av1_video.mkv'), codec: /^av01\./ },
  { name: 'H.264 1080p MP4', file: media('Vanilagy__mediabunny/video.mp4'), codec: /^avc1\./ },
  { name: 'VP9 720p WebM', file: media('Vanilagy__mediabunny/transparency.webm'), codec: /^vp09\./ },
  // geometry and times only (the vector check of H.264 above covers the same decoder)
  { name: 'rotated H.264', file: media('Vanilagy__mediabunny/rotate-buck-bunny.mp4'), codec: /^avc1\./, rotated: true, embed: false },
];

// Opens the page (with or without WebCodecs) and waits for its engine.
async function openPage(env, query = '') {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.server.url}/${query}`);
  await page.waitForFunction(() => !!window.charidEngine, null, { timeout: 60_000 });
  await page.evaluate(() => window.charidEngine.ready);
  return page;
}

// sample() then embed() of one file inside the page: what each path decoded and the vector.
function sampleAndEmbed(page, file, { embed = true } = {}) {
  const b64 = readFileSync(file).toString('base64');
  return page.evaluate(async ({ b64, embed }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const blob = new Blob([bytes]);
    const engine = window.charidEngine;
    const t0 = performance.now();
    const s = await engine.sample(blob, { allowLowRes: true });
    const sampleMs = performance.now() - t0;
    const e = embed ? await engine.embed(blob, { allowLowRes: true }) : null;
    return {
      decoder: s.decoder,
      codec: s.codec ?? null,
      fallback: s.fallback ?? null,
      decodeMs: s.decodeMs,
      decodeStages: s.decodeStages ?? null,
      sampleMs,
      window: s.window,
      frames: s.frames.map((f) => ({ timestamp: f.timestamp, width: f.width, height: f.height })),
      warnings: s.warnings,
      payload: e?.payload ?? null,
      frameTimes: e?.frameTimes ?? null,
    };
  }, { b64, embed });
}

function int8Vector(payload) {
  const b = Buffer.from(payload.vector, 'base64');
  return new Int8Array(b.buffer, b.byteOffset, b.length);
}

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

describe('WebCodecs decode path (Chromium)', { skip: missing ?? false, timeout: 900_000 }, () => {
  const env = serverAndBrowser();

  test('WebCodecs and the core decoders give the same frames and vectors', { timeout: 600_000 }, async (t) => {
    const on = await openPage(env);
    const off = await openPage(env, '?webcodecs=0');
    for (const clip of CLIPS) {
      const a = await sampleAndEmbed(on, clip.file, { embed: clip.embed !== false });
      const b = await sampleAndEmbed(off, clip.file, { embed: clip.embed !== false });
      t.diagnostic(`${clip.name}: webcodecs ${Math.round(a.decodeMs)} ms (${JSON.stringify(a.decodeStages)}), wasm ${Math.round(b.decodeMs)} ms`);
      assert.equal(a.decoder, 'webcodecs', `${clip.name}: WebCodecs did not serve (${a.fallback})`);
      assert.equal(b.decoder, 'wasm', clip.name);
      assert.equal(b.fallback, 'disabled', clip.name);
      assert.deepEqual(a.window, b.window, clip.name);
      assert.equal(a.frames.length, b.frames.length, `${clip.name}: frame count`);
      for (let i = 0; i < a.frames.length; i++) {
        assert.ok(Math.abs(a.frames[i].timestamp - b.frames[i].timestamp) < 1e-3, `${clip.name}: frame ${i} at ${a.frames[i].timestamp} vs ${b.frames[i].timestamp}`);
        assert.equal(a.frames[i].width, b.frames[i].width, `${clip.name}: frame ${i} width`);
        assert.equal(a.frames[i].height, b.frames[i].height, `${clip.name}: frame ${i} height`);
      }
      if (clip.rotated) assert.ok(a.frames[0].height > a.frames[0].width, `${clip.name}: the frames are upright`);
      assert.match(a.codec, clip.codec, clip.name);
      if (clip.embed === false) continue;
      assert.equal(a.frameTimes.length, b.frameTimes.length, clip.name);
      a.frameTimes.forEach((x, i) => assert.ok(Math.abs(x - b.frameTimes[i]) < 1e-3, `${clip.name}: embedded frame ${i}`));
      assert.equal(a.payload.model, b.payload.model);
      const c = cosine(int8Vector(a.payload), int8Vector(b.payload));
      t.diagnostic(`${clip.name}: cosine ${c.toFixed(4)}`);
      assert.ok(c >= 0.99, `${clip.name}: cosine ${c} < 0.99`);
    }
    await on.close();
    await off.close();
  });

  test('a stream WebCodecs refuses here (HEVC) is decoded by the core instead', { timeout: 180_000 }, async () => {
    const page = await openPage(env);
    const supported = await page.evaluate(() => VideoDecoder.isConfigSupported({ codec: 'hev1.1.6.L120.90', codedWidth: 1920, codedHeight: 1080 }).then((r) => r.supported, () => false));
    const r = await sampleAndEmbed(page, media('Vanilagy__mediabunny/video-h265.mp4'), { embed: false });
    assert.equal(r.frames.length, 16);
    if (supported) {
      assert.equal(r.decoder, 'webcodecs'); // a Chromium with HEVC: nothing to fall back from
    } else {
      assert.equal(r.decoder, 'wasm');
      assert.equal(r.fallback, 'unsupported_config');
    }
    await page.close();
  });

  test('the page with ?webcodecs=0 still creates an ID; frames appear before the whole window', { timeout: 400_000 }, async (t) => {
    const page = await openPage(env, '?webcodecs=0');
    await page.getByTestId('video-input').setInputFiles(clip720);
    await page.getByTestId('name-input').fill('Bunny without WebCodecs');
    await page.getByTestId('create-button').click({ timeout: 120_000 });
    await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="progress"]');
      return p && (p.dataset.state === 'done' || p.dataset.state === 'error');
    }, null, { timeout: 300_000, polling: 250 });
    const state = await page.getByTestId('progress').getAttribute('data-state');
    if (state !== 'done') assert.fail(`create failed: ${await page.getByTestId('error-message').textContent()}`);
    assert.match(await page.getByTestId('character-id').textContent(), /char_[0-9A-Za-z]{16,}/);
    await page.close();

    // With WebCodecs the frame strip fills while the window decodes: the first thumbnail is on
    // screen before the last one.
    const streaming = await openPage(env);
    // every count of thumbnails the strip showed, with when
    await streaming.evaluate(() => {
      window.stripCounts = [];
      const t0 = performance.now();
      new MutationObserver(() => {
        const n = document.querySelectorAll('[data-testid="frames"] img').length;
        const last = window.stripCounts.at(-1);
        if (n && (!last || last.n !== n)) window.stripCounts.push({ n, ms: performance.now() - t0 });
      }).observe(document.body, { childList: true, subtree: true });
    });
    await streaming.getByTestId('video-input').setInputFiles(clip720);
    await streaming.waitForFunction(() => window.stripCounts.some((c) => c.n >= 16), null, { timeout: 90_000 });
    const counts = await streaming.evaluate(() => window.stripCounts);
    t.diagnostic(`frame strip: first ${counts[0].n} shown after ${Math.round(counts[0].ms)} ms, all 16 after ${Math.round(counts.find((c) => c.n >= 16).ms)} ms (from setting the file)`);
    assert.ok(counts[0].n < 16, `the frames came all at once: ${JSON.stringify(counts)}`);
    await streaming.close();
  });
});
