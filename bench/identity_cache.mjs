// Per-clip, per-frame, per-part outputs of the real pipeline, cached under the ignored
// bench/out/identity_cache/ so that fusion experiments and calibration re-run in seconds.
// One pipeline run per clip (detection, subject choice, every candidate part below, the
// charid-id@1 payload); a cache file is reused while CACHE_VERSION and the clip file are unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { publicSource, sample } from '../lib/media.mjs';
import { embedSample } from '../lib/identity/pipeline.mjs';
import { createRunner } from '../lib/identity/runner.mjs';
import { modelCacheDir } from '../lib/identity/node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(root, 'bench', 'out', 'identity_cache');
const CACHE_VERSION = 1;

// Every part an identity model may be made of (the models' recipes pick among them).
export const CANDIDATE_PARTS = [
  { name: 'osnet', model: 'osnet-x0_25-msmt17@1', crop: 'box' },
  { name: 'reid0277', model: 'person-reid-0277@1', crop: 'box' },
  { name: 'reid0277_subject', model: 'person-reid-0277@1', crop: 'box', subject_only: true },
  { name: 'mobilenetv2_gem', model: 'mobilenetv2-gem@1', crop: 'square' },
  { name: 'mobilenetv2_gem_subject', model: 'mobilenetv2-gem@1', crop: 'square', subject_only: true },
  { name: 'face', model: 'face-reid-0095@1', crop: 'face' },
  { name: 'colour', model: 'hsv-histogram@1', crop: 'box' },
  { name: 'colour_subject', model: 'hsv-histogram@1', crop: 'box', subject_only: true },
];

// The networks for the cache run in onnxruntime-node (about 4x faster than the web build on this
// machine; outputs agree to ~1e-5 relative, docs/BENCHMARKS.md Inference), falling back to the
// product's onnxruntime-web runner when it is not installed.
export async function cacheRunner(fallback) {
  try {
    const ort = createRequire(import.meta.url)('onnxruntime-node');
    return await createRunner(async (file) => new Uint8Array(fs.readFileSync(path.join(modelCacheDir(), file))), { ort });
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
    return fallback();
  }
}

const f32 = (a) => (a ? Buffer.from(new Float32Array(a).buffer).toString('base64') : null);
const unf32 = (s) => (s ? new Float32Array(new Uint8Array(Buffer.from(s, 'base64')).buffer) : null);

function cacheFile(clip) {
  return path.join(cacheDir, `${clip.set}__${clip.name}.json`);
}

// -> {clip fields, kind, framesWithFace, faceScores, frameWeights, parts: {name: [Float32Array|null]},
//     v1Payload, timings, size}
// cachedOnly: null instead of running the pipeline when the clip is not cached yet.
export async function clipFeatures(core, runner, clip, { log = () => {}, cachedOnly = false } = {}) {
  const file = cacheFile(clip);
  const stat = fs.statSync(clip.file);
  if (fs.existsSync(file)) {
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (c.version === CACHE_VERSION && c.clipBytes === stat.size) return revive(c, clip);
  }
  if (cachedOnly) return null;
  const t0 = performance.now();
  const sampled = await sample(clip.file, { allowLowRes: true, count: 16 });
  const decodeMs = performance.now() - t0;
  const r = await embedSample(core, runner, sampled, {
    model: 'charid-id@1', source: publicSource(sampled.source), decodeMs, startedAt: t0, keepParts: true, extraRecipes: CANDIDATE_PARTS,
  });
  const c = {
    version: CACHE_VERSION,
    clipBytes: stat.size,
    kind: r.payload.subject.kind,
    framesWithFace: r.payload.quality.frames_with_face,
    faceScores: r.subject.faces.map((f) => (f ? f.score : 0)),
    framesMasked: r.framesMasked,
    frameWeights: r.frameWeights,
    parts: Object.fromEntries(Object.entries(r.parts).map(([k, v]) => [k, v.map(f32)])),
    v1Payload: r.payload,
    timings: r.timings,
    size: `${sampled.frames[0].width}x${sampled.frames[0].height}`,
  };
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(c));
  log(`${clip.set}/${clip.name}: ${c.kind}, faces ${c.framesWithFace}, masked ${c.framesMasked}, ${Math.round(performance.now() - t0)} ms`);
  return revive(c, clip);
}

function revive(c, clip) {
  return { ...clip, ...c, parts: Object.fromEntries(Object.entries(c.parts).map(([k, v]) => [k, v.map(unf32)])) };
}
