#!/usr/bin/env node
// npm run bench:identity — identity quality and speed on the labelled clips.
//
// Every clip of ../shared/fixtures/clips/identity.csv goes through the real pipeline (media core
// -> detectors -> embedders -> fusion -> int8 payload); the similarity of two clips is the cosine
// of their dequantised payload vectors, exactly what `charid compare` reports. Printed:
//   pair AUC (same vs different character), equal error rate, top-1 leave-one-out retrieval,
//   the calibrated threshold (the EER point), the same figures for a plain colour-histogram
//   baseline (8x8x8 RGB histogram of the whole frames, averaged over the same sampled frames),
//   and per-stage timings (decode, detect, embed) with the model download size.
// Options: --json (one JSON object), --clips a.mp4,b.mp4 (a subset, for quick looks), --write (also
// write the "Identity" section of docs/BENCHMARKS.md; what `npm run bench` passes).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels } from '../models/fetch.mjs';
import { loadCore } from '../lib/core_module.mjs';
import { publicSource, sample } from '../lib/media.mjs';
import { nodeRunner } from '../lib/identity/node.mjs';
import { embedSample, payloadVector, tensorSpec } from '../lib/identity/pipeline.mjs';
import { pairFigures, readIdentityCsv } from './identity_metrics.mjs';
import { writeSection } from './markdown_section.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clipsDir = path.resolve(root, '../shared/fixtures/clips');

function rgbHistogram(frames) {
  const h = new Float64Array(512);
  for (const f of frames) {
    const px = f.rgb;
    const step = Math.max(1, Math.floor(px.length / 3 / 40000)) * 3;
    for (let i = 0; i < px.length; i += step) h[((px[i] >> 5) << 6) | ((px[i + 1] >> 5) << 3) | (px[i + 2] >> 5)] += 1;
  }
  return Float32Array.from(h, Math.sqrt);
}

function cosine(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) d += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
  return na && nb ? d / Math.sqrt(na * nb) : 0;
}

const SPEED_CLIP = path.resolve(root, '../shared/fixtures/media/Vanilagy__mediabunny/video.mp4');  // 1920x1080 H.264, 5 s

// Per-stage timings of one 4 s 1080p window with 16 samples, and each network's median time
// for one input over 5 runs (sessions already created), in onnxruntime-web.
async function speed(core, runner) {
  const t0 = performance.now();
  const sampled = await sample(SPEED_CLIP, { count: 16 });
  const decodeMs = performance.now() - t0;
  const r = await embedSample(core, runner, sampled, { source: publicSource(sampled.source), decodeMs, startedAt: t0 });
  const frame = sampled.frames[0];
  const image = new core.IdentityFrame(frame.rgb, frame.width, frame.height);
  const perModel = {};
  try {
    for (const key of ['face_detector', 'object_detector', 'osnet-x0_25-msmt17', 'mobilenetv2-gem', 'face_embedder', 'segmenter']) {
      const model = runner.spec(key);
      const dims = model.input.shape.map((d) => (typeof d === 'string' ? 1 : d));
      const spec = tensorSpec(model);
      const tensor = core.cropTensor(image, [0, 0, frame.width, frame.height], spec);
      const times = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        await runner.run(key, tensor, dims);
        times.push(performance.now() - s);
      }
      perModel[`${model.id}@${model.version}`] = Math.round(median(times) * 10) / 10;
    }
  } finally {
    image.delete();
  }
  return { clip: 'Vanilagy__mediabunny/video.mp4 (1920x1080 H.264)', frames: sampled.frames.length, frame_size: `${frame.width}x${frame.height}`, timings_ms: r.timings, per_model_ms: perModel };
}

const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(argv) {
  const json = argv.includes('--json');
  const only = argv.includes('--clips') ? argv[argv.indexOf('--clips') + 1].split(',') : null;
  const { servedBytes } = await ensureModels({ quiet: true });
  const core = await loadCore();
  const runner = await nodeRunner();
  const warmStart = performance.now();
  await runner.warm(['face_detector', 'object_detector', 'osnet-x0_25-msmt17', 'mobilenetv2-gem', 'face_embedder', 'segmenter']);
  const sessionMs = performance.now() - warmStart;

  const clips = readIdentityCsv(path.join(clipsDir, 'identity.csv')).filter((c) => !only || only.includes(c.clip));
  const results = [];
  for (const c of clips) {
    const t0 = performance.now();
    const sampled = await sample(path.join(clipsDir, c.clip), { allowLowRes: true, count: 16 });
    const decodeMs = performance.now() - t0;
    const r = await embedSample(core, runner, sampled, { source: publicSource(sampled.source), decodeMs, startedAt: t0 });
    results.push({
      ...c,
      vector: payloadVector(core, runner.manifest, r.payload),
      baseline: rgbHistogram(sampled.frames),
      kind: r.payload.subject.kind,
      faces: r.payload.quality.frames_with_face,
      warnings: r.payload.warnings,
      timings: r.timings,
      size: `${sampled.frames[0].width}x${sampled.frames[0].height}`,
    });
    if (!json) {
      process.stderr.write(`${c.clip.padEnd(22)} ${r.payload.subject.kind.padEnd(7)} faces ${String(r.payload.quality.frames_with_face).padStart(2)}  ` +
        `decode ${r.timings.decode} ms, detect ${r.timings.detect} ms, embed ${r.timings.embed} ms\n`);
    }
  }
  const labels = results.map((r) => r.character);
  const ours = pairFigures(labels, (i, j) => cosine(results[i].vector, results[j].vector));
  const baseline = pairFigures(labels, (i, j) => cosine(results[i].baseline, results[j].baseline));
  const stage = (k) => Math.round(median(results.map((r) => r.timings[k])));
  const report = {
    clips: results.length,
    characters: new Set(labels).size,
    identity: ours,
    baseline,
    targets: { auc: 0.98, top1: 0.95 },
    timings_ms_median_per_clip: { decode: stage('decode'), detect: stage('detect'), embed: stage('embed'), total: stage('total'), session_creation: Math.round(sessionMs) },
    model_download_bytes: servedBytes,
    speed_1080p: await speed(core, runner),
    per_clip: results.map((r) => ({ clip: r.clip, character: r.character, kind: r.kind, frames_with_face: r.faces, size: r.size, warnings: r.warnings, timings_ms: r.timings })),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (argv.includes('--write') && !only) writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Identity', identitySection(report));
    return;
  }
  const fmt = (f) => `AUC ${f.auc.toFixed(4)}  EER ${f.eer.toFixed(4)}  top-1 ${f.top1.hits}/${f.top1.queries} (${f.top1.rate.toFixed(3)})  threshold ${f.threshold.toFixed(4)}  pairs ${f.same_pairs} same / ${f.different_pairs} different`;
  console.log(`\nidentity (${results.length} clips, ${report.characters} characters)`);
  console.log(`  charid-id@1     ${fmt(ours)}`);
  console.log(`  colour baseline ${fmt(baseline)}`);
  console.log(`  targets: AUC >= 0.98 (${ours.auc >= 0.98 ? 'met' : 'NOT met'}), top-1 >= 0.95 (${ours.top1.rate >= 0.95 ? 'met' : 'NOT met'})`);
  const t = report.timings_ms_median_per_clip;
  console.log(`speed (Node, onnxruntime-web wasm, 1 thread, 16 frames; median per clip): decode ${t.decode} ms, detect ${t.detect} ms, embed ${t.embed} ms, total ${t.total} ms; sessions created once in ${t.session_creation} ms`);
  const sp = report.speed_1080p;
  console.log(`speed, one 4 s 1080p window (${sp.clip}, ${sp.frames} samples at ${sp.frame_size}): decode ${sp.timings_ms.decode} ms, detect ${sp.timings_ms.detect} ms, embed ${sp.timings_ms.embed} ms, total ${sp.timings_ms.total} ms`);
  console.log(`per network, one input, median of 5 (onnxruntime-web wasm SIMD, 1 thread): ${Object.entries(sp.per_model_ms).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  console.log(`model download: ${(servedBytes / 1e6).toFixed(2)} MB (target <= 15 MB)`);
  if (argv.includes('--write') && !only) writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Identity', identitySection(report));
}

function identitySection(report) {
  const row = (name, x) => `| ${name} | ${x.auc.toFixed(4)} | ${x.eer.toFixed(4)} | ${x.top1.hits}/${x.top1.queries} (${x.top1.rate.toFixed(3)}) | ${x.threshold.toFixed(3)} |`;
  const t = report.timings_ms_median_per_clip;
  const sp = report.speed_1080p;
  return [
    `Written by \`npm run bench:identity -- --write\` (part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}: every clip of \`shared/fixtures/clips/identity.csv\` (${report.clips} clips, ${report.characters} characters, ${report.identity.same_pairs} same-character pairs, ${report.identity.different_pairs} different) through the real pipeline; the similarity of two clips is the cosine of their dequantised payload vectors, as \`charid compare\` reports. Baseline: an 8x8x8 RGB histogram of the whole sampled frames. How the vector is made: [IDENTITY.md](IDENTITY.md).`,
    '',
    '| | pair AUC | EER | top-1 leave-one-out | threshold (EER point) |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('charid-id@1', report.identity),
    row('colour histogram baseline', report.baseline),
    '',
    `Targets: AUC >= ${report.targets.auc} (${report.identity.auc >= report.targets.auc ? 'met' : 'NOT met'}), top-1 >= ${report.targets.top1} (${report.identity.top1.rate >= report.targets.top1 ? 'met' : 'NOT met'}). With this few same-character pairs, read the figures as direction.`,
    '',
    `Per stage in Node (onnxruntime-web wasm SIMD, 1 thread, 16 frames), median per clip: decode ${t.decode} ms, detect ${t.detect} ms, embed ${t.embed} ms, total ${t.total} ms; the six sessions are created once in ${t.session_creation} ms. One 4 s 1080p H.264 window (${sp.frames} samples at ${sp.frame_size}): decode ${sp.timings_ms.decode} ms, detect ${sp.timings_ms.detect} ms, embed ${sp.timings_ms.embed} ms, total ${sp.timings_ms.total} ms. Model download: ${(report.model_download_bytes / 1e6).toFixed(2)} MB.`,
  ].join('\n');
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`bench:identity: ${err.stack || err}`);
  process.exit(1);
});
