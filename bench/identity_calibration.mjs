#!/usr/bin/env node
// Branch calibration of a face-led model (charid-id@2) over the cached clip features (run
// bench/identity.mjs once first, it fills the cache):
//   node bench/identity_calibration.mjs [--model charid-id@2] [--json]
// The face-led rule scores a pair by one of two branches: face-led when both clips keep a face,
// appearance only otherwise. Their score scales differ (different real faces score lower than
// different cartoons scored on appearance), so one threshold over both wastes one of them.
// `face_offset` (added to the face-led branch) is the one constant that aligns them. It is fitted
// here on every pair: the offset that accepts the most same-character pairs at a false-accept
// rate of at most 1% overall, the middle of the best plateau on a 0.0025 grid. Printed: each
// branch's pairs and 1%-FAR point, the figures at offset 0, at the fitted offset and at the
// offset that puts both branches' own 1%-FAR points on one threshold; and two checks that the
// fit is not made for single clips: leave-one-character-out (offset and threshold fitted without
// a character, then its pairs judged) and 20 split-halves by character, each against offset 0.
import { loadCore } from '../lib/core_module.mjs';
import { nodeRunner } from '../lib/identity/node.mjs';
import { modelSimilarity } from '../lib/identity/similarity.mjs';
import { clipFeatures } from './identity_cache.mjs';
import { hardNegatives, identityClips } from './identity_data.mjs';
import { clipVectors } from './identity_eval.mjs';
import { atThreshold, pairFigures, thresholdForFar } from './identity_metrics.mjs';

const MAX_FAR = 0.01;
const GRID = Array.from({ length: 61 }, (_, k) => k * 0.0025);  // 0 ... 0.15

// Every pair of clips with its branch and its face-led score before any offset.
export function branchPairs(spec, vectors, labels) {
  const raw = { ...spec, similarity: { ...spec.similarity, face_offset: 0 } };
  const face = spec.parts.find((p) => p.name === spec.similarity.face_part);
  const hasFace = vectors.map((v) => v.subarray(face.offset, face.offset + face.dims).some((x) => x !== 0));
  const pairs = [];
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      pairs.push({ i, j, same: labels[i] === labels[j], faceLed: hasFace[i] && hasFace[j], score: modelSimilarity(raw, vectors[i], vectors[j]) });
    }
  }
  return pairs;
}

const shifted = (p, offset) => (p.faceLed ? Math.min(1, p.score + offset) : p.score);
const thresholdAt = (pairs, offset) => thresholdForFar(pairs.filter((p) => !p.same).map((p) => shifted(p, offset)), MAX_FAR);

function counts(pairs, offset, threshold) {
  const c = { same: 0, accepted: 0, diff: 0, falseAccepts: 0 };
  for (const p of pairs) {
    const ok = shifted(p, offset) >= threshold;
    if (p.same) c.same++, c.accepted += ok;
    else c.diff++, c.falseAccepts += ok;
  }
  return c;
}

// The offset accepting the most same pairs at FAR <= 1% over `pairs` (middle of the plateau).
export function fitOffset(pairs) {
  const rows = GRID.map((offset) => {
    const threshold = thresholdAt(pairs, offset);
    return { offset, threshold, accepted: counts(pairs, offset, threshold).accepted };
  });
  const best = Math.max(...rows.map((r) => r.accepted));
  const plateau = rows.filter((r) => r.accepted === best);
  return { ...plateau[Math.floor(plateau.length / 2)], plateau: [plateau[0].offset, plateau.at(-1).offset] };
}

// Held-out figures: fit on `train` pairs (or offset 0), judge `test` pairs; summed over folds.
function heldOut(folds, fitted) {
  const sum = { same: 0, accepted: 0, diff: 0, falseAccepts: 0 };
  const offsets = [];
  for (const { train, test } of folds) {
    const fit = fitted ? fitOffset(train) : { offset: 0, threshold: thresholdAt(train, 0) };
    offsets.push(fit.offset);
    const c = counts(test, fit.offset, fit.threshold);
    for (const k of Object.keys(sum)) sum[k] += c[k];
  }
  return { same_accepted: sum.accepted / sum.same, false_accept_rate: sum.falseAccepts / sum.diff, offsets: [Math.min(...offsets), Math.max(...offsets)] };
}

function splitHalves(pairs, labels, n, seed) {
  const characters = [...new Set(labels)];
  let s = seed;
  const random = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => {
    const half = new Set(characters.filter(() => random() < 0.5));
    const side = (p) => [half.has(labels[p.i]), half.has(labels[p.j])];
    return {
      train: pairs.filter((p) => side(p).every(Boolean)),
      test: pairs.filter((p) => !side(p).some(Boolean)),
    };
  });
}

export function calibrationReport(features, vectors, spec, lookAlikes) {
  const labels = features.map((f) => f.character);
  const pairs = branchPairs(spec, vectors, labels);
  const key = (i, j) => (i < j ? i * 100000 + j : j * 100000 + i);
  const byKey = new Map(pairs.map((p) => [key(p.i, p.j), p]));
  const at = (offset) => {
    const sim = (i, j) => shifted(byKey.get(key(i, j)), offset);
    const threshold = thresholdAt(pairs, offset);
    const f = pairFigures(labels, sim);
    const a = atThreshold(labels, sim, threshold, lookAlikes);
    return { offset, threshold, auc: f.auc, eer: f.eer, top1: f.top1.rate, same_accepted: a.same_accepted, false_accept_rate: a.false_accept_rate, look_alikes_accepted: a.look_alikes_accepted };
  };
  const branches = Object.fromEntries([['face_led', true], ['appearance', false]].map(([name, faceLed]) => {
    const own = pairs.filter((p) => p.faceLed === faceLed);
    return [name, { same_pairs: own.filter((p) => p.same).length, different_pairs: own.filter((p) => !p.same).length, far1_threshold: thresholdAt(own, 0) }];
  }));
  const fit = fitOffset(pairs);
  const characters = [...new Set(labels)];
  const loco = characters.map((c) => ({
    train: pairs.filter((p) => labels[p.i] !== c && labels[p.j] !== c),
    test: pairs.filter((p) => labels[p.i] === c || labels[p.j] === c),
  }));
  const halves = splitHalves(pairs, labels, 20, 7);
  return {
    branches,
    fitted: { ...at(fit.offset), plateau: fit.plateau },
    no_offset: at(0),
    equal_branch_far: at(branches.appearance.far1_threshold - branches.face_led.far1_threshold),
    leave_one_character_out: { fitted: heldOut(loco, true), no_offset: heldOut(loco, false) },
    split_half_x20: { fitted: heldOut(halves, true), no_offset: heldOut(halves, false) },
  };
}

async function main(argv) {
  const model = argv.includes('--model') ? argv[argv.indexOf('--model') + 1] : 'charid-id@2';
  const core = await loadCore();
  const runner = await nodeRunner();
  const features = [];
  for (const c of identityClips()) {
    const f = await clipFeatures(core, runner, c, { cachedOnly: true });
    if (f) features.push(f);
  }
  const spec = runner.manifest.embeddings.find((e) => e.model === model);
  if (spec?.similarity?.rule !== 'face_led') throw new Error(`${model} has no face_led rule to calibrate`);
  const index = new Map(features.map((f, i) => [f.name, i]));
  const lookAlikes = hardNegatives().filter(([a, b]) => index.has(a) && index.has(b)).map(([a, b]) => [index.get(a), index.get(b)]);
  const report = calibrationReport(features, clipVectors(core, runner.manifest, spec, features), spec, lookAlikes);
  if (argv.includes('--json')) return void process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  console.log(`${model}, ${features.length} clips`);
  for (const [name, b] of Object.entries(report.branches)) console.log(`branch ${name}: ${b.same_pairs} same / ${b.different_pairs} different pairs, own 1%-FAR threshold ${b.far1_threshold}`);
  for (const name of ['no_offset', 'fitted', 'equal_branch_far']) {
    const r = report[name];
    console.log(`${name.padEnd(17)} offset ${r.offset.toFixed(4)} threshold ${r.threshold.toFixed(3)} AUC ${r.auc.toFixed(4)} EER ${r.eer.toFixed(3)} top-1 ${r.top1.toFixed(3)} same accepted ${pct(r.same_accepted)} FAR ${(100 * r.false_accept_rate).toFixed(2)}% look-alikes ${r.look_alikes_accepted}${r.plateau ? ` (plateau ${r.plateau.join('-')})` : ''}`);
  }
  for (const check of ['leave_one_character_out', 'split_half_x20']) {
    for (const [name, r] of Object.entries(report[check])) {
      console.log(`${check} ${name.padEnd(9)} same accepted ${pct(r.same_accepted)} FAR ${(100 * r.false_accept_rate).toFixed(2)}% offsets ${r.offsets.map((o) => o.toFixed(4)).join('-')}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`identity_calibration: ${err.stack || err}`);
    process.exit(1);
  });
}
