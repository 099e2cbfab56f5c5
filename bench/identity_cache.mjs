// Per-clip, per-frame, per-part outputs of the real pipeline, cached under the ignored
// bench/out/identity_cache/ so that fusion experiments and calibration re-run in seconds.
// One pipeline run per clip (detection, subject choice, every candidate part below, the
// charid-id@1 payload); a cache file is reused only while its feature key (featureKey below: what
// the features are made from) and the clip file are unchanged, so a later inference change is
// never scored on features cached before it.
import crypto from 'node:crypto';
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
const CACHE_VERSION = 2;
// The sampling the cached features are taken on.
const SAMPLING = { allowLowRes: true, count: 16 };
// The sources that decide the features besides the models: the core's detection settings and
// thresholds (pipeline_policy.h), its identity code and bindings, the JS pipeline that calls
// them, and the media core's sampling and colour conversion.
const FEATURE_SOURCES = [
  'src/identity', 'wasm/bindings/identity_embed_bindings.cpp', 'wasm/bindings/identity_frame_bindings.cpp',
  'wasm/bindings/identity_locate_bindings.cpp', 'wasm/bindings/identity_values.cpp', 'wasm/bindings/identity_values.h',
  'lib/identity/pipeline.mjs', 'lib/identity/parts.mjs', 'src/media/frame_sampler.cpp', 'src/media/frame_converter.cpp',
];

function sourceFiles(rel) {
  const full = path.join(root, rel);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [rel];
  return fs.readdirSync(full).filter((f) => /\.(cpp|h)$/.test(f)).sort().map((f) => path.join(rel, f));
}

// sha256 of everything the cached features depend on: CACHE_VERSION, the sampling, each served
// model's id, version, file sha256 and input spec (the detectors' sizes and letterboxing included),
// and the contents of FEATURE_SOURCES. Computed once per runner.
const keys = new WeakMap();
export function featureKey(runner) {
  if (keys.has(runner)) return keys.get(runner);
  const hash = crypto.createHash('sha256');
  const models = runner.manifest.models.filter((m) => m.serve).map((m) => ({ id: m.id, version: m.version, sha256: m.sha256, input: m.input }));
  hash.update(JSON.stringify({ version: CACHE_VERSION, sampling: SAMPLING, models }));
  for (const rel of FEATURE_SOURCES.flatMap(sourceFiles)) hash.update(`\n${rel}\n`).update(fs.readFileSync(path.join(root, rel)));
  const key = hash.digest('hex');
  keys.set(runner, key);
  return key;
}

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
  const key = featureKey(runner);
  if (fs.existsSync(file)) {
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (c.key === key && c.clipBytes === stat.size) return revive(c, clip);
  }
  if (cachedOnly) return null;
  const t0 = performance.now();
  const sampled = await sample(clip.file, SAMPLING);
  const decodeMs = performance.now() - t0;
  const r = await embedSample(core, runner, sampled, {
    model: 'charid-id@1', source: publicSource(sampled.source), decodeMs, startedAt: t0, keepParts: true, extraRecipes: CANDIDATE_PARTS,
  });
  const c = {
    key,
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
