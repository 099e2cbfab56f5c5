#!/usr/bin/env node
// Design study for charid-id@2 over the cached clip features (run bench/identity.mjs once first, it
// fills the cache): a small grid of generic choices, each scored over ALL clips (clips + clips2 +
// cuts) with the face-led rule. Nothing here is fitted to a clip: the choices are the face weight
// W, which body re-ID network, and whether the appearance parts see the subject only.
//   node bench/identity_designs.mjs [--top N] [--cached-only]
// Prints per design: AUC, EER, top-1, the FAR <= 1% threshold and the share of same pairs it
// accepts, look-alikes accepted there; and the same at the EER point.
import { loadCore } from '../lib/core_module.mjs';
import { nodeRunner } from '../lib/identity/node.mjs';
import { clipFeatures } from './identity_cache.mjs';
import { hardNegatives, identityClips } from './identity_data.mjs';
import { calibrate, figures, modelScorer } from './identity_eval.mjs';

const PART_DIMS = { osnet: 512, reid0277: 256, reid0277_subject: 256, mobilenetv2_gem: 1280, mobilenetv2_gem_subject: 1280, face: 256, colour: 128, colour_subject: 128 };
const SOURCES = {
  osnet: { model: 'osnet-x0_25-msmt17@1', crop: 'box' },
  reid0277: { model: 'person-reid-0277@1', crop: 'box' },
  reid0277_subject: { model: 'person-reid-0277@1', crop: 'box', subject_only: true },
  mobilenetv2_gem: { model: 'mobilenetv2-gem@1', crop: 'square' },
  mobilenetv2_gem_subject: { model: 'mobilenetv2-gem@1', crop: 'square', subject_only: true },
  colour: { model: 'hsv-histogram@1', crop: 'box' },
  colour_subject: { model: 'hsv-histogram@1', crop: 'box', subject_only: true },
};

// A charid-id@2-shaped manifest entry. Appearance weights (body, mnv2, colour) are relative and
// scaled so their squares sum to 1 - W; the face part gets sqrt(W): then, when both clips keep a
// face, the plain cosine of the whole vectors equals the face-led score.
export function designSpec({ faceWeight, body, mnv2, colour, inner = [0.57, 0.57, 0.19] }) {
  const norm = Math.hypot(...inner);
  const a = Math.sqrt(1 - faceWeight) / norm;
  const layout = [
    ['face', { model: 'face-reid-0095@1', crop: 'face' }, PART_DIMS.face, Math.sqrt(faceWeight)],
    ['body', SOURCES[body], PART_DIMS[body], inner[0] * a],
    ['mobilenetv2_gem', SOURCES[mnv2], PART_DIMS[mnv2], inner[1] * a],
    ['colour', SOURCES[colour], PART_DIMS[colour], inner[2] * a],
  ];
  let offset = 0;
  const parts = layout.map(([name, src, dims, weight]) => {
    const p = { name, ...src, offset, dims, weight: Math.round(weight * 1e4) / 1e4 };
    offset += dims;
    return p;
  });
  return {
    model: 'charid-id@2',
    dims: offset,
    dtype: 'int8',
    similarity: { rule: 'face_led', face_part: 'face', face_weight: faceWeight },
    parts,
  };
}

async function main(argv) {
  const top = argv.includes('--top') ? Number(argv[argv.indexOf('--top') + 1]) : 15;
  const core = await loadCore();
  const runner = await nodeRunner();
  const features = [];
  const cachedOnly = argv.includes('--cached-only');
  for (const c of identityClips()) {
    const f = await clipFeatures(core, runner, c, { cachedOnly });
    if (f) features.push(f);
  }
  console.log(`${features.length} clips`);
  const index = new Map(features.map((f, i) => [f.name, i]));
  const lookAlikes = hardNegatives().filter(([a, b]) => index.has(a) && index.has(b)).map(([a, b]) => [index.get(a), index.get(b)]);
  const all = features.map((_, i) => i);
  const rows = [];
  const v1 = runner.manifest.embeddings.find((e) => e.model === 'charid-id@1');
  const designs = [{ name: 'charid-id@1 (as shipped)', spec: v1 }];
  for (const faceWeight of [0.6, 0.75, 0.9]) {
    for (const body of ['osnet', 'reid0277', 'reid0277_subject']) {
      for (const mnv2 of ['mobilenetv2_gem', 'mobilenetv2_gem_subject']) {
        for (const colour of ['colour', 'colour_subject']) {
          for (const inner of [[0.57, 0.57, 0.19], [0.7, 0.5, 0.3], [0.5, 0.7, 0.3], [0.4, 0.9, 0.15]]) {
            const d = { faceWeight, body, mnv2, colour, inner };
            designs.push({ name: `W ${faceWeight} ${body} ${mnv2} ${colour} inner ${inner.join('/')}`, spec: designSpec(d) });
          }
        }
      }
    }
  }
  for (const { name, spec } of designs) {
    const sim = modelScorer(core, runner.manifest, spec, features);
    const t = calibrate(features, sim, 0.01);
    const f = figures(features, all, sim, t, lookAlikes);
    const atEer = figures(features, all, sim, f.threshold, lookAlikes).at;
    rows.push({ name, auc: f.auc, eer: f.eer, top1: f.top1.rate, t, tar: f.at.same_accepted, far: f.at.false_accept_rate, look: f.at.look_alikes_accepted, eerT: f.threshold, eerLook: atEer.look_alikes_accepted });
  }
  const show = (r) => console.log(`${r.name.padEnd(70)} AUC ${r.auc.toFixed(4)} EER ${r.eer.toFixed(3)} top-1 ${r.top1.toFixed(3)} | FAR1% t ${r.t.toFixed(3)} TAR ${(100 * r.tar).toFixed(1)}% FAR ${(100 * r.far).toFixed(2)}% look ${r.look} | EER t ${r.eerT.toFixed(3)} look ${r.eerLook}`);
  show(rows[0]);
  console.log('--- best by share of same pairs accepted at FAR <= 1%, then AUC');
  [...rows.slice(1)].sort((a, b) => b.tar - a.tar || b.auc - a.auc).slice(0, top).forEach(show);
  console.log('--- best by AUC');
  [...rows.slice(1)].sort((a, b) => b.auc - a.auc).slice(0, 5).forEach(show);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`identity_designs: ${err.stack || err}`);
    process.exit(1);
  });
}
