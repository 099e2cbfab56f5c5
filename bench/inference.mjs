// Inference per identity network: onnxruntime-web (wasm backend, SIMD) in Chromium with 1 and 2
// threads (a cross-origin isolated page), next to onnxruntime-node (native CPU provider, 1 and
// 2 intra-op threads) on identical inputs: the tensors the pipeline makes from frame 0 of the
// 1080p H.264 fixture (the charid core's cropTensor, whole frame, each model's own spec). Rounds
// interleave the engines; each round runs every model REPS times per engine; medians over all.
// Output agreement against onnxruntime-node (1 thread): max abs difference, the same relative to
// the largest |value|, and cosine, over all outputs of the model. Writes the "Inference"
// section of docs/BENCHMARKS.md.   node bench/inference.mjs [--smoke]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { writeSection } from './markdown_section.mjs';
import { startServer } from './browser/server.mjs';
import { chromiumAvailable, launchChromium } from './browser/chromium.mjs';
import { loadCore } from '../lib/core_module.mjs';
import { sample } from '../lib/media.mjs';
import { modelCacheDir } from '../lib/identity/node.mjs';
import { deleteFrames, identityFrames, tensorSpec } from '../lib/identity/pipeline.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
const ROUNDS = smoke ? 1 : Number(process.env.CHARID_BENCH_ROUNDS || 3);
const REPS = smoke ? 2 : 5;
const CLIP = path.resolve(root, '../shared/fixtures/media/Vanilagy__mediabunny/video.mp4');
const inputDir = path.join(root, 'bench', 'out', 'inference');
const require = createRequire(import.meta.url);
const ortWebDir = path.join(root, 'node_modules', 'onnxruntime-web');
const pkgVersion = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let ortNode = null;
let ortNodeError = null;
try {
  ortNode = require('onnxruntime-node');
} catch (err) {
  ortNodeError = err.code === 'MODULE_NOT_FOUND' ? 'onnxruntime-node is not installed' : String(err.message).split('\n')[0];
}

// 1. Inputs, once, from the real pipeline.
const manifest = JSON.parse(fs.readFileSync(path.join(modelCacheDir(), 'manifest.json'), 'utf8'));
const models = [];
for (const m of manifest.models) {
  if (!m.serve) continue;
  models.push({ key: m.role === 'appearance_embedder' ? m.id : m.role, name: `${m.id}@${m.version}`, file: m.file, model: m });
}
const selected = smoke ? models.slice(0, 1) : models;
fs.mkdirSync(inputDir, { recursive: true });
const core = await loadCore();
const sampled = await sample(CLIP, { count: 16 });
const frame = sampled.frames[0];
const [image] = identityFrames(core, [frame]);
for (const m of selected) {
  m.dims = m.model.input.shape.map((d) => (typeof d === 'string' ? 1 : d));
  m.input = core.cropTensor(image, [0, 0, frame.width, frame.height], tensorSpec(m.model));
  fs.writeFileSync(path.join(inputDir, `${m.key}.bin`), Buffer.from(m.input.buffer, m.input.byteOffset, m.input.byteLength));
}
deleteFrames([image]);

function flatten(outputs, names) {
  const parts = names.map((n) => Array.from(outputs[n], Number));
  return Float64Array.from(parts.flat());
}

function agreement(ref, got) {
  let maxAbs = 0, maxRef = 0, dot = 0, na = 0, nb = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ref[i] - got[i]));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    dot += ref[i] * got[i]; na += ref[i] * ref[i]; nb += got[i] * got[i];
  }
  return { max_abs: maxAbs, max_rel: maxRef ? maxAbs / maxRef : 0, cosine: na && nb ? dot / Math.sqrt(na * nb) : 1, n: ref.length };
}

const TYPED = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array, bool: Uint8Array };
const decode = (o) => {
  const buf = Buffer.from(o.base64, 'base64');
  const T = TYPED[o.type] ?? Float32Array;
  return new T(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

// 2. Engines.
const engines = [];
if (ortNode) {
  for (const threads of [1, 2]) {
    const sessions = new Map();
    engines.push({
      name: `onnxruntime-node ${threads} thread${threads > 1 ? 's' : ''}`,
      id: `node${threads}`,
      async init() {
        const t0 = performance.now();
        for (const m of selected) {
          sessions.set(m.key, await ortNode.InferenceSession.create(path.join(modelCacheDir(), m.file), {
            executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
          }));
        }
        return performance.now() - t0;
      },
      async run(m, reps) {
        const s = sessions.get(m.key);
        const feeds = { [s.inputNames[0]]: new ortNode.Tensor('float32', m.input, m.dims) };
        const times = [];
        let out;
        for (let i = 0; i < reps; i++) {
          const t = performance.now();
          out = await s.run(feeds);
          times.push(performance.now() - t);
        }
        const outputs = {};
        for (const n of s.outputNames) outputs[n] = out[n].data;
        return { times, outputs, names: s.outputNames };
      },
      close() {},
    });
  }
}

let browser = null;
let server = null;
let page = null;
let chromiumVersion = null;
if (chromiumAvailable()) {
  server = await startServer({
    '/bench/browser/': path.join(root, 'bench', 'browser'),
    '/node_modules/onnxruntime-web/dist/': path.join(ortWebDir, 'dist'),
    '/models/': modelCacheDir(),
    '/inputs/': inputDir,
  });
  ({ browser, version: chromiumVersion } = await launchChromium());
  page = await browser.newPage();
  await page.goto(`${server.url}/bench/browser/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true && typeof window.askWorker === 'function');
  for (const threads of [1, 2]) {
    const id = `web${threads}`;
    engines.push({
      name: `onnxruntime-web ${threads} thread${threads > 1 ? 's' : ''}`,
      id,
      async init() {
        await page.evaluate((w) => window.openWorker(w, 'ort_worker.mjs'), id);
        const r = await page.evaluate(([w, msg]) => window.askWorker(w, msg), [id, { cmd: 'init', threads, models: selected.map((m) => ({ key: m.key, url: `/models/${m.file}` })) }]);
        if (!r.ok) throw new Error(r.error);
        if (threads > 1 && !r.crossOriginIsolated) throw new Error('the page is not cross-origin isolated, so onnxruntime-web cannot use threads');
        return r.session_ms;
      },
      async run(m, reps) {
        const r = await page.evaluate(([w, msg]) => window.askWorker(w, msg), [id, { cmd: 'run', key: m.key, url: `/inputs/${m.key}.bin`, dims: m.dims, reps }]);
        if (!r.ok) throw new Error(r.error);
        const outputs = {};
        for (const [n, o] of Object.entries(r.outputs)) outputs[n] = decode(o);
        return { times: r.times, outputs, names: Object.keys(r.outputs) };
      },
      close: () => page.evaluate((w) => window.closeWorker(w), id),
    });
  }
}

const loadBefore = os.loadavg()[0];
const results = new Map(); // engine id -> model key -> { times, flat }
const sessionMs = {};
try {
  for (const e of engines) {
    sessionMs[e.id] = await e.init();
    results.set(e.id, new Map(selected.map((m) => [m.key, { times: [], flat: null }])));
    for (const m of selected) await e.run(m, 1); // warm-up
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of selected) {
      for (const e of engines) {
        const r = await e.run(m, REPS);
        const slot = results.get(e.id).get(m.key);
        slot.times.push(...r.times);
        slot.flat ??= flatten(r.outputs, r.names);
      }
    }
  }
  for (const e of engines) await e.close();
} finally {
  await browser?.close();
  await server?.close();
}

// 3. Report.
const ref = ortNode ? 'node1' : engines[0]?.id;
const ms = (id, key) => (results.has(id) ? median(results.get(id).get(key).times) : null);
const f = (v, d = 1) => (v == null ? 'n/a' : v.toFixed(d));
const e = (v) => (v == null ? 'n/a' : v === 0 ? '0' : v.toExponential(1));
const rows = selected.map((m) => {
  const row = { name: m.name, input: m.dims.join('x') };
  for (const id of ['node1', 'node2', 'web1', 'web2']) row[id] = ms(id, m.key);
  for (const id of ['web1', 'web2', 'node2']) {
    if (results.has(id) && results.has(ref) && id !== ref) row[`agree_${id}`] = agreement(results.get(ref).get(m.key).flat, results.get(id).get(m.key).flat);
  }
  row.outputs = results.get(ref)?.get(m.key).flat.length;
  console.log(`${m.name}: node ${f(row.node1)}/${f(row.node2)} ms, web ${f(row.web1)}/${f(row.web2)} ms (1/2 threads); web1 vs node: max abs ${e(row.agree_web1?.max_abs)}, cosine ${row.agree_web1?.cosine}`);
  return row;
});
const ratio = (a, b) => (a != null && b != null ? a / b : null);
const sum = (id) => (rows.every((r) => r[id] != null) ? rows.reduce((n, r) => n + r[id], 0) : null);
const cos = (a) => (a ? (1 - a.cosine < 1e-9 ? '1 - <1e-9' : `1 - ${e(1 - a.cosine)}`) : 'n/a');
const body = [
  `Written by \`node bench/inference.mjs\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}; onnxruntime-web ${pkgVersion(ortWebDir)} in headless Chromium ${chromiumVersion ?? '(not available)'} (wasm backend, SIMD, a module Worker of a cross-origin isolated page, \`numThreads\` 1 or 2), onnxruntime-node ${ortNode ? pkgVersion(path.join(root, 'node_modules', 'onnxruntime-node')) : '(not available: ' + ortNodeError + ')'} (CPU execution provider, \`intraOpNumThreads\` 1 or 2), both with graph optimisation "all". Input: the tensor the pipeline builds for each model from frame 0 of the 1080p H.264 fixture, the same bytes for every engine. Median of ${ROUNDS} interleaved rounds x ${REPS} runs per engine and model, sessions created once and warmed; the machine's 2 cores are shared, so 2-thread figures are the most exposed to other work.`,
  '',
  '| model | input | node 1T ms | node 2T ms | web 1T ms | web 2T ms | web 1T / node 1T | web 2T / node 2T | web 2T / web 1T |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${r.input} | ${f(r.node1)} | ${f(r.node2)} | ${f(r.web1)} | ${f(r.web2)} | ${f(ratio(r.web1, r.node1), 2)} | ${f(ratio(r.web2, r.node2), 2)} | ${f(ratio(r.web2, r.web1), 2)} |`),
  `| **all ${rows.length}, one input each** | | ${f(sum('node1'))} | ${f(sum('node2'))} | ${f(sum('web1'))} | ${f(sum('web2'))} | ${f(ratio(sum('web1'), sum('node1')), 2)} | ${f(ratio(sum('web2'), sum('node2')), 2)} | ${f(ratio(sum('web2'), sum('web1')), 2)} |`,
  '',
  `1-minute load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after (2 cores).${sum('web2') != null && sum('web2') > sum('web1') ? ' Two threads were slower than one in this run: with the other core busy, the second thread mostly waits; on an idle multi-core machine expect the opposite.' : ''}`,
  '',
  `Output agreement with onnxruntime-node 1 thread, over all outputs of each model: max |difference|, the same divided by the largest |output|, and cosine. Session creation for all ${selected.length}: ${Object.entries(sessionMs).map(([k, v]) => `${engines.find((x) => x.id === k).name} ${Math.round(v)} ms`).join(', ')}.`,
  '',
  '| model | outputs | web 1T max abs | web 1T rel | web 1T cosine | web 2T max abs | web 2T cosine | node 2T max abs |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${r.outputs ?? 'n/a'} | ${e(r.agree_web1?.max_abs)} | ${e(r.agree_web1?.max_rel)} | ${cos(r.agree_web1)} | ${e(r.agree_web2?.max_abs)} | ${cos(r.agree_web2)} | ${e(r.agree_node2?.max_abs)} |`),
].join('\n');
if (smoke) console.log(body);
else writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Inference', body);
