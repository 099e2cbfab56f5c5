// The inference backends of lib/identity/runner.mjs in real Chromium (Debian's, headless): the
// vectors and detector outputs of every backend that exists here agree with the wasm backend's
// (cosine >= 0.999) on the tensors the pipeline makes from a real fixture frame; the per-model
// choice is measured once and then read back from IndexedDB; a WebGPU build that fails to load
// and a browser without an adapter both fall back quietly to wasm. Headless Chromium 156 offers a
// WebGPU adapter with --enable-unsafe-webgpu (SwiftShader, on the CPU); where it does not, the
// WebGPU cases are skipped and say so. SwiftShader is slow (about a minute to open and run even
// the smallest network on this 2-core machine), so the WebGPU cases run the face embedder only:
// the smallest network, and a vector the identity is made of.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../bench/browser/server.mjs';
import { chromiumAvailable, launchChromium } from '../../bench/browser/chromium.mjs';
import { spawnSync } from 'node:child_process';
import { modelCacheDir } from '../../lib/identity/node.mjs';
import { repoRoot, sharedDir } from './helpers.mjs';

const CLIP = path.join(sharedDir, 'fixtures', 'clips', 'bunny_a.mp4');
const manifestFile = path.join(modelCacheDir(), 'manifest.json');
const missing = !chromiumAvailable() ? 'Chromium is missing (apt-get install chromium)'
  : !fs.existsSync(manifestFile) ? 'the model cache is empty (npm run models)'
    : !fs.existsSync(CLIP) ? `fixture ${CLIP} is missing`
      : spawnSync('ffmpeg', ['-version']).status !== 0 ? 'ffmpeg is missing (apt-get install ffmpeg)' : null;

// A model's input from a real frame (1 s into the clip), made by Debian's ffmpeg rather than the
// charid core so this test depends on the runner alone: the frame stretched to the model's size,
// its colour order, scale, mean and std, NCHW or NHWC as the manifest says.
function tensorFromFrame(input) {
  const dims = input.shape.map((d) => (typeof d === 'number' ? d : 1));
  const nhwc = input.layout === 'NHWC';
  const [h, w] = nhwc ? [dims[1], dims[2]] : [dims[2], dims[3]];
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', '1', '-i', CLIP, '-frames:v', '1',
    '-vf', `scale=${w}:${h}`, '-pix_fmt', input.colour === 'BGR' ? 'bgr24' : 'rgb24', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  const px = r.stdout;
  const out = new Float32Array(h * w * 3);
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (px[i * 3 + c] * input.scale - input.mean[c]) / input.std[c];
      out[nhwc ? i * 3 + c : c * h * w + i] = v;
    }
  }
  return { dims, data: out };
}

function decode(b64) {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na && nb ? dot / Math.sqrt(na * nb) : (na === nb ? 1 : 0);
}

describe('inference backends (Chromium)', { skip: missing ?? false, timeout: 600_000 }, () => {
  const models = [];
  let inputDir;
  let server;
  const browsers = [];

  before(async () => {
    inputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'charid-backend-'));
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    for (const m of manifest.models.filter((x) => x.serve)) {
      const key = m.role === 'appearance_embedder' ? m.id : m.role;
      const { dims, data } = tensorFromFrame(m.input);
      fs.writeFileSync(path.join(inputDir, `${key}.bin`), Buffer.from(data.buffer));
      models.push({ key, id: m.id, dims, input: `/inputs/${key}.bin`, url: `/models/${m.file}` });
    }
    server = await startServer({
      '/bench/browser/': path.join(repoRoot, 'bench', 'browser'),
      '/lib/': path.join(repoRoot, 'lib'),
      '/node_modules/onnxruntime-web/dist/': path.join(repoRoot, 'node_modules', 'onnxruntime-web', 'dist'),
      '/models/': modelCacheDir(),
      '/inputs/': inputDir,
    });
  });
  after(async () => {
    for (const b of browsers) await b.close().catch(() => {});
    await server?.close();
    if (inputDir) fs.rmSync(inputDir, { recursive: true, force: true });
  });

  async function openHarness({ webgpu }) {
    const { browser } = await launchChromium({ webgpu });
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${server.url}/bench/browser/backend_harness.html`);
    await page.waitForFunction(() => window.harnessReady === true);
    return page;
  }
  const run = (page, options) => page.evaluate((o) => window.runModels(o), { models, ...options });
  const GPU_KEYS = ['face_embedder'];
  const runGpu = (page, options) => page.evaluate((o) => window.runModels(o), { models: models.filter((m) => GPU_KEYS.includes(m.key)), ...options });

  let gpuPage;
  let adapter;
  let wasm;

  test('wasm runs every served model and says so', { timeout: 180_000 }, async () => {
    gpuPage = await openHarness({ webgpu: true });
    adapter = await gpuPage.evaluate(() => window.adapterInfo());
    wasm = await run(gpuPage, { backend: 'wasm' });
    assert.equal(wasm.backend, 'wasm');
    assert.equal(wasm.threads, 1); // no thread count asked for: one
    for (const m of models) {
      assert.equal(wasm.backends[m.key], 'wasm');
      for (const v of Object.values(wasm.outputs[m.key])) assert.ok(decode(v).some((x) => x !== 0), `${m.id}: all-zero output`);
    }
  });

  test('WebGPU agrees with wasm (cosine >= 0.999)', { timeout: 240_000 }, async (t) => {
    if (!adapter) { t.skip('headless Chromium offers no WebGPU adapter here: only the fallback is tested'); return; }
    t.diagnostic(`WebGPU adapter: ${adapter.vendor} ${adapter.architecture}`);
    const gpu = await runGpu(gpuPage, { backend: 'webgpu' });
    assert.equal(gpu.backend, 'webgpu', `expected every model on WebGPU (${adapter.vendor} ${adapter.architecture}), got ${JSON.stringify(gpu.backends)}`);
    for (const m of models.filter((x) => GPU_KEYS.includes(x.key))) {
      for (const [name, v] of Object.entries(wasm.outputs[m.key])) {
        const c = cosine(decode(v), decode(gpu.outputs[m.key][name]));
        t.diagnostic(`${m.id} ${name}: cosine ${c.toFixed(6)}, wasm ${wasm.ms[m.key].toFixed(0)} ms, webgpu ${gpu.ms[m.key].toFixed(0)} ms`);
        assert.ok(c >= 0.999, `${m.id} output ${name}: WebGPU vs wasm cosine ${c}`);
      }
    }
  });

  test('the backend is chosen per model by measurement, once, then read back', { timeout: 240_000 }, async (t) => {
    if (!adapter) { t.skip('no WebGPU adapter: nothing to choose between'); return; }
    const first = await runGpu(gpuPage, {});
    for (const m of models.filter((x) => GPU_KEYS.includes(x.key))) {
      const c = first.choices[m.key];
      assert.equal(c.measured, true, `${m.id}: ${JSON.stringify(c)}`);
      assert.ok(c.times_ms.wasm > 0 && c.times_ms.webgpu > 0, `${m.id}: both timed ${JSON.stringify(c.times_ms)}`);
      const faster = c.times_ms.webgpu < c.times_ms.wasm ? 'webgpu' : 'wasm';
      assert.equal(c.backend, faster);
      assert.equal(first.backends[m.key], faster);
      t.diagnostic(`${m.id}: wasm ${c.times_ms.wasm.toFixed(1)} ms, webgpu ${c.times_ms.webgpu.toFixed(1)} ms -> ${c.backend}`);
    }
    assert.match(first.backend, /^(wasm|webgpu|webgpu\+wasm)$/);
    const again = await runGpu(gpuPage, {});
    for (const m of models.filter((x) => GPU_KEYS.includes(x.key))) {
      assert.equal(again.choices[m.key].measured, false, `${m.id} measured twice`);
      assert.equal(again.backends[m.key], first.backends[m.key]);
    }
  });

  test('a WebGPU build that fails to load falls back to wasm with the same outputs', { timeout: 180_000 }, async () => {
    const r = await run(gpuPage, { webgpu: 'broken' });
    assert.equal(r.backend, 'wasm');
    for (const m of models) assert.deepEqual(r.outputs[m.key], wasm.outputs[m.key], m.id);
  });

  test('the wasm thread count is measured on fresh ORT instances, once, then read back', { timeout: 180_000 }, async (t) => {
    const page = await openHarness({ webgpu: false });
    const model = models.find((m) => m.key === 'face_embedder');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const first = await page.evaluate((m) => window.chooseThreads(m), model);
    t.diagnostic(`cores ${cores}: ${JSON.stringify(first)}`);
    if (cores < 2) {
      assert.deepEqual(first, { threads: 1, measured: false, times_ms: {} });
      return;
    }
    assert.equal(first.measured, true, JSON.stringify(first));
    const timed = Object.keys(first.times_ms).map(Number);
    assert.ok(timed.includes(1) && timed.length >= 2, `1 and more threads timed: ${timed}`);
    // the fewest threads unless more are at least 1.2x faster
    const fewest = timed.sort((a, b) => a - b).reduce((best, n) => (first.times_ms[n] * 1.2 < first.times_ms[best] ? n : best), timed[0]);
    assert.equal(first.threads, fewest);
    const again = await page.evaluate((m) => window.chooseThreads(m), model);
    assert.equal(again.measured, false);
    assert.equal(again.threads, first.threads);
  });

  test('without a WebGPU adapter (--disable-gpu) the runner uses wasm, unmeasured', { timeout: 180_000 }, async () => {
    const page = await openHarness({ webgpu: false });
    assert.equal(await page.evaluate(() => window.adapterInfo()), null);
    const one = models.filter((m) => m.key === 'face_embedder');
    const r = await page.evaluate((o) => window.runModels(o), { models: one });
    assert.equal(r.backend, 'wasm');
    assert.equal(r.choices.face_embedder.measured, false);
    assert.deepEqual(r.outputs.face_embedder, wasm.outputs.face_embedder);
  });
});
