#!/usr/bin/env node
// npm run bench:identity — identity quality of charid-id@1 and charid-id@2 side by side, and speed.
//
// Clips: ../shared/fixtures/clips, ../shared/fixtures/clips2 (windows cut with ffmpeg) and the
// cuts listed in bench/identity_cuts.tsv (identity_data.mjs). Each clip goes once through the
// real pipeline; its per-frame part outputs are cached (identity_cache.mjs), and each model's
// clip vectors are fused from them by the pipeline's own fusion, int8-quantised and scored by the
// model's similarity rule (identity_eval.mjs). Printed for clips / clips2 / clips + cuts / all:
// pair AUC, EER, top-1 leave-one-out, and at the model's calibrated threshold (the manifest's) the
// share of same-character pairs accepted, the false-accept rate and the look-alike pairs of
// clips2/hard_negatives.tsv accepted; the threshold a 1% false-accept rate needs over all clips;
// each part's own AUC; per-stage time of one 4 s 1080p window for both models.
// Options: --json, --write (the "Identity" section of docs/BENCHMARKS.md), --no-speed.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModels } from '../models/fetch.mjs';
import { loadCore } from '../lib/core_module.mjs';
import { publicSource, sample } from '../lib/media.mjs';
import { nodeRunner } from '../lib/identity/node.mjs';
import { embedSample } from '../lib/identity/pipeline.mjs';
import { clipFeatures } from './identity_cache.mjs';
import { ensureCuts, hardNegatives, identityClips } from './identity_data.mjs';
import { calibrate, cosine, figures, modelScorer, partVector } from './identity_eval.mjs';
import { identitySection } from './identity_report.mjs';
import { writeSection } from './markdown_section.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SPEED_CLIP = path.resolve(root, '../shared/fixtures/media/Vanilagy__mediabunny/video.mp4');  // 1920x1080 H.264, 5 s
const MODELS = ['charid-id@1', 'charid-id@2'];
const PARTS = ['osnet', 'reid0277', 'reid0277_subject', 'mobilenetv2_gem', 'mobilenetv2_gem_subject', 'face', 'colour', 'colour_subject'];

const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The runner with charid-id@2's parts all on every frame (no `frames: "key"`): @2 as it ran
// before the key frames, timed next to it.
function everyFrameRunner(runner) {
  const embeddings = runner.manifest.embeddings.map((e) => (e.model === 'charid-id@2' ? { ...e, parts: e.parts.map(({ frames, ...p }) => p) } : e));
  return { ...runner, manifest: { ...runner.manifest, embeddings } };
}

// Per-stage timings of `charid embed` on one 4 s 1080p window (16 samples) for each model (and
// @2 with every part on every frame), median of 3 interleaved runs.
async function speed(core, runner) {
  const variants = [...MODELS.map((m) => [m, m, runner]), ['charid-id@2 every frame', 'charid-id@2', everyFrameRunner(runner)]];
  const runs = Object.fromEntries(variants.map(([name]) => [name, []]));
  for (let k = 0; k < 3; k++) {
    for (const [name, model, r] of variants) {
      const t0 = performance.now();
      const sampled = await sample(SPEED_CLIP, { count: 16 });
      const decodeMs = performance.now() - t0;
      const out = await embedSample(core, r, sampled, { model, source: publicSource(sampled.source), decodeMs, startedAt: t0 });
      runs[name].push(out.timings);
    }
  }
  const stages = ['decode', 'detect', 'embed', 'total'];
  return Object.fromEntries(variants.map(([m]) => [m, Object.fromEntries(stages.map((s) => [s, Math.round(median(runs[m].map((t) => t[s])))]))]));
}

// Each part's own AUC over all clips (and over the pairs where both clips have it).
function partFigures(features, groups) {
  const out = {};
  for (const name of PARTS) {
    const persistent = name === 'face';
    const vectors = features.map((f) => (f.parts[name] ? partVector(f, name, { persistent }) : null));
    const have = features.map((_, i) => i).filter((i) => vectors[i]);
    if (!have.length) continue;
    const sim = (i, j) => cosine(vectors[i], vectors[j]);
    out[name] = Object.fromEntries(Object.entries(groups).map(([g, idx]) => {
      const members = idx.filter((i) => vectors[i]);
      const f = figures(features, members, sim, Infinity, []);
      return [g, { auc: f.auc, clips: members.length, same_pairs: f.same_pairs }];
    }));
  }
  return out;
}

async function main(argv) {
  const json = argv.includes('--json');
  const log = json ? () => {} : (s) => process.stderr.write(`${s}\n`);
  const { servedBytes } = await ensureModels({ quiet: true });
  const core = await loadCore();
  const runner = await nodeRunner();
  const clips = identityClips();
  ensureCuts(clips);
  const features = [];
  for (const c of clips) features.push(await clipFeatures(core, runner, c, { log }));

  const index = new Map(features.map((f, i) => [f.name, i]));
  const lookAlikes = hardNegatives().map(([a, b]) => [index.get(a), index.get(b)]);
  const all = features.map((_, i) => i);
  const groups = {
    clips: all.filter((i) => features[i].set === 'clips'),
    clips2: all.filter((i) => features[i].set === 'clips2'),
    'clips + cuts': all.filter((i) => features[i].set !== 'clips2'),
    all,
  };
  const models = {};
  for (const model of MODELS) {
    const spec = runner.manifest.embeddings.find((e) => e.model === model);
    if (!spec) continue;
    const sim = modelScorer(core, runner.manifest, spec, features);
    models[model] = {
      threshold: spec.threshold,
      far1_threshold: calibrate(features, sim, 0.01),
      groups: Object.fromEntries(Object.entries(groups).map(([g, idx]) => [g, figures(features, idx, sim, spec.threshold, lookAlikes)])),
    };
  }
  const report = {
    clips: features.length,
    characters: new Set(features.map((f) => f.character)).size,
    sets: Object.fromEntries(Object.entries(groups).map(([g, idx]) => [g, idx.length])),
    look_alike_pairs: lookAlikes.length,
    models,
    parts: partFigures(features, groups),
    targets: { auc: 0.99, top1: 0.95, same_accepted: 0.95, far: 0.01, look_alikes: 1 },
    model_download_bytes: servedBytes,
    load_before_speed: os.loadavg()[0],
    speed_1080p: argv.includes('--no-speed') ? null : await speed(core, runner),
    load_after_speed: os.loadavg()[0],
    per_clip: features.map((f) => ({ set: f.set, clip: f.name, character: f.character, kind: f.kind, frames_with_face: f.framesWithFace, frames_masked: f.framesMasked, size: f.size })),
  };
  const section = identitySection(report);
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else console.log(section);
  if (argv.includes('--write')) writeSection(path.join(root, 'docs', 'BENCHMARKS.md'), 'Identity', section);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`bench:identity: ${err.stack || err}`);
  process.exit(1);
});
